import type { IncomingMessage } from 'node:http';

/**
 * DNS-rebinding and cross-site protection: a request must name the daemon itself in `Host`, and a browser
 * request must come from the daemon's own origin. Everything else gets a 4xx before it reaches any handler.
 */
export class RequestGuard {
  private readonly hosts: Set<string>;

  constructor(port: number, extraHosts: readonly string[] = []) {
    this.hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, ...extraHosts.map((h) => `${h}:${port}`)]);
  }

  /** Why the request must be refused, with the HTTP status to use; undefined when it is fine. */
  check(req: IncomingMessage): { status: number; reason: string } | undefined {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!this.hosts.has(host)) return { status: 421, reason: `Host "${host}" is not this daemon` };
    const origin = req.headers.origin;
    if (origin !== undefined && !this.hosts.has(originHost(origin))) return { status: 403, reason: `Origin "${origin}" is not allowed` };
    return undefined;
  }
}

function originHost(origin: string): string {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' ? url.host.toLowerCase() : '';
  } catch {
    return '';
  }
}
