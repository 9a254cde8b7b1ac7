import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

/** A real redis-server owned by a test, on a unix socket with an append-only file, that can be restarted. */
export class TestRedis {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'mcpgw-redis-'));
  readonly socket = path.join(this.dir, 'redis.sock');
  private child: ChildProcess | undefined;

  get url(): string {
    return `redis://${encodeURIComponent(this.socket)}`;
  }

  /** Connection options for ioredis (a unix socket path). */
  get path(): string {
    return this.socket;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', '0', '--unixsocket', this.socket, '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
      { stdio: 'ignore' },
    );
    this.child = child;
    const probe = new Redis({ path: this.socket, lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: null });
    probe.on('error', () => undefined);
    await probe.connect().catch(() => undefined);
    await probe.ping();
    probe.disconnect();
  }

  /** Graceful stop: SHUTDOWN writes the append-only file, as a restarted production Redis would. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
