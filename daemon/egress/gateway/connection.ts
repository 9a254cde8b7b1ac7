// Runs inside the gateway container: node built-ins and files next to this one only.
import type { Socket } from 'node:net';
import type { EgressRule } from '../../../src/config/egress.js';
import { REASON_TEXT, decideName, normaliseName, type Reason } from './policy.js';
import type { DecisionReport, Via } from './protocol.js';
import { sniff, splitHostPort, type HttpHead } from './sniff.js';
import type { Upstream } from './upstream.js';

/** Where each piping connection goes, so that taking a grant back can close what it let through. */
export const destinations = new WeakMap<Socket, { host: string; port: number }>();

/** How long a new connection may take to say where it goes. */
const SNIFF_TIMEOUT_MS = 10_000;

/** What a connection needs to know about the sandbox it came from. */
export interface LeaseView {
  id: string;
  server: () => string;
  rules: () => readonly EgressRule[];
  peer: string;
}

export interface ConnectionContext {
  upstream: Upstream;
  report: (r: DecisionReport) => void;
}

// A fatal TLS alert sent in place of a ServerHello: the client reports "access denied" (49) or "internal error" (80).
const tlsAlert = (code: number): Buffer => Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, code]);

interface Target {
  via: Via;
  host: string | undefined;
  port: number;
  /** Bytes for the destination: what was sniffed (or the rewritten request), before piping starts. */
  first: Buffer;
  /** Sent to the client once the destination is connected (the CONNECT reply). */
  reply?: string;
}

/**
 * Serves one TCP connection from a sandbox: reads just enough to learn the destination name (TLS SNI, HTTP Host,
 * proxy CONNECT or absolute-form request), decides, then either refuses at once or connects and pipes bytes
 * untouched. TLS is never terminated: the client sees the destination's own certificate.
 */
export function handleConnection(socket: Socket, lease: LeaseView, ctx: ConnectionContext): void {
  const started = performance.now();
  const port = socket.localPort ?? 0;
  socket.on('error', () => socket.destroy());
  const deny = (via: Via, reason: Reason, host: string | undefined, targetPort = port, address?: string): void => {
    ctx.report({
      type: 'decision',
      lease: lease.id,
      via,
      allowed: false,
      reason,
      ...(host ? { host } : {}),
      port: targetPort,
      ...(address ? { address } : {}),
    });
    if (via === 'tls') socket.end(tlsAlert(reason === 'resolve_failed' || reason === 'connect_failed' ? 80 : 49));
    else if (via === 'http' || via === 'connect' || via === 'proxy') {
      const status = reason === 'resolve_failed' || reason === 'connect_failed' ? '502 Bad Gateway' : '403 Forbidden';
      const what = host ? `${host}:${targetPort}` : `port ${targetPort}`;
      const body = `mcpgw egress gateway: ${what} refused for server "${lease.server()}": ${REASON_TEXT[reason]}\n`;
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `Connection: close\r\nX-Mcpgw-Egress: denied; reason=${reason}\r\n\r\n${body}`,
      );
    } else socket.resetAndDestroy();
  };
  // The gateway's addresses all live in one network namespace: a packet for this sandbox's address that came from
  // anywhere else (were it ever routable) is not this sandbox.
  if (socket.remoteAddress !== lease.peer) return deny('tcp', 'wrong_peer', undefined);
  let buffered = Buffer.alloc(0);
  let sniffing = true;
  const timer = setTimeout(() => deny('tcp', 'timeout', undefined), SNIFF_TIMEOUT_MS);
  const onData = (chunk: Buffer): void => {
    buffered = Buffer.concat([buffered, chunk]);
    const seen = sniff(buffered);
    if (seen.kind === 'more') return;
    sniffing = false;
    socket.off('data', onData);
    socket.pause();
    clearTimeout(timer);
    if (seen.kind === 'other') return deny('tcp', 'unsupported_protocol', undefined);
    const target =
      seen.kind === 'tls' ? { via: 'tls' as const, host: seen.name, port, first: buffered } : httpTarget(seen.head, buffered, port);
    if ('reason' in target) return deny(target.via, target.reason, target.host, target.port);
    void proceed(target);
  };
  socket.on('data', onData);
  socket.once('end', () => {
    if (!sniffing) return;
    clearTimeout(timer);
    socket.destroy();
  });

  const proceed = async (target: Target): Promise<void> => {
    const { via, port: targetPort } = target;
    const host = target.host === undefined ? undefined : normaliseName(target.host);
    if (!host) return deny(via, 'no_name', undefined, targetPort);
    const decision = decideName(lease.rules(), host, targetPort);
    if (decision !== 'allowed') return deny(via, decision, host, targetPort);
    const opened = await ctx.upstream.open(host, targetPort);
    if (!opened.ok) return deny(via, opened.reason, host, targetPort, opened.address);
    if (socket.destroyed) return void opened.socket.destroy();
    const up = opened.socket;
    destinations.set(socket, { host, port: targetPort });
    if (target.reply) socket.write(target.reply);
    up.write(target.first);
    let open = 2;
    const closed = (): void => {
      if (--open > 0) return;
      ctx.report({
        type: 'decision',
        lease: lease.id,
        via,
        allowed: true,
        reason: 'allowed',
        host,
        port: targetPort,
        address: opened.address,
        bytesUp: up.bytesWritten,
        bytesDown: up.bytesRead,
        durationMs: Math.round(performance.now() - started),
      });
    };
    const pair = (from: Socket, to: Socket): void => {
      from.on('error', () => to.destroy());
      from.once('close', () => {
        // Let the other side finish what it was sending; a peer that never closes is cut off.
        if (!to.destroyed) to.end();
        to.setTimeout(30_000, () => to.destroy());
        closed();
      });
    };
    pair(socket, up);
    pair(up, socket);
    socket.pipe(up);
    up.pipe(socket);
    socket.resume();
  };
}

/** Where an HTTP request goes: a proxy CONNECT, a proxy absolute-form request, or a direct request (its Host). */
function httpTarget(head: HttpHead, buffered: Buffer, port: number): Target | { via: Via; reason: Reason; host?: string; port: number } {
  const rest = buffered.subarray(head.length);
  if (head.method === 'CONNECT') {
    const target = splitHostPort(head.target);
    if (!target?.port) return { via: 'connect', reason: 'no_name', port };
    return { via: 'connect', host: target.host, port: target.port, first: rest, reply: 'HTTP/1.1 200 Connection Established\r\n\r\n' };
  }
  if (/^https?:\/\//i.test(head.target)) {
    let url: URL;
    try {
      url = new URL(head.target);
    } catch {
      return { via: 'proxy', reason: 'no_name', port };
    }
    const targetPort = Number(url.port || 80);
    // A client that sends https:// in the clear to a proxy wants the proxy to speak TLS for it: never done here.
    if (url.protocol !== 'http:') return { via: 'proxy', reason: 'unsupported_protocol', host: url.hostname, port: 443 };
    const headers = head.headers.filter(([k]) => k !== 'proxy-connection' && k !== 'proxy-authorization');
    if (!headers.some(([k]) => k === 'host')) headers.push(['host', url.host]);
    const lines = [`${head.method} ${url.pathname}${url.search} ${head.version}`, ...headers.map(([k, v]) => `${k}: ${v}`)];
    return {
      via: 'proxy',
      host: url.hostname,
      port: targetPort,
      first: Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), rest]),
    };
  }
  const host = head.headers.filter(([k]) => k === 'host');
  return { via: 'http', host: host.length === 1 ? splitHostPort(host[0]?.[1] ?? '')?.host : undefined, port, first: buffered };
}
