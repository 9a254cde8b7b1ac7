import { spawn } from 'node:child_process';
import type { CommandIO } from '../../src/cli/io.js';
import { McpgwError } from '../../src/errors.js';
import { connectDaemon } from '../client/connect.js';
import { locateDaemon } from '../client/locate.js';
import type { GlobalOptions } from './common.js';

export interface WebOptions extends GlobalOptions {
  /** Only print the link; do not start a browser. */
  print?: boolean;
}

export interface WebDeps {
  env?: NodeJS.ProcessEnv;
  /** Opens a link in the user's browser; resolves whether a browser could be started. */
  openBrowser?: (url: string) => Promise<boolean>;
}

/**
 * `mcpgw web`: starts mcpd if needed and opens the browser client. The link carries the user's token in its
 * fragment (never sent over HTTP, removed from the address bar by the page), because mcpd admits no one without it.
 */
export async function webOpen(opts: WebOptions, io: CommandIO, deps: WebDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const client = await connectDaemon({
    autoStart: true,
    config: opts.config,
    env,
    onStarting: () => {
      if (!opts.json) io.err('mcpd is not running; starting it…');
    },
  });
  client.close();
  const { url, token, stateDir } = locateDaemon(env);
  if (!url || !token) throw new McpgwError('internal', `mcpd is running but its address or token is not readable in ${stateDir}`);
  await ensureWebBuilt(url);
  const link = `${url}/#token=${encodeURIComponent(token)}`;
  const opened = opts.print ? false : await (deps.openBrowser ?? openBrowser)(link);
  if (opts.json) {
    io.out(JSON.stringify({ url: link, opened }));
    return 0;
  }
  io.out(link);
  io.err('This link carries your mcpd token: whoever has it can run tools as you. Open it only in your own browser.');
  if (!opts.print && !opened) io.err('Could not start a browser (xdg-open / open); open the link above yourself.');
  return 0;
}

/** Fails clearly when mcpd serves no web client (a source checkout where `npm run build:web` has not run). */
async function ensureWebBuilt(url: string): Promise<void> {
  const response = await fetch(`${url}/`).catch((err: unknown) => {
    throw new McpgwError('internal', `cannot reach mcpd at ${url}: ${(err as Error).message}`);
  });
  const body = await response.text();
  if (response.status === 404 && /not built/.test(body)) {
    throw new McpgwError('not_found', 'mcpd has no web client to serve: run `npm run build:web`, then restart mcpd (mcpgw daemon stop)');
  }
}

/** Hands the link to the desktop's opener; a missing opener or a headless machine is not an error. */
export function openBrowser(url: string): Promise<boolean> {
  const command = process.platform === 'darwin' ? 'open' : 'xdg-open';
  return new Promise((resolve) => {
    const child = spawn(command, [url], { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
