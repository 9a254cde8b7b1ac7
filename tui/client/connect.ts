import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stateFile } from '../../src/paths.js';
import { McpgwError } from '../../src/errors.js';
import { DaemonClient } from './client.js';
import { locateDaemon, mcpdEntry } from './locate.js';

export interface ConnectOptions {
  /** Start mcpd when none is running (every client command does, except `daemon stop/status`). */
  autoStart?: boolean;
  config?: string | undefined;
  reconnect?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Told when mcpd had to be started, so the user knows why the first command is slower. */
  onStarting?: () => void;
}

/** Connects to the user's mcpd, starting it first when asked to and none is running. */
export async function connectDaemon(opts: ConnectOptions = {}): Promise<DaemonClient> {
  const env = opts.env ?? process.env;
  let location = locateDaemon(env);
  if (!location.url) {
    if (!opts.autoStart) throw new McpgwError('not_found', 'mcpd is not running (start it with: mcpgw daemon start)');
    opts.onStarting?.();
    await startDaemonProcess(opts.config, env);
    location = locateDaemon(env);
  }
  if (!location.url) throw new McpgwError('internal', 'mcpd started but did not publish its address');
  if (!location.token)
    throw new McpgwError('unauthorized', `no token: set MCPGW_TOKEN or let mcpd create ${stateFile(location.stateDir, 'ownerToken')}`);
  return new DaemonClient({ url: location.url, token: location.token, reconnect: opts.reconnect ?? false }).connect();
}

/**
 * Starts mcpd in the background (detached, output to mcpd.out in the state dir) and waits until it has published
 * its address; a daemon that fails to start is reported with the last lines it wrote.
 */
export async function startDaemonProcess(config: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { stateDir } = locateDaemon(env);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const outFile = stateFile(stateDir, 'startOutput');
  const out = openSync(outFile, 'w', 0o600);
  const [command = 'mcpd', ...args] = mcpdEntry(env);
  const child = spawn(command, [...args, ...(config ? ['--config', path.resolve(config)] : [])], {
    detached: true,
    stdio: ['ignore', out, out],
    env,
  });
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.once('error', () => (exited = -1));
  child.unref();
  for (let i = 0; i < 300; i++) {
    if (locateDaemon(env).url) return;
    if (exited !== undefined) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const tail = readFileSync(outFile, 'utf8').trim().split('\n').slice(-5).join('\n  ');
  throw new McpgwError(
    'internal',
    `mcpd did not start${exited !== undefined ? ` (exit code ${exited})` : ''}:\n  ${tail || '(no output)'}`,
  );
}
