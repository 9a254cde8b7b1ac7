import type { EgressRule } from '../../src/config/egress.js';
import { McpgwError, errorMessage } from '../../src/errors.js';
import { LABELS } from '../sandbox/labels.js';
import type { GatewayProcess } from './gateway-process.js';
import { DEFAULT_EGRESS_POOL, pickSubnet } from './subnets.js';
import type { EgressManagerOptions } from './types.js';

// A lease is one sandbox's way out: its own internal Docker network (no route out, no host address, nobody else on
// it) with the gateway plugged in as its DNS and only exit. This module owns those networks' life on the engine:
// carving a subnet, tearing one down, and sweeping the ones a dead mcpd left behind. Which rules a lease carries and
// what the gateway is told stay with the EgressManager.

/** One sandbox's egress network and the rules the gateway applies to it. */
export interface Lease {
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

type Log = NonNullable<EgressManagerOptions['log']>;
type NetworkOptions = Pick<EgressManagerOptions, 'networks' | 'instanceId' | 'pool'>;

/** The Docker network name of a lease. */
export function networkName(id: string): string {
  return `mcpgw-egress-${id}`;
}

/** Creates a lease's internal network on a free subnet of the pool (another subnet when one is taken). */
export async function createLeaseNetwork(
  opts: NetworkOptions,
  id: string,
  server: string,
  sessionId: string,
): Promise<{ networkId: string; subnet: string; gatewayIp: string; sandboxIp: string }> {
  const labels = {
    [LABELS.managed]: 'true',
    [LABELS.instance]: opts.instanceId,
    [LABELS.kind]: 'egress',
    [LABELS.server]: server,
    [LABELS.session]: sessionId,
  };
  for (let attempt = 0; ; attempt++) {
    const picked = pickSubnet(opts.pool ?? DEFAULT_EGRESS_POOL);
    try {
      const networkId = await opts.networks.createInternal(networkName(id), picked.subnet, labels);
      return { networkId, subnet: picked.subnet, gatewayIp: picked.gateway, sandboxIp: picked.sandbox };
    } catch (err) {
      if (!(err instanceof McpgwError && err.code === 'conflict') || attempt >= 20) throw err;
    }
  }
}

/** Detaches the gateway from a lease and removes its network; each step is tried even when an earlier one failed. */
export async function tearDownLease(opts: NetworkOptions, gateway: GatewayProcess | undefined, lease: Lease, log: Log): Promise<void> {
  const steps: Array<[string, () => Promise<unknown>]> = [
    ['detach', async () => (gateway?.alive ? gateway.send({ op: 'detach', lease: lease.id }) : undefined)],
    ['disconnect', async () => (gateway ? opts.networks.disconnect(lease.networkId, gateway.containerId) : undefined)],
    ['remove', () => opts.networks.remove(lease.networkId)],
  ];
  for (const [step, run] of steps) {
    await run().catch((err: unknown) =>
      log('warn', `egress network teardown: ${step} failed`, { network: networkName(lease.id), error: errorMessage(err) }),
    );
  }
}

/** Removes egress networks whose mcpd is gone (not this one, not a live one); returns their names. */
export async function purgeOrphanNetworks(
  opts: NetworkOptions,
  isAlive: (instanceId: string) => Promise<boolean>,
  log: Log,
): Promise<string[]> {
  const removed: string[] = [];
  for (const network of await opts.networks.listManaged({ [LABELS.kind]: 'egress' })) {
    const owner = network.labels[LABELS.instance] ?? '';
    if (owner === opts.instanceId || (owner && (await isAlive(owner)))) continue;
    try {
      await opts.networks.remove(network.id);
      removed.push(network.name);
    } catch (err) {
      log('warn', 'could not remove an orphan egress network', { network: network.name, error: errorMessage(err) });
    }
  }
  return removed;
}
