import type { EgressRule } from '../../src/config/egress.js';

/**
 * The egress a person granted a session's server for the rest of the session ("session" scope): what every later
 * sandbox of that session and server starts with. This daemon's copy is a cache; the durable copy is in Redis
 * (`load`, the GrantBroker's store), read once per session and server so a restart keeps the grants.
 */
export class SessionGrants {
  private readonly known = new Map<string, EgressRule[]>();

  constructor(private readonly load?: (sessionId: string, server: string) => Promise<EgressRule[]>) {}

  /** A session's grants for a server: this daemon's, else those kept in Redis (a restart keeps them). */
  async of(sessionId: string, server: string): Promise<EgressRule[]> {
    const k = grantKey(sessionId, server);
    const known = this.known.get(k);
    if (known) return known;
    const loaded = (await this.load?.(sessionId, server)) ?? [];
    if (!this.known.has(k) && loaded.length > 0) this.known.set(k, loaded);
    return this.known.get(k) ?? loaded;
  }

  /** The grants already known here, without asking Redis (what a revoke must leave in place). */
  cached(sessionId: string, server: string): EgressRule[] {
    return this.known.get(grantKey(sessionId, server)) ?? [];
  }

  /** Adds a grant for the session's server; the same rule twice is kept once. */
  async remember(sessionId: string, server: string, rule: EgressRule): Promise<void> {
    const current = await this.of(sessionId, server);
    const same = (r: EgressRule): boolean => r.host === rule.host && r.wildcard === rule.wildcard && r.ports.join() === rule.ports.join();
    this.known.set(grantKey(sessionId, server), current.some(same) ? current : [...current, rule]);
  }

  /** Forgets a finished session's grants. */
  forget(sessionId: string): void {
    for (const k of this.known.keys()) if (k.startsWith(`${sessionId}\u0000`)) this.known.delete(k);
  }
}

function grantKey(sessionId: string, server: string): string {
  return `${sessionId}\u0000${server}`;
}
