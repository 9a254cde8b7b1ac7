// Runs inside the gateway container: node built-ins and files next to this one only.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import type { EgressRule } from '../../../src/config/egress.js';
import { destinations, handleConnection, type LeaseView } from './connection.js';
import { DnsResponder } from './dns-server.js';
import { parseCidr, type Cidr } from './ip.js';
import { decideName, type DestinationPolicy } from './policy.js';
import type { DecisionReport, GatewayCommand, GatewayReport } from './protocol.js';
import { Upstream } from './upstream.js';

/** Connections one sandbox may hold open at once. */
const MAX_CONNECTIONS = 256;

interface Lease extends LeaseView {
  serverName: string;
  listen: string;
  ruleList: EgressRule[];
  tcp: Map<number, Server>;
  udp: UdpSocket | undefined;
  sockets: Set<Socket>;
  dns: DnsResponder;
}

/**
 * The gateway's state: one lease per sandbox, each with its own listeners on the gateway's address on that
 * sandbox's network. Which address a connection arrived on says which sandbox sent it; nothing else is trusted.
 */
export class Gateway {
  private upstream: Upstream | undefined;
  private proxyPort = 3128;
  private dnsPort = 53;
  private readonly leases = new Map<string, Lease>();

  constructor(private readonly emit: (report: GatewayReport) => void) {}

  /** Runs one command from mcpd and acknowledges it. */
  async handle(cmd: GatewayCommand): Promise<void> {
    try {
      await this.run(cmd);
      this.emit({ type: 'ack', id: cmd.id, ok: true });
    } catch (err) {
      this.emit({ type: 'ack', id: cmd.id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private async run(cmd: GatewayCommand): Promise<void> {
    switch (cmd.op) {
      case 'configure': {
        const cidrs = (list: string[]): Cidr[] => list.map((c) => parseCidr(c) ?? fail(`bad CIDR ${c}`));
        const policy: DestinationPolicy = {
          blocked: [
            ...cidrs(cmd.blockedSandbox).map((cidr) => ({ cidr, reason: 'address_sandbox' as const })),
            ...cidrs(cmd.blockedHost).map((cidr) => ({ cidr, reason: 'address_host' as const })),
          ],
          exempt: cidrs(cmd.exempt),
        };
        this.upstream = new Upstream(policy, cmd.resolvers);
        this.proxyPort = cmd.proxyPort;
        this.dnsPort = cmd.dnsPort ?? 53;
        return;
      }
      case 'attach':
        return this.attach(cmd.lease, cmd.server, cmd.listen, cmd.peer, cmd.rules);
      case 'grant': {
        const lease = this.leases.get(cmd.lease) ?? fail(`no lease ${cmd.lease}`);
        const same = (r: EgressRule): boolean => r.host === cmd.rule.host && r.wildcard === cmd.rule.wildcard;
        const existing = lease.ruleList.find(same);
        if (existing) existing.ports = [...new Set([...existing.ports, ...cmd.rule.ports])];
        else lease.ruleList.push({ ...cmd.rule, ports: [...cmd.rule.ports] });
        lease.dns.forget();
        await this.listenPorts(lease);
        return;
      }
      case 'revoke': {
        const lease = this.leases.get(cmd.lease);
        if (!lease) return;
        lease.ruleList = revokeRule(lease.ruleList, cmd.rule);
        lease.dns.forget();
        // A kept-alive connection would outlive the grant: what is no longer allowed is closed now.
        for (const socket of lease.sockets) {
          const to = destinations.get(socket);
          if (to && decideName(lease.ruleList, to.host, to.port) !== 'allowed') socket.destroy();
        }
        return;
      }
      case 'detach':
        return this.detach(cmd.lease);
      default: {
        const never: never = cmd;
        fail(`unknown command ${JSON.stringify(never)}`);
      }
    }
  }

  private async attach(id: string, serverName: string, listen: string, peer: string, rules: EgressRule[]): Promise<void> {
    if (!this.upstream) fail('not configured');
    if (this.leases.has(id)) fail(`lease ${id} is attached already`);
    const lease: Lease = {
      id,
      serverName,
      listen,
      peer,
      ruleList: rules.map((r) => ({ ...r, ports: [...r.ports] })),
      server: () => lease.serverName,
      rules: () => lease.ruleList,
      tcp: new Map(),
      udp: undefined,
      sockets: new Set(),
      dns: new DnsResponder(listen, () => lease.ruleList),
    };
    this.leases.set(id, lease);
    try {
      lease.udp = await this.listenDnsUdp(lease);
      await this.listenTcp(lease, this.dnsPort, (socket) => this.serveDnsTcp(lease, socket));
      await this.listenPorts(lease);
    } catch (err) {
      await this.detach(id);
      throw err;
    }
  }

  private async detach(id: string): Promise<void> {
    const lease = this.leases.get(id);
    if (!lease) return;
    this.leases.delete(id);
    for (const socket of lease.sockets) socket.destroy();
    lease.udp?.close();
    await Promise.all([...lease.tcp.values()].map((server) => new Promise((resolve) => server.close(resolve))));
  }

  /** The HTTP proxy port and every port a rule allows; a port nobody allows has no listener (the kernel resets). */
  private async listenPorts(lease: Lease): Promise<void> {
    const ports = new Set([this.proxyPort, ...lease.ruleList.flatMap((r) => r.ports)]);
    for (const port of ports) {
      if (lease.tcp.has(port)) continue;
      await this.listenTcp(lease, port, (socket) => {
        if (lease.sockets.size >= MAX_CONNECTIONS) {
          this.report({ type: 'decision', lease: lease.id, via: 'tcp', allowed: false, reason: 'too_many_connections', port });
          socket.resetAndDestroy();
          return;
        }
        lease.sockets.add(socket);
        socket.once('close', () => lease.sockets.delete(socket));
        handleConnection(socket, lease, { upstream: this.upstream!, report: (r) => this.report(r) });
      });
    }
  }

  private async listenTcp(lease: Lease, port: number, onConnection: (socket: Socket) => void): Promise<void> {
    const server = createServer({ allowHalfOpen: true, noDelay: true }, onConnection);
    await retryWhileAddressComesUp(
      () =>
        new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host: lease.listen, port }, () => {
            server.off('error', reject);
            resolve();
          });
        }),
    );
    lease.tcp.set(port, server);
  }

  private async listenDnsUdp(lease: Lease): Promise<UdpSocket> {
    const udp = await retryWhileAddressComesUp(
      () =>
        new Promise<UdpSocket>((resolve, reject) => {
          // A fresh socket per attempt: a dgram socket that failed to bind cannot bind again.
          const socket = createSocket('udp4');
          const failed = (err: Error): void => {
            socket.removeAllListeners();
            socket.unref();
            reject(err);
          };
          socket.once('error', failed);
          socket.bind({ address: lease.listen, port: this.dnsPort, exclusive: true }, () => {
            socket.off('error', failed);
            resolve(socket);
          });
        }),
    );
    udp.on('message', (msg, from) => {
      if (from.address !== lease.peer) return;
      const { response, decided } = lease.dns.answer(msg);
      if (response) udp.send(response, from.port, from.address);
      if (decided) this.reportDns(lease, decided.name, decided.reason);
    });
    udp.on('error', (err) => this.emit({ type: 'log', level: 'warn', message: `dns ${lease.listen}: ${err.message}` }));
    return udp;
  }

  /** DNS over TCP: two-byte length prefixes, several queries per connection. */
  private serveDnsTcp(lease: Lease, socket: Socket): void {
    if (socket.remoteAddress !== lease.peer) return void socket.resetAndDestroy();
    let buffered = Buffer.alloc(0);
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const size = buffered.readUInt16BE(0);
        const { response, decided } = lease.dns.answer(buffered.subarray(2, 2 + size));
        buffered = buffered.subarray(2 + size);
        if (decided) this.reportDns(lease, decided.name, decided.reason);
        if (!response) return void socket.destroy();
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(response.length);
        socket.write(Buffer.concat([prefix, response]));
      }
      if (buffered.length > 65_537) socket.destroy();
    });
  }

  private reportDns(lease: Lease, name: string, reason: DecisionReport['reason']): void {
    this.report({ type: 'decision', lease: lease.id, via: 'dns', allowed: reason === 'allowed', reason, host: name });
  }

  private report(report: DecisionReport): void {
    // A lease detached while its connection was closing: the report has no one left to go to.
    if (!this.leases.has(report.lease)) return;
    // Names come from the sandbox (SNI, Host, DNS): they reach consoles and logs only as short, printable text.
    this.emit(report.host === undefined ? report : { ...report, host: printable(report.host) });
  }
}

/** At most a DNS name's length, and nothing a terminal would interpret. */
export function printable(name: string): string {
  const clean = name.replace(/[^\x21-\x7e]/g, '?');
  return clean.length > 253 ? `${clean.slice(0, 252)}…` : clean;
}

function fail(message: string): never {
  throw new Error(message);
}

/** Docker connects the network before mcpd attaches; on a slow engine the address may take a moment to appear. */
async function retryWhileAddressComesUp<T>(bind: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await bind();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRNOTAVAIL' || attempt >= 30) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The rules without `rule`'s ports on its name (a rule left with no port goes). Listeners stay: they refuse. */
export function revokeRule(rules: readonly EgressRule[], rule: EgressRule): EgressRule[] {
  return rules.flatMap((r) => {
    if (r.host !== rule.host || r.wildcard !== rule.wildcard) return [r];
    const ports = r.ports.filter((p) => !rule.ports.includes(p));
    return ports.length > 0 ? [{ ...r, ports }] : [];
  });
}
