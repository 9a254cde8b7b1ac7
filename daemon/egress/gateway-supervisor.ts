import { errorMessage } from '../../src/errors.js';
import type { DecisionReport } from './gateway/protocol.js';
import { GatewayProcess } from './gateway-process.js';
import { DEFAULT_EGRESS_POOL } from './subnets.js';
import { EGRESS_PROXY_PORT, type EgressManagerOptions } from './types.js';

export interface GatewaySupervisorOptions extends Omit<EgressManagerOptions, 'onDecision' | 'onDenied' | 'loadGrants' | 'log'> {
  onDecision: (report: DecisionReport) => void;
  log: NonNullable<EgressManagerOptions['log']>;
  /** How many sandboxes depend on the gateway now: a dead gateway nobody needs is not replaced. */
  dependents: () => number;
  /** Plugs every live sandbox into a replacement gateway; resolves with how many could not be. */
  replug: (next: GatewayProcess) => Promise<number>;
}

/**
 * The one gateway container per mcpd: started on first use (one start however many sandboxes ask at once),
 * configured with what it must refuse, and replaced when it dies while sandboxes depend on it. Kept apart from the
 * EgressManager so the manager reads as leases and grants, and the gateway's life reads on its own.
 */
export class GatewaySupervisor {
  private gateway: GatewayProcess | undefined;
  private starting: Promise<GatewayProcess> | undefined;
  private closed = false;

  constructor(private readonly opts: GatewaySupervisorOptions) {}

  /** The gateway as last started (it may have exited since; check `alive`), or undefined before the first start. */
  get current(): GatewayProcess | undefined {
    return this.gateway;
  }

  /** The running gateway, started (once) if there is none. */
  ensure(): Promise<GatewayProcess> {
    if (this.gateway?.alive) return Promise.resolve(this.gateway);
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Stops replacing the gateway, lets `drain` detach the sandboxes from it, then stops it. */
  async close(drain: () => Promise<unknown>): Promise<void> {
    this.closed = true;
    await drain();
    const gateway = this.gateway ?? (await this.starting?.catch(() => undefined));
    this.gateway = undefined;
    await gateway
      ?.close()
      .catch((err: unknown) => this.opts.log('warn', 'stopping the egress gateway failed', { error: errorMessage(err) }));
  }

  private async start(): Promise<GatewayProcess> {
    const image = await this.opts.gatewayImage();
    const egressNetworks = this.opts.egressNetworks ?? ['bridge'];
    let started: GatewayProcess | undefined;
    const gateway = await GatewayProcess.start({
      engine: this.opts.engine,
      networks: this.opts.networks,
      image,
      instanceId: this.opts.instanceId,
      egressNetworks,
      onDecision: (report) => this.opts.onDecision(report),
      onLog: (level, message) => this.opts.log(level, message),
      onExit: (code) => started && this.onExit(started, code),
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
    this.opts.log('info', 'egress gateway started', { container: gateway.containerId.slice(0, 12), image, networks: egressNetworks });
    return gateway;
  }

  /** A gateway that dies while sandboxes depend on it is replaced, and every live sandbox plugged into the new one. */
  private onExit(gateway: GatewayProcess, code: number): void {
    if (this.closed || this.gateway !== gateway) return;
    this.gateway = undefined;
    const { log, dependents } = this.opts;
    log('error', 'the egress gateway exited; restarting it', { code, sandboxes: dependents() });
    void (async () => {
      await this.opts.engine.remove(gateway.containerId).catch(() => undefined);
      if (dependents() === 0 || this.closed) return;
      const next = await this.ensure();
      const failed = await this.opts.replug(next);
      log(failed ? 'warn' : 'info', 'egress gateway replaced', {
        container: next.containerId.slice(0, 12),
        sandboxes: dependents(),
        failed,
      });
    })().catch((err: unknown) => log('error', 'restarting the egress gateway failed', { error: errorMessage(err) }));
  }
}
