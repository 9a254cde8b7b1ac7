import Docker from 'dockerode';
import { McpgwError } from '../../src/errors.js';
import { MANAGED_FILTER } from '../sandbox/labels.js';

export interface ManagedNetwork {
  id: string;
  name: string;
  labels: Record<string, string>;
  /** Containers still attached. */
  containers: number;
}

/** One network a container is on: its address there and that network's gateway (the Docker host's side). */
export interface ContainerAddress {
  network: string;
  ip: string;
  gateway: string;
}

/** The Docker network operations the egress gateway needs; the engine interface stays about containers. */
export interface NetworkEngine {
  /** Creates an internal network (no route out, no address for the host on it); throws `conflict` on overlap. */
  createInternal(name: string, subnet: string, labels: Record<string, string>): Promise<string>;
  /** Removes a network; one that is already gone is not an error. */
  remove(id: string): Promise<void>;
  connect(network: string, container: string, options: { ip?: string; aliases?: string[] }): Promise<void>;
  /** Forcibly detaches; a container or network that is already gone is not an error. */
  disconnect(network: string, container: string): Promise<void>;
  listManaged(labels?: Record<string, string>): Promise<ManagedNetwork[]>;
  addresses(container: string): Promise<ContainerAddress[]>;
}

function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err ? Number((err as { statusCode: unknown }).statusCode) : undefined;
}

function messageOf(err: unknown): string {
  return (err as { json?: { message?: string } } | undefined)?.json?.message ?? (err as Error | undefined)?.message ?? String(err);
}

/** Docker's MAC for an IPv4 address on a bridge network: 02:42 followed by the address's four bytes. */
export function macFor(ip: string): string {
  return ['02', '42', ...ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':');
}

/** The real thing, over dockerode. */
export class DockerNetworks implements NetworkEngine {
  constructor(private readonly docker: Docker = new Docker()) {}

  async createInternal(name: string, subnet: string, labels: Record<string, string>): Promise<string> {
    let id: string;
    try {
      const network = await this.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        Internal: true,
        CheckDuplicate: true,
        EnableIPv6: false,
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] },
        // Without this the host gets an address on every bridge, and an internal network still reaches the host's
        // services through it (Docker filters forwarding, not traffic to the host itself).
        Options: { 'com.docker.network.bridge.inhibit_ipv4': 'true' },
        Labels: labels,
      });
      id = network.id;
    } catch (err) {
      if (/overlap/i.test(messageOf(err))) throw new McpgwError('conflict', `subnet ${subnet} is taken`, { cause: err });
      throw new McpgwError('internal', `docker network create failed: ${messageOf(err)}`, { cause: err });
    }
    await this.checkSealed(id, name);
    return id;
  }

  /**
   * Refuses a network the engine did not make as asked: Podman ignores `inhibit_ipv4` (with a warning), which is
   * fine only because its internal networks give the host no address at all. Anything else is removed, not used.
   */
  private async checkSealed(id: string, name: string): Promise<void> {
    const info = (await this.docker.getNetwork(id).inspect()) as {
      Internal?: boolean;
      Options?: Record<string, string> | null;
      IPAM?: { Config?: Array<{ Gateway?: string }> | null };
    };
    const inhibited = info.Options?.['com.docker.network.bridge.inhibit_ipv4'] === 'true';
    const hostAddress = (info.IPAM?.Config ?? []).map((c) => c.Gateway ?? '').find((g) => g !== '' && g !== '<nil>');
    if (info.Internal === true && (inhibited || hostAddress === undefined)) return;
    await this.remove(id).catch(() => undefined);
    throw new McpgwError(
      'sandbox_start_failed',
      `the engine made egress network ${name} ${info.Internal === true ? `with an address for the host (${hostAddress})` : 'without "internal"'}; refusing to use it`,
    );
  }

  async remove(id: string): Promise<void> {
    try {
      await this.docker.getNetwork(id).remove();
    } catch (err) {
      if (statusOf(err) !== 404) throw new McpgwError('internal', `docker network rm failed: ${messageOf(err)}`, { cause: err });
    }
  }

  async connect(network: string, container: string, options: { ip?: string; aliases?: string[] }): Promise<void> {
    try {
      await this.docker.getNetwork(network).connect({
        Container: container,
        EndpointConfig: {
          // The MAC follows the address as Docker derives it (02:42 + the IPv4 bytes). Podman picks a random one, so a
          // replaced gateway at the same address would be unreachable until the sandbox's ARP entry expired.
          ...(options.ip ? { IPAMConfig: { IPv4Address: options.ip }, MacAddress: macFor(options.ip) } : {}),
          ...(options.aliases ? { Aliases: options.aliases } : {}),
        },
      });
    } catch (err) {
      throw new McpgwError('internal', `docker network connect failed: ${messageOf(err)}`, { cause: err });
    }
  }

  async disconnect(network: string, container: string): Promise<void> {
    try {
      await this.docker.getNetwork(network).disconnect({ Container: container, Force: true });
    } catch (err) {
      const status = statusOf(err);
      if (status === 404 || (status === 403 && /not connected/i.test(messageOf(err)))) return;
      throw new McpgwError('internal', `docker network disconnect failed: ${messageOf(err)}`, { cause: err });
    }
  }

  async listManaged(labels: Record<string, string> = {}): Promise<ManagedNetwork[]> {
    const filters = { label: [...MANAGED_FILTER.label, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)] };
    const list = await this.docker.listNetworks({ filters });
    return list.map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {}, containers: Object.keys(n.Containers ?? {}).length }));
  }

  async addresses(container: string): Promise<ContainerAddress[]> {
    const info = await this.docker.getContainer(container).inspect();
    return Object.entries(info.NetworkSettings.Networks ?? {}).map(([network, n]) => ({
      network,
      ip: n.IPAddress,
      gateway: n.Gateway,
    }));
  }
}
