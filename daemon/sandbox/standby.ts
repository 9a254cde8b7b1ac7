import { createHash } from 'node:crypto';
import type { LaunchSpec } from '../config/launch.js';
import type { ServerConfig } from '../../src/config/catalog.js';
import { createSandboxContainer, type CreatedContainer } from './container.js';
import type { ContainerEngine } from './engine.js';
import type { SandboxNetworkLease, SandboxNetworks } from './network-hook.js';
import type { Placement, SandboxPlacement } from './runtime-choice.js';

/** A created, never-started container waiting for the next session that needs its server. */
export interface Standby {
  created: CreatedContainer;
  /** The egress network of a server with an allowlist, prepared with the container. */
  lease?: SandboxNetworkLease | undefined;
  fingerprint: string;
  madeAt: number;
}

/**
 * What a container was made from: the resolved launch (secrets and mounts as they are now), the image and the
 * placement. A start takes a standby only when its own fingerprint is the same, so a changed secret, a mount that
 * is now refused or a rebuilt image never reach a session through a container made earlier. Only the hash is kept.
 */
export function standbyFingerprint(launch: LaunchSpec, image: string, placement: Placement | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify({ launch, image, placement: placement ?? null }))
    .digest('hex');
}

/**
 * At most one standby container per server, following demand: one is made after a session has started that
 * server (so the next session's cold start skips image inspection, the engine's create and, for an allowlisted
 * server, setting up its network), and removed when nobody takes it within the idle timeout. While it waits it
 * costs no CPU and no memory: it has never run. A server nobody used never gets one.
 */
export class StandbyPool {
  private readonly waiting = new Map<string, Standby>();
  private readonly making = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    /** Removes a standby's container, then releases its network. */
    private readonly discard: (standby: Standby) => Promise<void>,
    private readonly onError: (server: string, err: unknown) => void,
  ) {}

  /** How many are waiting. */
  get size(): number {
    return this.waiting.size;
  }

  /** The server's standby if it was made from the same fingerprint; a stale one is removed instead. */
  take(server: string, fingerprint: string): Standby | undefined {
    const standby = this.waiting.get(server);
    if (!standby) return undefined;
    this.waiting.delete(server);
    if (standby.fingerprint === fingerprint) return standby;
    void this.discard(standby).catch((err: unknown) => this.onError(server, err));
    return undefined;
  }

  /**
   * Makes the server's standby in the background, unless one is waiting or being made; `make` may find there is
   * nothing to make (undefined). Settles when it is made, or not.
   */
  replenish(server: string, make: () => Promise<Standby | undefined>): Promise<void> {
    if (this.closed || this.waiting.has(server) || this.making.has(server)) return Promise.resolve();
    const making = make()
      .then(async (standby) => {
        if (!standby) return;
        if (this.closed || this.waiting.has(server)) return this.discard(standby);
        this.waiting.set(server, standby);
      })
      .catch((err: unknown) => this.onError(server, err))
      .finally(() => this.making.delete(server));
    this.making.set(server, making);
    return making;
  }

  /** Removes standbys that waited `maxAgeMs` or longer; returns how many. */
  async expire(maxAgeMs: number, now = Date.now()): Promise<number> {
    const old = [...this.waiting.entries()].filter(([, s]) => now - s.madeAt >= maxAgeMs);
    for (const [server] of old) this.waiting.delete(server);
    await Promise.allSettled(old.map(([server, s]) => this.discard(s).catch((err: unknown) => this.onError(server, err))));
    return old.length;
  }

  /** Settles once no standby is being made. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.making.values()]);
  }

  /** No more standbys; waits for those being made, then removes every one. */
  async closeAll(): Promise<void> {
    this.closed = true;
    await this.settled();
    await this.expire(0, Infinity);
  }
}

/** How a standby goes: its container, then its network (the engine refuses to remove a network with endpoints). */
export function removeStandby(engine: Pick<ContainerEngine, 'remove'>): (standby: Standby) => Promise<void> {
  return async ({ created, lease }) => {
    try {
      await engine.remove(created.id);
    } finally {
      await lease?.release();
    }
  };
}

export interface StandbyDeps {
  engine: ContainerEngine;
  instanceId: string;
  /** The session label of a container no session has taken yet. */
  label: string;
  resolveLaunch: (server: ServerConfig) => Promise<LaunchSpec>;
  placement?: SandboxPlacement | undefined;
  networks?: SandboxNetworks | undefined;
}

/** One standby of `server` on `image`, resolved and checked exactly as a start is (the start that takes it checks again). */
export async function makeStandby(deps: StandbyDeps, server: ServerConfig, image: string): Promise<Standby> {
  const launch = await deps.resolveLaunch(server);
  const placement = await deps.placement?.place(server);
  const lease = await deps.networks?.prepare(server, deps.label);
  try {
    const { engine, instanceId, label: sessionId } = deps;
    const created = await createSandboxContainer({
      engine,
      instanceId,
      server,
      launch,
      image,
      sessionId,
      placement,
      network: lease?.attachment,
    });
    return { created, lease, fingerprint: standbyFingerprint(launch, image, placement), madeAt: Date.now() };
  } catch (err) {
    await lease?.release();
    throw err;
  }
}
