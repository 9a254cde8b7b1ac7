import { randomBytes } from 'node:crypto';
import type { ServerConfig } from '../../src/config/catalog.js';
import { isAllowlist, parseEgressRule, type EgressRule } from '../../src/config/egress.js';
import { McpgwError, errorMessage } from '../../src/errors.js';
import { LABELS } from '../sandbox/labels.js';
import type { SandboxNetworkLease, SandboxNetworks } from '../sandbox/network-hook.js';
import type { DecisionReport } from './gateway/protocol.js';
import { GatewayProcess } from './gateway-process.js';
import { DEFAULT_EGRESS_POOL, pickSubnet } from './subnets.js';
import { EGRESS_ALIAS, EGRESS_PROXY_PORT, type EgressManagerOptions, type GrantScope } from './types.js';

export type { EgressDecision, EgressDenied, EgressManagerOptions, GrantScope } from './types.js';

interface Lease {
  id: string;
  networkId: string;
  subnet: string;
  gatewayIp: string;
  sandboxIp: string;
  server: string;
  sessionId: string;
  rules: EgressRule[];
  /** The server's own allowlist (what a revoked grant never takes away). */
  allow: EgressRule[];
}

const GRANTABLE = new Set(['not_allowed', 'port_not_allowed']);

/**
 * Egress for sandboxes with an allowlist. Each such sandbox gets its own internal Docker network (no route out, no
 * host address, nobody else on it) shared only with one gateway container per mcpd, which is the sandbox's DNS and
 * its only way out. The gateway is started on first use and told about each sandbox over its stdin.
 */
export class EgressManager implements SandboxNetworks {
  private gateway: GatewayProcess | undefined;
  private starting: Promise<GatewayProcess> | undefined;
  private readonly leases = new Map<string, Lease>();
  /** Session grants this daemon has seen (a cache of what `opts.loadGrants` keeps in Redis). */
  private readonly sessionGrants = new Map<string, EgressRule[]>();
  private closed = false;

  constructor(private readonly opts: EgressManagerOptions) {}

  /** The gateway container's id while it runs (status, benchmarks). */
  get gatewayContainerId(): string | undefined {
    return this.gateway?.alive ? this.gateway.containerId : undefined;
  }

  /** Live sandboxes with an egress network. */
  get leaseCount(): number {
    return this.leases.size;
  }

  async prepare(server: ServerConfig, sessionId: string): Promise<SandboxNetworkLease | undefined> {
    if (!isAllowlist(server.network)) return undefined;
    if (this.closed) throw new McpgwError('cancelled', 'egress is shutting down');
    const gateway = await this.ensureGateway();
    const id = randomBytes(6).toString('hex');
    const rules = [...server.network.allow, ...(await this.grantsOf(sessionId, server.name))];
    const { networkId, subnet, gatewayIp, sandboxIp } = await this.createNetwork(id, server.name, sessionId);
    const lease: Lease = {
      id,
      networkId,
      subnet,
      gatewayIp,
      sandboxIp,
      server: server.name,
      sessionId,
      rules,
      allow: server.network.allow,
    };
    try {
      await this.plugIn(gateway, lease);
    } catch (err) {
      await this.opts.networks.remove(networkId).catch(() => undefined);
      throw new McpgwError('sandbox_start_failed', `preparing the egress network of "${server.name}" failed: ${errorMessage(err)}`, {
        cause: err,
      });
    }
    this.leases.set(id, lease);
    return {
      attachment: { network: networkName(id), ip: sandboxIp, dns: [gatewayIp], env: {} },
      bind: (session) => {
        lease.sessionId = session;
        // A warm sandbox joins a session: that session's grants (made before, or kept over a restart) apply to it.
        void this.applySessionGrants(lease).catch((err: unknown) =>
          this.log('warn', 'applying session grants to a bound sandbox failed', { error: errorMessage(err) }),
        );
      },
      release: () => this.release(lease),
    };
  }

  /**
   * Adds a rule for one running sandbox (`sandbox`), or for it and every later sandbox of the same session and
   * server (`session`). The gateway applies it to the next connection; nothing already refused is replayed.
   */
  async grant(leaseId: string, rule: EgressRule | string, scope: GrantScope): Promise<void> {
    const lease = this.leases.get(leaseId);
    if (!lease) throw new McpgwError('not_found', `no running sandbox with egress lease ${leaseId}`);
    const parsed = typeof rule === 'string' ? toRule(rule) : rule;
    if (scope === 'session') await this.rememberSessionGrant(lease.sessionId, lease.server, parsed);
    lease.rules.push(parsed);
    await this.gateway?.send({ op: 'grant', lease: lease.id, rule: parsed });
  }

  /** Takes back a grant from one running sandbox (a grant "once" has ended); rules of its own allowlist stay. */
  async revoke(leaseId: string, rule: EgressRule): Promise<void> {
    const lease = this.leases.get(leaseId);
    if (!lease) return;
    const same = (r: EgressRule): boolean => r.host === rule.host && r.wildcard === rule.wildcard;
    lease.rules = lease.rules.flatMap((r) => {
      if (!same(r)) return [r];
      const ports = r.ports.filter((p) => !rule.ports.includes(p));
      return ports.length > 0 ? [{ ...r, ports }] : [];
    });
    // Its own allowlist and session grants may cover some of those ports too: they stay allowed.
    const kept = [...lease.allow, ...(this.sessionGrants.get(grantKey(lease.sessionId, lease.server)) ?? [])].filter(same);
    for (const r of kept) if (!lease.rules.some((x) => same(x) && r.ports.every((p) => x.ports.includes(p)))) lease.rules.push(r);
    if (!this.gateway?.alive) return;
    await this.gateway.send({ op: 'revoke', lease: lease.id, rule });
    for (const r of kept) await this.gateway.send({ op: 'grant', lease: lease.id, rule: r });
  }

  /** The running sandbox of a session's server, if one runs (what a grant "once" applies to). */
  leaseOf(sessionId: string, server: string): string | undefined {
    for (const lease of this.leases.values()) if (lease.sessionId === sessionId && lease.server === server) return lease.id;
    return undefined;
  }

  /** `grant` for every running sandbox of a session's server (what a human's answer names). */
  async grantFor(sessionId: string, server: string, rule: EgressRule | string, scope: GrantScope): Promise<number> {
    const leases = [...this.leases.values()].filter((l) => l.sessionId === sessionId && l.server === server);
    for (const lease of leases) await this.grant(lease.id, rule, scope);
    if (leases.length === 0 && scope === 'session')
      await this.rememberSessionGrant(sessionId, server, typeof rule === 'string' ? toRule(rule) : rule);
    return leases.length;
  }

  /** Forgets a finished session's grants. */
  forgetSession(sessionId: string): void {
    for (const k of this.sessionGrants.keys()) if (k.startsWith(`${sessionId}\u0000`)) this.sessionGrants.delete(k);
  }

  /** A session's grants for a server: this daemon's, else those kept in Redis (a restart keeps them). */
  private async grantsOf(sessionId: string, server: string): Promise<EgressRule[]> {
    const k = grantKey(sessionId, server);
    const known = this.sessionGrants.get(k);
    if (known) return known;
    const loaded = (await this.opts.loadGrants?.(sessionId, server)) ?? [];
    if (!this.sessionGrants.has(k) && loaded.length > 0) this.sessionGrants.set(k, loaded);
    return this.sessionGrants.get(k) ?? loaded;
  }

  private async rememberSessionGrant(sessionId: string, server: string, rule: EgressRule): Promise<void> {
    const current = await this.grantsOf(sessionId, server);
    const same = (r: EgressRule): boolean => r.host === rule.host && r.wildcard === rule.wildcard && r.ports.join() === rule.ports.join();
    this.sessionGrants.set(grantKey(sessionId, server), current.some(same) ? current : [...current, rule]);
  }

  private async applySessionGrants(lease: Lease): Promise<void> {
    for (const rule of await this.grantsOf(lease.sessionId, lease.server)) {
      lease.rules.push(rule);
      await this.gateway?.send({ op: 'grant', lease: lease.id, rule });
    }
  }

  async purgeOrphans(isAlive: (instanceId: string) => Promise<boolean>): Promise<string[]> {
    const removed: string[] = [];
    for (const network of await this.opts.networks.listManaged({ [LABELS.kind]: 'egress' })) {
      const owner = network.labels[LABELS.instance] ?? '';
      if (owner === this.opts.instanceId || (owner && (await isAlive(owner)))) continue;
      try {
        await this.opts.networks.remove(network.id);
        removed.push(network.name);
      } catch (err) {
        this.log('warn', 'could not remove an orphan egress network', { network: network.name, error: errorMessage(err) });
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.leases.values()].map((lease) => this.release(lease)));
    const gateway = this.gateway ?? (await this.starting?.catch(() => undefined));
    this.gateway = undefined;
    await gateway?.close().catch((err: unknown) => this.log('warn', 'stopping the egress gateway failed', { error: errorMessage(err) }));
  }

  private async release(lease: Lease): Promise<void> {
    if (!this.leases.delete(lease.id)) return;
    const gateway = this.gateway;
    const steps: Array<[string, () => Promise<unknown>]> = [
      ['detach', async () => (gateway?.alive ? gateway.send({ op: 'detach', lease: lease.id }) : undefined)],
      ['disconnect', async () => (gateway ? this.opts.networks.disconnect(lease.networkId, gateway.containerId) : undefined)],
      ['remove', () => this.opts.networks.remove(lease.networkId)],
    ];
    for (const [step, run] of steps) {
      await run().catch((err: unknown) =>
        this.log('warn', `egress network teardown: ${step} failed`, { network: networkName(lease.id), error: errorMessage(err) }),
      );
    }
  }

  private async createNetwork(
    id: string,
    server: string,
    sessionId: string,
  ): Promise<{ networkId: string; subnet: string; gatewayIp: string; sandboxIp: string }> {
    const labels = {
      [LABELS.managed]: 'true',
      [LABELS.instance]: this.opts.instanceId,
      [LABELS.kind]: 'egress',
      [LABELS.server]: server,
      [LABELS.session]: sessionId,
    };
    for (let attempt = 0; ; attempt++) {
      const picked = pickSubnet(this.opts.pool ?? DEFAULT_EGRESS_POOL);
      try {
        const networkId = await this.opts.networks.createInternal(networkName(id), picked.subnet, labels);
        return { networkId, subnet: picked.subnet, gatewayIp: picked.gateway, sandboxIp: picked.sandbox };
      } catch (err) {
        if (!(err instanceof McpgwError && err.code === 'conflict') || attempt >= 20) throw err;
      }
    }
  }

  /** Connects the gateway to the lease's network and tells it whom to serve there. */
  private async plugIn(gateway: GatewayProcess, lease: Lease): Promise<void> {
    await this.opts.networks.connect(lease.networkId, gateway.containerId, { ip: lease.gatewayIp, aliases: [EGRESS_ALIAS] });
    await gateway.send({
      op: 'attach',
      lease: lease.id,
      server: lease.server,
      listen: lease.gatewayIp,
      peer: lease.sandboxIp,
      rules: lease.rules,
    });
  }

  private ensureGateway(): Promise<GatewayProcess> {
    if (this.gateway?.alive) return Promise.resolve(this.gateway);
    this.starting ??= this.startGateway().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async startGateway(): Promise<GatewayProcess> {
    const image = await this.opts.gatewayImage();
    const egressNetworks = this.opts.egressNetworks ?? ['bridge'];
    let started: GatewayProcess | undefined;
    const gateway = await GatewayProcess.start({
      engine: this.opts.engine,
      networks: this.opts.networks,
      image,
      instanceId: this.opts.instanceId,
      egressNetworks,
      onDecision: (report) => this.onDecision(report),
      onLog: (level, message) => this.log(level, message),
      onExit: (code) => started && this.onGatewayExit(started, code),
    });
    started = gateway;
    try {
      // The host is every address the gateway's own networks give the Docker host (their gateways).
      const hostAddresses = (await this.opts.networks.addresses(gateway.containerId)).map((a) => a.gateway).filter(Boolean);
      await gateway.send({
        op: 'configure',
        resolvers: this.opts.resolvers ?? [],
        blockedSandbox: [this.opts.pool ?? DEFAULT_EGRESS_POOL],
        blockedHost: hostAddresses,
        exempt: this.opts.exemptDestinations ?? [],
        proxyPort: EGRESS_PROXY_PORT,
      });
    } catch (err) {
      await gateway.close().catch(() => undefined);
      throw err;
    }
    this.gateway = gateway;
    this.log('info', 'egress gateway started', { container: gateway.containerId.slice(0, 12), image, networks: egressNetworks });
    return gateway;
  }

  /** A gateway that dies while sandboxes depend on it is replaced, and every live sandbox plugged into the new one. */
  private onGatewayExit(gateway: GatewayProcess, code: number): void {
    if (this.closed || this.gateway !== gateway) return;
    this.gateway = undefined;
    this.log('error', 'the egress gateway exited; restarting it', { code, sandboxes: this.leases.size });
    void (async () => {
      await this.opts.engine.remove(gateway.containerId).catch(() => undefined);
      if (this.leases.size === 0 || this.closed) return;
      const next = await this.ensureGateway();
      // One sandbox that cannot be plugged back in (it may be going away) must not strand the others.
      const results = await Promise.allSettled([...this.leases.values()].map((lease) => this.plugIn(next, lease)));
      const failed = results.filter((r) => r.status === 'rejected').length;
      this.log(failed ? 'warn' : 'info', 'egress gateway replaced', {
        container: next.containerId.slice(0, 12),
        sandboxes: this.leases.size,
        failed,
      });
    })().catch((err: unknown) => this.log('error', 'restarting the egress gateway failed', { error: errorMessage(err) }));
  }

  private onDecision(report: DecisionReport): void {
    const lease = this.leases.get(report.lease);
    if (!lease) return;
    const { type: _type, ...rest } = report;
    this.opts.onDecision?.({ ...rest, sessionId: lease.sessionId, server: lease.server });
    if (!report.allowed && report.host && GRANTABLE.has(report.reason)) {
      this.opts.onDenied?.({
        lease: lease.id,
        sessionId: lease.sessionId,
        server: lease.server,
        host: report.host,
        port: report.port,
        via: report.via,
        reason: report.reason,
      });
    }
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
    this.opts.log?.(level, message, fields);
  }
}

function networkName(id: string): string {
  return `mcpgw-egress-${id}`;
}

function grantKey(sessionId: string, server: string): string {
  return `${sessionId}\u0000${server}`;
}

function toRule(text: string): EgressRule {
  const parsed = parseEgressRule(text);
  if (!parsed.ok) throw new McpgwError('bad_request', parsed.message);
  return parsed.rule;
}
