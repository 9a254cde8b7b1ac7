// Runs inside the gateway container: node built-ins and files next to this one only.
import { promises as dns } from 'node:dns';
import { connect, type Socket } from 'node:net';
import { decideAddress, type DestinationPolicy, type Reason } from './policy.js';

const CONNECT_TIMEOUT_MS = 10_000;
/** Answers are kept for their TTL, at most this long (and at least a second, so a burst shares one lookup). */
const MAX_CACHE_MS = 60_000;
const MAX_CACHE_ENTRIES = 1000;

export type Opened = { ok: true; socket: Socket; address: string } | { ok: false; reason: Reason; address?: string };

/**
 * Resolves an allowed name with the gateway's own resolver and connects to it. Every address the name resolves to
 * is judged before any is used, and the socket goes to the address that was judged: a name that rebinds to the
 * host, a sandbox or a private network between the check and the connect cannot slip through.
 */
export class Upstream {
  private readonly resolver = new dns.Resolver({ timeout: 3000, tries: 2 });
  private readonly cache = new Map<string, { addresses: string[]; until: number }>();

  constructor(
    private readonly policy: DestinationPolicy,
    resolvers: readonly string[],
  ) {
    if (resolvers.length > 0) this.resolver.setServers([...resolvers]);
  }

  /** Opens a TCP connection to `host:port`, or says why not. */
  async open(host: string, port: number): Promise<Opened> {
    const addresses = await this.resolve(host);
    if (addresses.length === 0) return { ok: false, reason: 'resolve_failed' };
    for (const address of addresses) {
      const reason = decideAddress(address, this.policy);
      if (reason !== 'allowed') return { ok: false, reason, address };
    }
    for (const address of addresses.slice(0, 3)) {
      const socket = await connectTo(address, port);
      if (socket) return { ok: true, socket, address };
    }
    return { ok: false, reason: 'connect_failed', address: addresses[0] };
  }

  /** A-records of an allowed name, cached for their TTL: every connection would otherwise pay one more lookup. */
  private async resolve(host: string): Promise<string[]> {
    const now = Date.now();
    const cached = this.cache.get(host);
    if (cached && cached.until > now) return cached.addresses;
    try {
      const records = await this.resolver.resolve4(host, { ttl: true });
      const ttlMs = Math.min(MAX_CACHE_MS, Math.max(1000, Math.min(...records.map((r) => r.ttl * 1000))));
      const addresses = records.map((r) => r.address);
      if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.clear();
      this.cache.set(host, { addresses, until: now + ttlMs });
      return addresses;
    } catch {
      return [];
    }
  }
}

function connectTo(address: string, port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, allowHalfOpen: true, noDelay: true });
    const fail = (): void => {
      socket.destroy();
      resolve(undefined);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, fail);
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.off('error', fail);
      socket.setKeepAlive(true, 30_000);
      resolve(socket);
    });
  });
}
