import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { DockerNetworks, macFor } from '../../../daemon/egress/docker-networks.js';

/** An engine that creates every network and answers inspect with `shape`; records what was removed. */
function engineAnswering(shape: Record<string, unknown>): { docker: Docker; removed: string[] } {
  const removed: string[] = [];
  const network = (id: string) => ({
    inspect: () => Promise.resolve(shape),
    remove: () => {
      removed.push(id);
      return Promise.resolve();
    },
  });
  const docker = { createNetwork: () => Promise.resolve({ id: 'n1' }), getNetwork: network };
  return { docker: docker as unknown as Docker, removed };
}

const IPAM = (gateway: string) => ({ Config: [{ Subnet: '10.213.0.0/29', Gateway: gateway }] });

describe('egress networks as the engine made them', () => {
  it('accepts Docker’s internal network with inhibit_ipv4, and Podman’s, which gives the host no address', async () => {
    const docker = engineAnswering({
      Internal: true,
      Options: { 'com.docker.network.bridge.inhibit_ipv4': 'true' },
      IPAM: IPAM('10.213.0.1'),
    });
    expect(await new DockerNetworks(docker.docker).createInternal('mcpgw-egress-a', '10.213.0.0/29', {})).toBe('n1');
    const podman = engineAnswering({ Internal: true, Options: {}, IPAM: IPAM('<nil>') });
    expect(await new DockerNetworks(podman.docker).createInternal('mcpgw-egress-b', '10.213.0.0/29', {})).toBe('n1');
    expect([...docker.removed, ...podman.removed]).toEqual([]);
  });

  it('removes and refuses a network that gives the host an address, or is not internal', async () => {
    const leaky = engineAnswering({ Internal: true, Options: {}, IPAM: IPAM('10.213.0.1') });
    await expect(new DockerNetworks(leaky.docker).createInternal('mcpgw-egress-c', '10.213.0.0/29', {})).rejects.toThrow(
      'the engine made egress network mcpgw-egress-c with an address for the host (10.213.0.1); refusing to use it',
    );
    expect(leaky.removed).toEqual(['n1']);
    const open = engineAnswering({ Internal: false, Options: { 'com.docker.network.bridge.inhibit_ipv4': 'true' }, IPAM: IPAM('') });
    await expect(new DockerNetworks(open.docker).createInternal('mcpgw-egress-d', '10.213.0.0/29', {})).rejects.toThrow(
      /without "internal"/,
    );
    expect(open.removed).toEqual(['n1']);
  });

  it('gives an address Docker’s MAC for it, so a replaced gateway keeps the sandbox’s ARP entry valid', () => {
    expect(macFor('10.213.7.5')).toBe('02:42:0a:d5:07:05');
  });
});
