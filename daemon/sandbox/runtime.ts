import type { ServerConfig } from '../../src/config/catalog.js';
import { McpgwError } from '../../src/errors.js';
import type { ContainerEngine } from './engine.js';
import { LABELS } from './labels.js';
import { Sandbox, type SandboxExit } from './sandbox.js';
import { Semaphore } from './semaphore.js';

export interface SandboxRuntimeOptions {
  engine: ContainerEngine;
  instanceId: string;
  /** Resolves (and builds, if allowed) the image a server runs. */
  resolveImage: (server: ServerConfig) => Promise<string>;
  maxContainers: number;
  maxConcurrentStarts: number;
  maxMessageBytes: number;
  startTimeoutMs: number;
  /** How long a start may wait in the queue for a free slot under the global cap. */
  queueTimeoutMs?: number;
  closeGraceMs?: number;
  onLog?: (sessionId: string, server: string, line: string) => void;
  onExit?: (sessionId: string, server: string, exit: SandboxExit) => void;
}

const key = (sessionId: string, server: string): string => `${sessionId}\u0000${server}`;

/**
 * Owns every sandbox of this process: one per (session, server), started at most once at a time, under a global
 * cap with a FIFO queue and a bound on starts in flight (starts are CPU-bound).
 */
export class SandboxRuntime {
  private readonly live = new Map<string, Sandbox>();
  private readonly starting = new Map<string, Promise<Sandbox>>();
  private readonly slots: Semaphore;
  private readonly starts: Semaphore;
  private readonly slotRelease = new Map<Sandbox, () => void>();

  constructor(private readonly opts: SandboxRuntimeOptions) {
    this.slots = new Semaphore(opts.maxContainers);
    this.starts = new Semaphore(opts.maxConcurrentStarts);
  }

  /** Counts for status displays. */
  stats(): { running: number; starting: number; queued: number; capacity: number } {
    return { running: this.live.size, starting: this.starting.size, queued: this.slots.queued, capacity: this.slots.capacity };
  }

  /** The live sandbox for (session, server), if one is ready. */
  get(sessionId: string, server: string): Sandbox | undefined {
    const sandbox = this.live.get(key(sessionId, server));
    return sandbox?.state === 'ready' ? sandbox : undefined;
  }

  /** Every sandbox this process holds, for listing and reaping. */
  list(): Sandbox[] {
    return [...this.live.values()];
  }

  /** Returns the session's sandbox for a server, starting it if needed; concurrent callers share one start. */
  acquire(sessionId: string, server: ServerConfig, signal?: AbortSignal): Promise<Sandbox> {
    const k = key(sessionId, server.name);
    const existing = this.live.get(k);
    if (existing?.state === 'ready') return Promise.resolve(existing);
    let pending = this.starting.get(k);
    if (!pending) {
      pending = this.startNew(sessionId, server, signal).finally(() => this.starting.delete(k));
      this.starting.set(k, pending);
    }
    return pending;
  }

  private async startNew(sessionId: string, server: ServerConfig, signal?: AbortSignal): Promise<Sandbox> {
    const k = key(sessionId, server.name);
    const stale = this.live.get(k);
    if (stale) await this.retire(k, stale);
    const what = `starting "${server.name}"`;
    const releaseSlot = await this.slots.acquire({ timeoutMs: this.opts.queueTimeoutMs ?? 60_000, what, ...(signal ? { signal } : {}) });
    let sandbox: Sandbox;
    try {
      const image = await this.opts.resolveImage(server);
      const releaseStart = await this.starts.acquire({ what, ...(signal ? { signal } : {}) });
      try {
        sandbox = await Sandbox.start({
          engine: this.opts.engine,
          server,
          image,
          sessionId,
          instanceId: this.opts.instanceId,
          maxMessageBytes: this.opts.maxMessageBytes,
          startTimeoutMs: this.opts.startTimeoutMs,
          ...(this.opts.closeGraceMs === undefined ? {} : { closeGraceMs: this.opts.closeGraceMs }),
          onLog: (line) => this.opts.onLog?.(sessionId, server.name, line),
          onExit: (exit) => this.handleExit(k, exit),
        });
      } finally {
        releaseStart();
      }
    } catch (err) {
      releaseSlot();
      throw err;
    }
    this.slotRelease.set(sandbox, releaseSlot);
    this.live.set(k, sandbox);
    return sandbox;
  }

  private handleExit(k: string, exit: SandboxExit): void {
    const sandbox = this.live.get(k);
    if (!sandbox) return;
    const [sessionId = '', server = ''] = k.split('\u0000');
    this.opts.onExit?.(sessionId, server, exit);
    // A crashed sandbox is removed right away; the next acquire starts a fresh one.
    if (!exit.expected) void this.retire(k, sandbox);
  }

  private async retire(k: string, sandbox: Sandbox): Promise<void> {
    if (this.live.get(k) === sandbox) this.live.delete(k);
    try {
      await sandbox.close();
    } finally {
      this.slotRelease.get(sandbox)?.();
      this.slotRelease.delete(sandbox);
    }
  }

  /** Stops and removes one session's sandboxes (all of them, or one server's). */
  async release(sessionId: string, server?: string): Promise<number> {
    const victims = [...this.live.entries()].filter(([, s]) => s.sessionId === sessionId && (server === undefined || s.server.name === server));
    await Promise.allSettled(victims.map(([k, s]) => this.retire(k, s)));
    return victims.length;
  }

  /** Removes sandboxes unused for longer than `idleMs`; returns the (session, server) pairs it reaped. */
  async reapIdle(idleMs: number, now = Date.now()): Promise<Array<{ sessionId: string; server: string }>> {
    const idle = [...this.live.entries()].filter(([, s]) => now - s.lastUsedAt >= idleMs);
    await Promise.allSettled(idle.map(([k, s]) => this.retire(k, s)));
    return idle.map(([, s]) => ({ sessionId: s.sessionId, server: s.server.name }));
  }

  /** Closes everything this process started; waits for in-flight starts so none is left behind. */
  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.starting.values()]);
    await Promise.allSettled([...this.live.entries()].map(([k, s]) => this.retire(k, s)));
  }

  /**
   * Removes containers labelled as ours whose owning process is gone (a crashed daemon or CLI). Containers of
   * live owners, this one included, are left alone.
   */
  async purgeOrphans(isAlive: (instanceId: string) => Promise<boolean>): Promise<string[]> {
    const removed: string[] = [];
    const containers = await this.opts.engine.listManaged();
    await Promise.all(
      containers.map(async (c) => {
        const owner = c.labels[LABELS.instance] ?? '';
        if (owner === this.opts.instanceId || (owner && (await isAlive(owner)))) return;
        await this.opts.engine.remove(c.id);
        removed.push(c.name);
      }),
    );
    return removed;
  }
}

/** Thrown by callers that need a server the catalog does not have. */
export function unknownServer(name: string, known: Iterable<string>): McpgwError {
  return new McpgwError('not_found', `no server named "${name}" (configured: ${[...known].join(', ') || 'none'})`);
}
