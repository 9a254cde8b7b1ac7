import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, watchFile, unwatchFile } from 'node:fs';
import path from 'node:path';
import type { CommandIO } from '../io.js';
import { McpgwError } from '../../src/errors.js';
import { EXIT } from '../../src/exit-codes.js';
import { stateFile } from '../../src/paths.js';
import type { DaemonStatus } from '../../src/protocol/session.js';
import { startDaemonProcess, connectDaemon } from '../../tui/client/connect.js';
import { isRunning, locateDaemon, mcpdEntry } from '../../tui/client/locate.js';
import type { GlobalOptions } from '../options.js';

/** `mcpgw daemon start [--foreground]`. */
export async function daemonStart(opts: GlobalOptions & { foreground?: boolean }, io: CommandIO): Promise<number> {
  const running = locateDaemon();
  if (running.url) {
    io.out(`mcpd is already running at ${running.url} (pid ${running.pid ?? '?'})`);
    return 0;
  }
  if (opts.foreground) {
    const [command = 'mcpd', ...args] = mcpdEntry();
    const child = spawn(command, [...args, ...(opts.config ? ['--config', path.resolve(opts.config)] : []), '--log-stderr'], {
      stdio: 'inherit',
    });
    const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? EXIT.failure)));
  }
  await startDaemonProcess(opts.config);
  const started = locateDaemon();
  io.out(`mcpd started at ${started.url} (pid ${started.pid}); logs: mcpgw daemon logs`);
  return 0;
}

/** `mcpgw daemon stop`: SIGTERM, then wait until it has removed its containers and exited. */
export async function daemonStop(_opts: GlobalOptions, io: CommandIO): Promise<number> {
  const { pid, url } = locateDaemon();
  if (!url || pid === undefined) {
    io.out('mcpd is not running.');
    return 0;
  }
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 300 && isRunning(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (isRunning(pid)) throw new McpgwError('internal', `mcpd (pid ${pid}) did not stop within 30s`);
  io.out(`mcpd stopped (pid ${pid}).`);
  return 0;
}

/** `mcpgw daemon status [--json]`. */
export async function daemonStatus(opts: GlobalOptions, io: CommandIO): Promise<number> {
  if (!locateDaemon().url) {
    if (opts.json) io.out(JSON.stringify({ running: false }));
    else io.out('mcpd is not running.');
    return EXIT.daemon;
  }
  const client = await connectDaemon({ autoStart: false });
  try {
    const s = await client.request('daemon:status', {});
    io.out(opts.json ? JSON.stringify({ running: true, ...s }, null, 2) : statusText(s));
    return 0;
  } finally {
    client.close();
  }
}

/** `daemon status` in words; a loosening in force comes right under the first line, in capitals, never at the end. */
export function statusText(s: DaemonStatus): string {
  return [
    `mcpd ${s.version} running at ${s.url} (pid ${s.pid}, up ${s.uptimeSeconds}s)`,
    ...(s.loosened ?? []).map((line) => `LOOSENED: ${line}`),
    `sessions: ${s.sessions.active} active, ${s.sessions.idle} idle, ${s.sessions.ended} ended (yours, ${s.user})`,
    `containers: ${s.containers.running} running (${s.containers.pooled} in the warm pool), ${s.containers.standby ?? 0} on standby, ${s.containers.starting} starting, ${s.containers.queued} queued, cap ${s.containers.capacity}`,
    ...runtimesLine(s.containers.runtimes),
    `redis: ${s.redis.private ? 'private ' : ''}${s.redis.url} (${s.redis.connected ? 'connected' : 'DISCONNECTED'})`,
    ...(s.engine ? [`engine: ${s.engine.name}${s.engine.version ? ` ${s.engine.version}` : ''} at ${s.engine.endpoint}`] : []),
  ].join('\n');
}

/** `mcpgw daemon logs [-f] [-n N] [--json]`: the daemon's JSON-lines log, readable. */
export async function daemonLogs(opts: GlobalOptions & { follow?: boolean; lines?: string }, io: CommandIO): Promise<number> {
  const file = stateFile(locateDaemon().stateDir, 'log');
  if (!existsSync(file)) {
    io.out(`No log yet (${file}).`);
    return 0;
  }
  const count = Number(opts.lines ?? 50);
  const format = (line: string): string => (opts.json ? line : readable(line));
  const text = readFileSync(file, 'utf8');
  for (const line of text.split('\n').filter(Boolean).slice(-count)) io.out(format(line));
  if (!opts.follow) return 0;
  let offset = statSync(file).size;
  watchFile(file, { interval: 250 }, () => {
    const size = statSync(file).size;
    if (size < offset) offset = 0;
    const chunk = readFileSync(file).subarray(offset, size).toString('utf8');
    offset = size;
    for (const line of chunk.split('\n').filter(Boolean)) io.out(format(line));
  });
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  unwatchFile(file);
  return 0;
}

function readable(line: string): string {
  try {
    const { time, level, msg, ...fields } = JSON.parse(line) as Record<string, unknown>;
    const rest = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    return `${String(time).slice(11, 23)} ${String(level).toUpperCase().padEnd(5)} ${String(msg)}${rest}`;
  } catch {
    return line;
  }
}

/** "runtimes: runsc 2 (gVisor), runc 1" for the containers running now; nothing when none runs. */
function runtimesLine(runtimes: Record<string, number> | undefined): string[] {
  const entries = Object.entries(runtimes ?? {}).filter(([, n]) => n > 0);
  if (entries.length === 0) return [];
  return [`runtimes: ${entries.map(([name, n]) => `${name} ${n}${name.startsWith('runsc') ? ' (gVisor)' : ''}`).join(', ')}`];
}
