import type Docker from 'dockerode';
import type { ContainerCreateOptions } from 'dockerode';
import { describe, expect, it } from 'vitest';
import { DockerodeEngine } from '../../../daemon/sandbox/dockerode-engine.js';

/** The engine's answers (what Podman 4.3 says about itself) and every spec it was asked to create. */
function podmanDouble(info: Record<string, unknown>): { docker: Docker; created: ContainerCreateOptions[] } {
  const created: ContainerCreateOptions[] = [];
  const docker = {
    modem: {},
    version: () =>
      Promise.resolve({ Components: [{ Name: 'Podman Engine' }], Version: '4.3.1', ApiVersion: '1.41', Os: 'linux', Arch: 'amd64' }),
    info: () =>
      Promise.resolve({ CgroupDriver: 'cgroupfs', MemoryLimit: true, SwapLimit: true, CpuCfsQuota: true, PidsLimit: true, ...info }),
    createContainer: (spec: ContainerCreateOptions) => {
      created.push(spec);
      return Promise.resolve({ id: 'c1' });
    },
  };
  return { docker: docker as unknown as Docker, created };
}

const SPEC: ContainerCreateOptions = {
  name: 'mcpgw-x-1',
  User: '65534:65534',
  HostConfig: { Memory: 512 * 1024 ** 2, Tmpfs: { '/tmp': 'rw,noexec,nosuid,nodev,size=64m,uid=65534,gid=65534,mode=1777' } },
};

describe('creating a container through the engine', () => {
  it('refuses, with the reason, where rootless Podman on cgroup v1 would ignore the limits; nothing is created', async () => {
    const { docker, created } = podmanDouble({ Rootless: true, CgroupVersion: '1' });
    const error = await new DockerodeEngine(docker).create(SPEC).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'sandbox_start_failed' });
    expect((error as Error).message).toBe(
      'refusing to start mcpgw-x-1: rootless Podman on cgroup v1 cannot apply memory, CPU or pids limits (it ignores them); use the rootful engine or cgroup v2 with systemd (sandbox.allowUnenforcedLimits: true runs sandboxes without their limits)',
    );
    expect(created).toEqual([]);
  });

  it('starts it anyway when the config opts out, and says so in describe()', async () => {
    const { docker, created } = podmanDouble({ Rootless: true, CgroupVersion: '1' });
    const engine = new DockerodeEngine(docker, undefined, { allowUnenforcedLimits: true });
    expect(await engine.create(SPEC)).toBe('c1');
    expect(created).toHaveLength(1);
    expect((await engine.describe()).limitsUnenforced).toMatch(/^rootless Podman on cgroup v1/);
  });

  it('sends rootful Podman the spec in its spelling', async () => {
    const { docker, created } = podmanDouble({ Rootless: false, CgroupVersion: '1' });
    await new DockerodeEngine(docker).create(SPEC);
    expect(created[0]?.HostConfig?.Tmpfs).toEqual({ '/tmp': 'rw,noexec,nosuid,nodev,size=64m,mode=1777,U,notmpcopyup' });
    expect(created[0]?.HostConfig?.Memory).toBe(512 * 1024 ** 2);
  });
});
