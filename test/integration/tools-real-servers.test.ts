/**
 * The three reference MCP servers, spawned for real over stdio: every tool they list must compile into a
 * declaration Gemini accepts. With UPDATE_TOOL_FIXTURES=1 the captured lists are written to the fixtures that the
 * fast test (fixtures.test.ts) replays.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllCompiled, expectSameParameters, FIXTURE_DIR, toInputs, type ToolFixture } from '../helpers/tool-fixtures.js';

interface ServerSpec {
  server: string;
  package: string;
  args: (dir: string) => string[];
  env: (dir: string) => Record<string, string>;
}

const SERVERS: ServerSpec[] = [
  { server: 'everything', package: '@modelcontextprotocol/server-everything', args: () => ['stdio'], env: () => ({}) },
  { server: 'filesystem', package: '@modelcontextprotocol/server-filesystem', args: (dir) => [dir], env: () => ({}) },
  {
    server: 'memory',
    package: '@modelcontextprotocol/server-memory',
    args: () => [],
    env: (dir) => ({ MEMORY_FILE_PATH: join(dir, 'memory.jsonl') }),
  },
];

async function binOf(pkg: string): Promise<{ bin: string; version: string }> {
  const dir = fileURLToPath(new URL(`../../node_modules/${pkg}/`, import.meta.url));
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
    version: string;
    bin: string | Record<string, string>;
  };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin)[0];
  if (bin === undefined) throw new Error(`${pkg} declares no bin`);
  return { bin: join(dir, bin), version: manifest.version };
}

async function capture(spec: ServerSpec, dir: string): Promise<ToolFixture> {
  const { bin, version } = await binOf(spec.package);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, ...spec.args(dir)],
    env: spec.env(dir),
    cwd: dir,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'mcpgw-schema-test', version: '0.0.0' });
  try {
    await client.connect(transport);
    const tools: ToolFixture['tools'] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor });
      for (const t of page.tools) {
        // The allowed directory is a fresh temp dir; keep it out of the committed fixture.
        const description = t.description?.split(dir).join('<allowed-dir>');
        tools.push({ name: t.name, description, inputSchema: t.inputSchema, annotations: t.annotations });
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return { server: spec.server, package: spec.package, version, tools };
  } catch (err) {
    throw new Error(`${spec.server} failed: ${String(err)}\n${stderr}`, { cause: err });
  } finally {
    await client.close();
  }
}

describe('real MCP servers', () => {
  let dir: string;
  const captured = new Map<string, ToolFixture>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcpgw-tools-'));
    const lists = await Promise.all(SERVERS.map((spec) => capture(spec, dir)));
    for (const list of lists) captured.set(list.server, list);
    if (process.env.UPDATE_TOOL_FIXTURES === '1') {
      for (const list of lists) {
        await writeFile(new URL(`${list.server}.json`, FIXTURE_DIR), `${JSON.stringify(list, null, 2)}\n`);
      }
    }
  }, 60_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(SERVERS.map((s) => s.server))('compiles every tool of %s', (server) => {
    const fixture = captured.get(server);
    expect(fixture?.tools.length).toBeGreaterThan(0);
    const inputs = toInputs(fixture as ToolFixture);
    expectSameParameters(inputs, expectAllCompiled(inputs));
  });

  it('compiles the three servers together with unique names', () => {
    const inputs = [...captured.values()].flatMap(toInputs);
    const set = expectAllCompiled(inputs);
    expect(set.tools.map((t) => t.functionName)).toContain('filesystem__read_text_file');
    expect(set.tools.map((t) => t.functionName)).toContain('everything__get-sum');
  });
});
