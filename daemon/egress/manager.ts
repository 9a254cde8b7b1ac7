import { randomBytes } from 'node:crypto';
import type { ServerConfig } from '../../src/config/catalog.js';
import { isAllowlist, parseEgressRule, type EgressRule } from '../../src/config/egress.js';
import { McpgwError, errorMessage } from '../../src/errors.js';
import type { SandboxNetworkLease, SandboxNetworks } from '../sandbox/network-hook.js';
import type { DecisionReport } from './gateway/protocol.js';
import type { GatewayProcess } from './gateway-process.js';
import { GatewaySupervisor } from './gateway-supervisor.js';
import { createLeaseNetwork, networkName, purgeOrphanNetworks, tearDownLease, type Lease } from './leases.js';
import { SessionGrants } from './session-grants.js';
import { EGRESS_ALIAS, type EgressManagerOptions, type GrantScope } from './types.js';

export type { EgressDecision, EgressDenied, EgressManagerOptions, GrantScope } from './types.js';

const GRANTABLE = new Set(['not_allowed', 'port_not_allowed']);

/**
 * Egress for sandboxes with an allowlist. Each such sandbox gets its own internal Docker network (no route out, no
 * host address, nobody else on it) shared only with one gateway container per mcpd, which is the sandbox's DNS and
 * its only way out. The gateway is started on first use and told about each sandbox over its stdin.
 *
 * This is the whole interface mcpd uses; it owns the leases and the rules each carries. The gateway's life is
 * GatewaySupervisor's (gateway-supervisor.ts), the networks' life on the engine is leases.ts, and the grants kept
 * for a session are SessionGrants (session-grants.ts).
 */
export class EgressManager implements SandboxNetworks {
  private readonly gateways: GatewaySupervisor;
  private readonly leases = new Map<string, Lease>();
  /** Session grants this daemon has seen (a cache of what `opts.loadGrants` keeps in Redis). */
  private readonly sessionGrants: SessionGrants;
  private closed = false;

  constructor(private readonly opts: EgressManagerOptions) {
    this.sessionGrants = new SessionGrants(opts.loadGrants);
    this.gateways = new GatewaySupervisor({
      ...opts,
      onDecision: (report) => this.onDecision(report),
      log: (level, message, fields) => this.log(level, message, fields),
      dependents: () => this.leases.size,
      replug: (next) => this.replug(next),
    });
  }

  /** The gateway container's id while it runs (status, benchmarks). */
  get gatewayContainerId(): string | undefined {
    const gateway = this.gateways.current;
    return gateway?.alive ? gateway.containerId : undefined;
  }

  /** Live sandboxes with an egress network. */
  get leaseCount(): number {
    return this.leases.size;
  }

  async prepare(server: ServerConfig, sessionId: string): Promise<SandboxNetworkLease | undefined> {
    if (!isAllowlist(server.network)) return undefined;
    if (this.closed) throw new McpgwError('cancelled', 'egress is shutting down');
    const gateway = await this.gateways.ensure();
    const id = randomBytes(6).toString('hex');
    const rules = [...server.network.allow, ...(await this.sessionGrants.of(sessionId, server.name))];
    const { networkId, subnet, gatewayIp, sandboxIp } = await createLeaseNetwork(this.opts, id, server.name, sessionId);
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
    if (scope === 'session') await this.sessionGrants.remember(lease.sessionId, lease.server, parsed);
    lease.rules.push(parsed);
    await this.gateways.current?.send({ op: 'grant', lease: lease.id, rule: parsed });
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
    const kept = [...lease.allow, ...this.sessionGrants.cached(lease.sessionId, lease.server)].filter(same);
    for (const r of kept) if (!lease.rules.some((x) => same(x) && r.ports.every((p) => x.ports.includes(p)))) lease.rules.push(r);
    const gateway = this.gateways.current;
    if (!gateway?.alive) return;
    await gateway.send({ op: 'revoke', lease: lease.id, rule });
    for (const r of kept) await gateway.send({ op: 'grant', lease: lease.id, rule: r });
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
      await this.sessionGrants.remember(sessionId, server, typeof rule === 'string' ? toRule(rule) : rule);
    return leases.length;
  }

  /** Forgets a finished session's grants. */
  forgetSession(sessionId: string): void {
    this.sessionGrants.forget(sessionId);
  }

  /** Removes egress networks an mcpd that is gone left behind. */
  purgeOrphans(isAlive: (instanceId: string) => Promise<boolean>): Promise<string[]> {
    return purgeOrphanNetworks(this.opts, isAlive, (level, message, fields) => this.log(level, message, fields));
  }

  /** Releases every lease, then stops the gateway. */
  async close(): Promise<void> {
    this.closed = true;
    await this.gateways.close(() => Promise.allSettled([...this.leases.values()].map((lease) => this.release(lease))));
  }

  private async applySessionGrants(lease: Lease): Promise<void> {
    for (const rule of await this.sessionGrants.of(lease.sessionId, lease.server)) {
      lease.rules.push(rule);
      await this.gateways.current?.send({ op: 'grant', lease: lease.id, rule });
    }
  }

  private async release(lease: Lease): Promise<void> {
    if (!this.leases.delete(lease.id)) return;
    await tearDownLease(this.opts, this.gateways.current, lease, (level, message, fields) => this.log(level, message, fields));
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

  /** Every live sandbox into a replacement gateway; how many could not be. */
  private async replug(next: GatewayProcess): Promise<number> {
    // One sandbox that cannot be plugged back in (it may be going away) must not strand the others.
    const results = await Promise.allSettled([...this.leases.values()].map((lease) => this.plugIn(next, lease)));
    return results.filter((r) => r.status === 'rejected').length;
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

function toRule(text: string): EgressRule {
  const parsed = parseEgressRule(text);
  if (!parsed.ok) throw new McpgwError('bad_request', parsed.message);
  return parsed.rule;
}
