import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const require = createRequire(import.meta.url);

/** The JS entry of an npm-installed MCP server's bin, for running it as a plain child process. */
export function serverBin(pkg: string): string {
  const manifestPath = require.resolve(`${pkg}/package.json`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin)[0];
  if (!bin) throw new Error(`${pkg} has no bin`);
  return path.join(path.dirname(manifestPath), bin);
}

/** Starts a server as a plain child process over stdio (the baseline the sandbox is compared with). */
export async function startChild(pkg: string, args: string[] = [], env: Record<string, string> = {}): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [serverBin(pkg), ...args],
    env: { PATH: process.env.PATH ?? '', ...env },
    stderr: 'ignore',
  });
  const client = new Client({ name: 'mcpgw-bench', version: '0' }, { capabilities: {} });
  await client.connect(transport);
  return client;
}
