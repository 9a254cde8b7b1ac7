// Runs inside the gateway container: node built-ins and files next to this one only.
import { promises as dns } from 'node:dns';
import { connect, type Socket } from 'node:net';
import { decideAddress, type DestinationPolicy, type Reason } from './policy.js';

const CONNECT_TIMEOUT_MS = 10_000;

export type Opened = { ok: true; socket: Socket; address: string } | { ok: false; reason: Reason; address?: string };

/**
 * Resolves an allowed name with the gateway's own resolver and connects to it. Every address the name resolves to
 * is judged before any is used, and the socket goes to the address that was judged: a name that rebinds to the
 * host, a sandbox or a private network between the check and the connect cannot slip through.
 */
export class Upstream {
  private readonly resolver = new dns.Resolver({ timeout: 3000, tries: 2 });

  constructor(
    private readonly policy: DestinationPolicy,
    resolvers: readonly string[],
  ) {
    if (resolvers.length > 0) this.resolver.setServers([...resolvers]);
  }

  /** Opens a TCP connection to `host:port`, or says why not. */
  async open(host: string, port: number): Promise<Opened> {
    let addresses: string[];
    try {
      addresses = await this.resolver.resolve4(host);
    } catch {
      return { ok: false, reason: 'resolve_failed' };
    }
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
