import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { McpgwError } from '../../src/errors.js';
import type { Logger } from '../logger.js';

export interface PrivateRedisOptions {
  dir: string;
  fsync: 'everysec' | 'always';
  /** Bytes; see MEMORY_POLICY. */
  maxMemory: number;
  binary?: string;
  log: Logger;
}

/**
 * What Redis does at its memory cap: refuse writes. Everything mcpd keeps is session state (logs, history,
 * approvals, rules, audit), and an evicting policy would drop some of it silently; the only keys with a TTL are
 * the one-time keys of resent writes, and evicting those early would let a resent write apply twice. So a full
 * Redis fails writes loudly instead (a `capacity` error naming the cause), while the byte caps on events and
 * session logs keep a single hostile server far from the cap.
 */
const MEMORY_POLICY = 'noeviction';

/**
 * A redis-server owned by mcpd: unix socket only (no TCP port), append-only file (fsync per the `redisFsync`
 * setting), a memory cap with MEMORY_POLICY, restarted with backoff if it dies.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restarts = 0;
  readonly socketPath: string;

  constructor(private readonly opts: PrivateRedisOptions) {
    this.socketPath = path.join(opts.dir, 'redis.sock');
  }

  get url(): string {
    return `redis+unix://${this.socketPath}`;
  }

  /** Starts redis-server and waits until it accepts connections. */
  async start(): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true, mode: 0o700 });
    // A daemon killed with SIGKILL leaves its redis-server running on the socket: adopt it rather than start a
    // second server on the same append-only file.
    if (await pings(this.socketPath)) {
      this.opts.log.info('adopted the private redis-server left running by a previous daemon', { socket: this.socketPath });
      // It runs with the previous daemon's settings: apply this one's.
      await send(this.socketPath, `CONFIG SET maxmemory ${this.opts.maxMemory}\r\n`);
      await send(this.socketPath, `CONFIG SET maxmemory-policy ${MEMORY_POLICY}\r\n`);
      return;
    }
    await this.spawnOnce();
  }

  private async spawnOnce(): Promise<void> {
    const args = [
      '--port',
      '0',
      '--unixsocket',
      this.socketPath,
      '--unixsocketperm',
      '700',
      '--dir',
      this.opts.dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      this.opts.fsync,
      '--maxmemory',
      String(this.opts.maxMemory),
      '--maxmemory-policy',
      MEMORY_POLICY,
      '--save',
      '',
      '--daemonize',
      'no',
      '--protected-mode',
      'yes',
      '--loglevel',
      'warning',
      '--logfile',
      '',
    ];
    const child = spawn(this.opts.binary ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const spawnError = once(child, 'error').then(([err]) => {
      const e = err as NodeJS.ErrnoException;
      throw e.code === 'ENOENT'
        ? new McpgwError(
            'redis_unavailable',
            'redis-server is not installed: install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL to an existing Redis',
          )
        : new McpgwError('redis_unavailable', `cannot start redis-server: ${e.message}`);
    });
    const exited = once(child, 'exit').then(() => {
      throw new McpgwError('redis_unavailable', `redis-server exited during start: ${output.trim().split('\n').slice(-3).join(' | ')}`);
    });
    const ready = (async () => {
      for (let i = 0; i < 100 && child.exitCode === null; i++) {
        if (await pings(this.socketPath)) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new McpgwError('redis_unavailable', `redis-server did not answer on ${this.socketPath}: ${output.trim().slice(-300)}`);
    })();
    await Promise.race([ready, spawnError, exited]);
    exited.catch(() => undefined);
    spawnError.catch(() => undefined);
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      this.opts.log.error('private redis-server exited; restarting', { code, signal, output: output.slice(-500) });
      const delay = Math.min(5000, 200 * 2 ** this.restarts++);
      setTimeout(() => void this.spawnOnce().catch((err: unknown) => this.opts.log.error('redis restart failed', { err })), delay).unref();
    });
  }

  /** Stops redis-server gracefully: SHUTDOWN makes it flush the append-only file first. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    const exited = child && child.exitCode === null && child.signalCode === null ? once(child, 'exit') : undefined;
    await send(this.socketPath, 'SHUTDOWN\r\n');
    if (exited && child) {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      return;
    }
    for (let i = 0; i < 100 && (await pings(this.socketPath)); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** True when a Redis server answers PING on the unix socket. */
async function pings(socketPath: string): Promise<boolean> {
  return (await send(socketPath, 'PING\r\n')).startsWith('+PONG');
}

/** Sends one inline command on a fresh connection; returns the first reply ('' when there is none). */
function send(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection(socketPath);
    const done = (value: string): void => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(500, () => done(''));
    socket.once('error', () => done(''));
    socket.once('close', () => done(''));
    socket.once('connect', () => socket.write(command));
    socket.once('data', (data) => done(data.toString()));
  });
}
