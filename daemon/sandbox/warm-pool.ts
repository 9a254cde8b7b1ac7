import type { ServerConfig } from '../../src/config/catalog.js';
import type { Sandbox } from './sandbox.js';

/**
 * Initialised sandboxes kept ready per server (`daemon.warmPool`), for sessions that have none yet. Each is handed
 * to exactly one session and never comes back; taking one starts its replacement. A pooled sandbox that died
 * before anyone took it is discarded and replaced.
 */
export class WarmPool {
  private readonly ready = new Map<string, Sandbox[]>();
  private readonly targets = new Map<string, { server: ServerConfig; size: number; filling: number }>();
  private readonly filling = new Set<Promise<void>>();
  private closed = false;

  constructor(
    /** Starts a sandbox for no session yet. */
    private readonly start: (server: ServerConfig) => Promise<Sandbox>,
    /** Closes and removes one, releasing what it holds. */
    private readonly discard: (sandbox: Sandbox) => Promise<void>,
    private readonly onError: (server: string, err: unknown) => void,
  ) {}

  /** Keeps `size` sandboxes of `server` ready. */
  keep(server: ServerConfig, size: number): void {
    this.targets.set(server.name, { server, size, filling: 0 });
    this.refill(server.name);
  }

  /** True when `server` has a pool (its starts are hidden already). */
  has(server: string): boolean {
    return this.targets.has(server);
  }

  /** Every sandbox waiting in a pool. */
  sandboxes(): Sandbox[] {
    return [...this.ready.values()].flat();
  }

  /** A ready sandbox of `server`, if one is waiting (dead ones are discarded on the way); its replacement starts. */
  take(server: string): Sandbox | undefined {
    const list = this.ready.get(server);
    let sandbox = list?.shift();
    while (sandbox && sandbox.state !== 'ready') {
      void this.discard(sandbox);
      sandbox = list?.shift();
    }
    if (sandbox) this.refill(server);
    return sandbox;
  }

  /** Forgets a sandbox (it is being discarded); true if it was waiting here. */
  remove(sandbox: Sandbox): boolean {
    for (const list of this.ready.values()) {
      const i = list.indexOf(sandbox);
      if (i !== -1) {
        list.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /** Starts what `server`'s pool lacks. */
  refill(name: string): void {
    const target = this.targets.get(name);
    if (!target || this.closed) return;
    const have = (this.ready.get(name)?.length ?? 0) + target.filling;
    for (let i = have; i < target.size; i++) {
      target.filling++;
      const filling: Promise<void> = this.start(target.server)
        .then(async (sandbox) => {
          if (this.closed) return this.discard(sandbox);
          const list = this.ready.get(name) ?? [];
          list.push(sandbox);
          this.ready.set(name, list);
        })
        .catch((err: unknown) => this.onError(name, err))
        .finally(() => {
          target.filling--;
          this.filling.delete(filling);
        });
      this.filling.add(filling);
    }
  }

  /** Settles once no refill is in flight. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.filling]);
  }

  /** No more refills; waits for those in flight, and returns every waiting sandbox for the caller to discard. */
  async close(): Promise<Sandbox[]> {
    this.closed = true;
    this.targets.clear();
    await this.settled();
    return this.sandboxes();
  }
}
