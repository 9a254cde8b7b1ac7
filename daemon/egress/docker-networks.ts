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

/** The real thing, over dockerode. */
export class DockerNetworks implements NetworkEngine {
  constructor(private readonly docker: Docker = new Docker()) {}

  async createInternal(name: string, subnet: string, labels: Record<string, string>): Promise<string> {
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
      return network.id;
    } catch (err) {
      if (/overlap/i.test(messageOf(err))) throw new McpgwError('conflict', `subnet ${subnet} is taken`, { cause: err });
      throw new McpgwError('internal', `docker network create failed: ${messageOf(err)}`, { cause: err });
    }
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
          ...(options.ip ? { IPAMConfig: { IPv4Address: options.ip } } : {}),
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
