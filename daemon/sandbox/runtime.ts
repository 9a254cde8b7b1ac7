import type { ServerConfig } from '../../src/config/catalog.js';
import type { LaunchSpec } from '../config/launch.js';
import { isAllowlist } from '../../src/config/egress.js';
import { McpgwError } from '../../src/errors.js';
import type { ContainerEngine } from './engine.js';
import type { SandboxNetworkLease, SandboxNetworks } from './network-hook.js';
import type { SandboxPeer } from './peer.js';
import type { SandboxPlacement } from './runtime-choice.js';
import { Sandbox, type SandboxExit } from './sandbox.js';
import { createSandboxContainer } from './container.js';
import { Semaphore } from './semaphore.js';
import { StandbyPool, makeStandby, removeStandby, standbyFingerprint } from './standby.js';
import { purgeOrphanContainers } from './orphans.js';
import { WarmPool } from './warm-pool.js';

export interface SandboxRuntimeOptions {
  engine: ContainerEngine;
  instanceId: string;
  /** Resolves (and builds, if allowed) the image a server runs; `sessionId` says who is waiting for it. */
  resolveImage: (server: ServerConfig, sessionId: string) => Promise<string>;
  /** Expands the server's secrets and re-checks its mounts just before its container is created. */
  resolveLaunch: (server: ServerConfig) => Promise<LaunchSpec>;
  maxContainers: number;
  maxConcurrentStarts: number;
  maxMessageBytes: number;
  startTimeoutMs: number;
  /** How long a start may wait in the queue for a free slot under the global cap. */
  queueTimeoutMs?: number;
  closeGraceMs?: number;
  /** Prepares egress networks for servers with an allowlist; without it such servers fail to start. */
  networks?: SandboxNetworks;
  /** Answers what servers ask the client (daemon/peer); every sandbox gets the same one. */
  peer?: SandboxPeer;
  /** Picks each sandbox's runtime (runc, gVisor); without it: the engine's default. */
  placement?: SandboxPlacement;
  /** Keep a created, never-started container of each server sessions use for the next session (standby.ts). */
  standby?: boolean;
  onLog?: (sessionId: string, server: string, line: string) => void;
  onExit?: (sessionId: string, server: string, exit: SandboxExit, containerId: string) => void;
  onStarted?: (sessionId: string, server: string, containerId: string) => void;
}

/** The session label of warm-pool sandboxes until one is handed to a session. */
export const POOL_SESSION = 'pool';

const key = (sessionId: string, server: string): string => `${sessionId}\u0000${server}`;

/**
 * Owns every sandbox of this process: one per (session, server), started at most once at a time, under a global
 * cap with a FIFO queue and a bound on starts in flight (starts are CPU-bound). An optional warm pool keeps
 * initialised sandboxes ready per server; each is handed to exactly one session and never returns to the pool.
 */
export class SandboxRuntime {
  private readonly live = new Map<string, Sandbox>();
  private readonly starting = new Map<string, Promise<Sandbox>>();
  private readonly pool: WarmPool;
  private readonly slots: Semaphore;
  private readonly starts: Semaphore;
  private readonly slotRelease = new Map<Sandbox, () => void>();
  private readonly leases = new Map<Sandbox, SandboxNetworkLease>();
  private readonly standby: StandbyPool | undefined;
  private closed = false;

  constructor(private readonly opts: SandboxRuntimeOptions) {
    this.slots = new Semaphore(opts.maxContainers);
    this.starts = new Semaphore(opts.maxConcurrentStarts);
    this.pool = new WarmPool(
      (server) => this.startSandbox(POOL_SESSION, server),
      (sandbox) => this.discard(sandbox),
      (server, err) => opts.onLog?.(POOL_SESSION, server, `[mcpgw] warm-pool start failed: ${(err as Error).message}`),
    );
    this.standby = opts.standby
      ? new StandbyPool(removeStandby(opts.engine), (server, err) =>
          opts.onLog?.(POOL_SESSION, server, `[mcpgw] standby container: ${(err as Error).message}`),
        )
      : undefined;
  }

  /** Counts for status displays. */
  stats(): {
    running: number;
    starting: number;
    queued: number;
    capacity: number;
    pooled: number;
    standby: number;
    runtimes: Record<string, number>;
  } {
    const pooledList = this.pool.sandboxes();
    const runtimes: Record<string, number> = {};
    for (const s of [...this.live.values(), ...pooledList]) runtimes[s.runtime] = (runtimes[s.runtime] ?? 0) + 1;
    return {
      running: this.live.size,
      starting: this.starting.size,
      queued: this.slots.queued,
      capacity: this.slots.capacity,
      pooled: pooledList.length,
      standby: this.standby?.size ?? 0,
      runtimes,
    };
  }

  /** The live sandbox for (session, server), if one is ready. */
  get(sessionId: string, server: string): Sandbox | undefined {
    const sandbox = this.live.get(key(sessionId, server));
    return sandbox?.state === 'ready' ? sandbox : undefined;
  }

  /** True while a sandbox for (session, server) is being started. */
  isStarting(sessionId: string, server: string): boolean {
    return this.starting.has(key(sessionId, server));
  }

  /** Sandboxes running or starting for the sessions `mine` selects (per-user container quotas). */
  countFor(mine: (sessionId: string) => boolean): number {
    let n = 0;
    for (const s of this.live.values()) if (mine(s.sessionId)) n++;
    // A start that replaces a stale live sandbox is counted once: the stale one leaves `live` before it finishes.
    for (const k of this.starting.keys()) if (!this.live.has(k) && mine(k.split('\u0000')[0] ?? '')) n++;
    return n;
  }

  /** Every sandbox bound to a session. */
  list(): Sandbox[] {
    return [...this.live.values()];
  }

  /** Returns the session's sandbox for a server, starting it (or taking a pooled one) if needed. */
  acquire(sessionId: string, server: ServerConfig, signal?: AbortSignal): Promise<Sandbox> {
    if (this.closed) return Promise.reject(new McpgwError('cancelled', 'the sandbox runtime is shutting down'));
    const k = key(sessionId, server.name);
    const existing = this.live.get(k);
    if (existing?.state === 'ready') return Promise.resolve(existing);
    let pending = this.starting.get(k);
    if (!pending) {
      pending = this.obtain(sessionId, server, signal).finally(() => this.starting.delete(k));
      this.starting.set(k, pending);
    }
    return pending;
  }

  private async obtain(sessionId: string, server: ServerConfig, signal?: AbortSignal): Promise<Sandbox> {
    const k = key(sessionId, server.name);
    const stale = this.live.get(k);
    if (stale) await this.retire(k, stale);
    const pooled = this.pool.take(server.name);
    const sandbox = pooled ?? (await this.startSandbox(sessionId, server, signal));
    if (pooled) {
      pooled.bind(sessionId);
      this.leases.get(pooled)?.bind(sessionId);
    }
    this.live.set(k, sandbox);
    this.opts.onStarted?.(sessionId, server.name, sandbox.containerId);
    return sandbox;
  }

  private async startSandbox(sessionId: string, server: ServerConfig, signal?: AbortSignal): Promise<Sandbox> {
    const what = `starting "${server.name}"`;
    const releaseSlot = await this.slots.acquire({ timeoutMs: this.opts.queueTimeoutMs ?? 60_000, what, ...(signal ? { signal } : {}) });
    try {
      // A missing secret or a refused mount fails the start before any image is built.
      const launch = await this.opts.resolveLaunch(server);
      // A runtime the engine lacks fails here too, before any image is built.
      const placement = await this.opts.placement?.place(server);
      const image = await this.opts.resolveImage(server, sessionId);
      const releaseStart = await this.starts.acquire({ what, ...(signal ? { signal } : {}) });
      const fingerprint = this.standby && standbyFingerprint(launch, image, placement);
      const standby = fingerprint ? this.standby?.take(server.name, fingerprint) : undefined;
      let lease: SandboxNetworkLease | undefined = standby?.lease;
      try {
        lease ??= await this.opts.networks?.prepare(server, sessionId);
        // A standby's network was made for no session: its egress is this session's from the first packet.
        if (standby) lease?.bind(sessionId);
        const { engine, instanceId } = this.opts;
        const input = { engine, instanceId, server, launch, image, sessionId, placement, network: lease?.attachment };
        const created = standby?.created ?? (await createSandboxContainer(input));
        // The callbacks read the sandbox's session when they fire: a pooled sandbox changes hands once.
        let self: Sandbox | undefined;
        const sandbox = await Sandbox.boot(created, {
          engine: this.opts.engine,
          server,
          image,
          sessionId,
          instanceId: this.opts.instanceId,
          maxMessageBytes: this.opts.maxMessageBytes,
          startTimeoutMs: this.opts.startTimeoutMs,
          ...(this.opts.closeGraceMs === undefined ? {} : { closeGraceMs: this.opts.closeGraceMs }),
          onLog: (line) => this.opts.onLog?.(self?.sessionId ?? sessionId, server.name, line),
          onExit: (exit) => self && this.handleExit(self, exit),
          network: lease?.attachment,
          peer: this.opts.peer,
          placement,
        });
        self = sandbox;
        this.slotRelease.set(sandbox, releaseSlot);
        if (lease) this.leases.set(sandbox, lease);
        // The next session's start of this server: made now that this one is ready, not while it boots. A server
        // with a warm pool has its starts hidden already.
        if (fingerprint && sessionId !== POOL_SESSION && !this.pool.has(server.name)) void this.makeStandby(server);
        return sandbox;
      } catch (err) {
        await lease?.release();
        throw err;
      } finally {
        releaseStart();
      }
    } catch (err) {
      releaseSlot();
      throw err;
    }
  }

  /**
   * Standbys for servers no session has started yet (mcpd's start), one after another, for those whose image is
   * already there (`findImage` never builds) and which need no egress network of their own. Those nobody takes go
   * with the idle timeout; from then on a server gets one only after it is used.
   */
  async primeStandbys(servers: Iterable<ServerConfig>, findImage: (server: ServerConfig) => Promise<string | undefined>): Promise<void> {
    for (const server of servers) {
      if (this.closed || !this.standby) return;
      if (this.pool.has(server.name) || isAllowlist(server.network)) continue;
      await this.makeStandby(server, findImage);
    }
  }

  /** A standby for `server`, resolved and checked exactly as a start is (the start that takes it checks again). */
  private makeStandby(
    server: ServerConfig,
    findImage: (server: ServerConfig) => Promise<string | undefined> = (s) => this.opts.resolveImage(s, POOL_SESSION),
  ): Promise<void> {
    if (this.closed || !this.standby) return Promise.resolve();
    return this.standby.replenish(server.name, async () => {
      const image = await findImage(server);
      return image === undefined ? undefined : makeStandby({ ...this.opts, label: POOL_SESSION }, server, image);
    });
  }

  private handleExit(sandbox: Sandbox, exit: SandboxExit): void {
    const k = key(sandbox.sessionId, sandbox.server.name);
    if (this.live.get(k) !== sandbox) {
      // A pooled sandbox died before anyone took it.
      if (!exit.expected) void this.discard(sandbox).then(() => this.pool.refill(sandbox.server.name));
      return;
    }
    this.opts.onExit?.(sandbox.sessionId, sandbox.server.name, exit, sandbox.containerId);
    // A crashed sandbox is removed right away; the next acquire starts a fresh one.
    if (!exit.expected) void this.retire(k, sandbox);
  }

  private async retire(k: string, sandbox: Sandbox): Promise<void> {
    if (this.live.get(k) === sandbox) this.live.delete(k);
    await this.discard(sandbox);
  }

  private async discard(sandbox: Sandbox): Promise<void> {
    this.pool.remove(sandbox);
    try {
      await sandbox.close();
    } finally {
      // The network goes after its container: Docker refuses to remove a network that still has endpoints.
      await this.leases.get(sandbox)?.release();
      this.leases.delete(sandbox);
      this.slotRelease.get(sandbox)?.();
      this.slotRelease.delete(sandbox);
    }
  }

  /** Keeps `size` initialised sandboxes of a server ready for sessions that have none yet. */
  warm(server: ServerConfig, size: number): void {
    this.pool.keep(server, size);
  }

  /** Settles once no warm-pool refill and no standby is being made (background work started so far). */
  async settled(): Promise<void> {
    await Promise.allSettled([this.pool.settled(), this.standby?.settled()]);
  }

  /** Stops and removes one session's sandboxes (all of them, or one server's). */
  async release(sessionId: string, server?: string): Promise<number> {
    const victims = [...this.live.entries()].filter(
      ([, s]) => s.sessionId === sessionId && (server === undefined || s.server.name === server),
    );
    await Promise.allSettled(victims.map(([k, s]) => this.retire(k, s)));
    return victims.length;
  }

  /** Removes sandboxes idle (nothing in flight) for at least `idleMs`; returns what it reaped. */
  async reapIdle(idleMs: number, now = Date.now()): Promise<Array<{ sessionId: string; server: string; containerId: string }>> {
    const idle = [...this.live.entries()].filter(([, s]) => s.inFlight === 0 && now - s.lastUsedAt >= idleMs);
    // Standbys nobody took within the idle timeout go too: demand for their server has passed.
    await Promise.allSettled([...idle.map(([k, s]) => this.retire(k, s)), this.standby?.expire(idleMs, now)]);
    return idle.map(([, s]) => ({ sessionId: s.sessionId, server: s.server.name, containerId: s.containerId }));
  }

  /**
   * Shuts the runtime down: no new starts, no pool refills; waits for starts in flight (the pool's too) so none is
   * left behind, then removes every container this process started.
   */
  async closeAll(): Promise<void> {
    this.closed = true;
    const [pooled] = await Promise.all([this.pool.close(), Promise.allSettled([...this.starting.values()])]);
    await Promise.allSettled([
      ...[...this.live.entries()].map(([k, s]) => this.retire(k, s)),
      ...pooled.map((s) => this.discard(s)),
      this.standby?.closeAll(),
    ]);
    await this.opts.networks?.close();
  }

  /**
   * Removes containers labelled as ours whose owning process is gone (a crashed daemon or CLI), then their egress
   * networks. Those of live owners, this one included, are left alone.
   */
  async purgeOrphans(isAlive: (instanceId: string) => Promise<boolean>): Promise<string[]> {
    const removed = await purgeOrphanContainers(this.opts.engine, this.opts.instanceId, isAlive);
    if (this.opts.networks) removed.push(...(await this.opts.networks.purgeOrphans(isAlive)));
    return removed;
  }
}
