import { spawn } from 'node:child_process';
import type { CommandIO } from '../io.js';
import { McpgwError } from '../../src/errors.js';
import { connectDaemon } from '../../tui/client/connect.js';
import type { GlobalOptions } from '../options.js';

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
 * `mcpgw web`: starts mcpd if needed and opens the browser client. The link carries a one-time code, never the
 * token: a browser's command line is readable by every local user (ps). mcpd issues the code over this client's
 * authenticated socket (after mcpd proved its identity); it works once, for about a minute, and the page trades it
 * for a browser credential. The code sits in the fragment, which is never sent over HTTP, and the page removes it
 * from the address bar. (The opened browser's command line still shows the code until it is used; `--print` keeps
 * it off every command line.)
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
  let issued: { code: string; expiresAt: number };
  try {
    await ensureWebBuilt(client.url);
    issued = await client.request('web:code', {});
  } finally {
    client.close();
  }
  const link = `${client.url}/#code=${encodeURIComponent(issued.code)}`;
  const expiresAt = issued.expiresAt;
  const opened = opts.print ? false : await (deps.openBrowser ?? openBrowser)(link);
  if (opts.json) {
    io.out(JSON.stringify({ url: link, opened, expiresAt }));
    return 0;
  }
  io.out(link);
  io.err(`The link works once, until ${new Date(expiresAt).toLocaleTimeString()}; the browser that opens it acts as you.`);
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
