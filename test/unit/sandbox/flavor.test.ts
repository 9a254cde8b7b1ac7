import { describe, expect, it } from 'vitest';
import {
  adaptSpec,
  engineFacts,
  normalizeTag,
  podmanTmpfsOptions,
  runtimeRefusal,
  unenforceableLimits,
  wasOomKilled,
} from '../../../daemon/sandbox/flavor.js';
import { buildContainerSpec, TMPFS_OPTIONS } from '../../../daemon/sandbox/spec.js';
import { serverOf } from '../../helpers/catalog.js';

const DOCKER_VERSION = { Components: [{ Name: 'Engine' }, { Name: 'containerd' }, { Name: 'runc' }] };
const PODMAN_VERSION = { Components: [{ Name: 'Podman Engine' }, { Name: 'Conmon' }, { Name: 'OCI Runtime (runc)' }] };
/** /info of an engine that can enforce every limit (rootful, cgroup v1, cgroupfs: this CI machine). */
const ROOTFUL_INFO = {
  CgroupVersion: '1',
  CgroupDriver: 'cgroupfs',
  SecurityOptions: ['name=seccomp,profile=default'],
  MemoryLimit: true,
  SwapLimit: true,
  CpuCfsQuota: true,
  PidsLimit: true,
};

function hardenedSpec(): ReturnType<typeof buildContainerSpec> {
  const server = serverOf('memory', { build: { npm: ['@modelcontextprotocol/server-memory'] }, command: 'mcp-server-memory' });
  return buildContainerSpec({
    server,
    launch: { env: {}, args: [], mounts: [] },
    image: 'mcpgw/memory:abc',
    sessionId: 's1',
    instanceId: 'i1',
    containerName: 'mcpgw-memory-1',
    imageVolumes: ['/state'],
  });
}

describe('engine facts', () => {
  it('tells Podman from Docker by the version components', () => {
    expect(engineFacts(DOCKER_VERSION, ROOTFUL_INFO).kind).toBe('docker');
    expect(engineFacts(PODMAN_VERSION, ROOTFUL_INFO).kind).toBe('podman');
  });

  it('reads rootless from Docker’s security options and from Podman’s Rootless field', () => {
    expect(
      engineFacts(DOCKER_VERSION, { ...ROOTFUL_INFO, SecurityOptions: ['name=seccomp,profile=default', 'name=rootless'] }).rootless,
    ).toBe(true);
    expect(engineFacts(PODMAN_VERSION, { ...ROOTFUL_INFO, Rootless: true }).rootless).toBe(true);
    expect(engineFacts(PODMAN_VERSION, { ...ROOTFUL_INFO, Rootless: false }).rootless).toBe(false);
  });

  it('takes a missing capability field as "cannot enforce"', () => {
    expect(engineFacts(DOCKER_VERSION, { CgroupVersion: '2' })).toMatchObject({ memoryLimit: false, pidsLimit: false, cpuQuota: false });
  });
});

describe('limits the engine cannot enforce', () => {
  it('accepts a rootful engine that reports every limit', () => {
    expect(unenforceableLimits(engineFacts(PODMAN_VERSION, ROOTFUL_INFO))).toBeUndefined();
    expect(unenforceableLimits(engineFacts(DOCKER_VERSION, ROOTFUL_INFO))).toBeUndefined();
  });

  it('refuses rootless Podman on cgroup v1, with the reason, even though its /info claims the limits', () => {
    const facts = engineFacts(PODMAN_VERSION, { ...ROOTFUL_INFO, Rootless: true });
    expect(unenforceableLimits(facts)).toMatch(/^rootless Podman on cgroup v1 cannot apply memory, CPU or pids limits/);
  });

  it('refuses a rootless engine on cgroup v2 without systemd, and accepts it with systemd', () => {
    const v2 = { ...ROOTFUL_INFO, CgroupVersion: '2', SecurityOptions: ['name=rootless'] };
    expect(unenforceableLimits(engineFacts(DOCKER_VERSION, { ...v2, CgroupDriver: 'none' }))).toMatch(/"none" cgroup manager/);
    expect(unenforceableLimits(engineFacts(DOCKER_VERSION, { ...v2, CgroupDriver: 'systemd' }))).toBeUndefined();
  });

  it('names each limit the engine says it cannot enforce', () => {
    const facts = engineFacts(DOCKER_VERSION, { ...ROOTFUL_INFO, SwapLimit: false, PidsLimit: false });
    expect(unenforceableLimits(facts)).toBe('the Docker engine says it cannot enforce swap, pids limits');
  });
});

describe('the spec per engine', () => {
  it('leaves Docker’s spec exactly as built', () => {
    const spec = hardenedSpec();
    expect(adaptSpec(spec, 'docker')).toBe(spec);
  });

  it('spells the tmpfs owner as U for Podman and changes nothing else', () => {
    const spec = hardenedSpec();
    const adapted = adaptSpec(spec, 'podman');
    const podmanTmpfs = 'rw,noexec,nosuid,nodev,size=64m,mode=1777,U,notmpcopyup';
    expect(adapted.HostConfig?.Tmpfs).toEqual({ '/tmp': podmanTmpfs, '/state': podmanTmpfs });
    expect({ ...adapted, HostConfig: { ...adapted.HostConfig, Tmpfs: undefined } }).toEqual({
      ...spec,
      HostConfig: { ...spec.HostConfig, Tmpfs: undefined },
    });
    expect(spec.HostConfig?.Tmpfs?.['/tmp']).toBe(TMPFS_OPTIONS); // the input is not modified
  });

  it('refuses a tmpfs owner other than the container’s user rather than dropping it', () => {
    expect(() => podmanTmpfsOptions('rw,uid=1000,gid=1000', '65534:65534', '/tmp')).toThrow(
      /Podman cannot make the tmpfs at \/tmp owned by uid=1000/,
    );
    expect(() => podmanTmpfsOptions('rw,uid=65534,gid=0', '65534:65534', '/tmp')).toThrow(/owned by gid=0/);
  });

  it('keeps an option string without an owner as it is, but for notmpcopyup', () => {
    expect(podmanTmpfsOptions('rw,noexec,size=8m', '65534:65534', '/x')).toBe('rw,noexec,size=8m,notmpcopyup');
  });
});

describe('what the engine reports back', () => {
  it('names images without Podman’s docker.io/ prefix', () => {
    expect(normalizeTag('docker.io/mcpgw/testsrv:abc')).toBe('mcpgw/testsrv:abc');
    expect(normalizeTag('docker.io/library/node:20')).toBe('node:20');
    expect(normalizeTag('mcpgw/testsrv:abc')).toBe('mcpgw/testsrv:abc');
    expect(normalizeTag('localhost/mcpgw/testsrv:abc')).toBe('localhost/mcpgw/testsrv:abc');
  });

  it('counts a SIGKILL of a memory-limited container as an OOM kill only under Podman, which never reports one', () => {
    const killed = { reported: false, exitCode: 137, memoryLimited: true };
    expect(wasOomKilled('podman', killed)).toBe(true);
    expect(wasOomKilled('docker', killed)).toBe(false);
    expect(wasOomKilled('podman', { ...killed, exitCode: 1 })).toBe(false);
    expect(wasOomKilled('podman', { ...killed, memoryLimited: false })).toBe(false);
    expect(wasOomKilled('docker', { ...killed, reported: true })).toBe(true);
  });
});

describe('runtimes per engine', () => {
  it('lets Docker choose any runtime per container', () => {
    expect(runtimeRefusal('docker', 'runsc', 'runc')).toBeUndefined();
    expect(runtimeRefusal('docker', 'runc', 'runsc')).toBeUndefined();
  });

  it('refuses gVisor on Podman, whose Docker API ignores a container’s runtime, and lets runc and auto run', () => {
    expect(runtimeRefusal('podman', 'runsc', 'runc')).toBe(
      'runtime "runsc" is configured but Podman cannot run a sandbox under gVisor: Podman\'s Docker API ignores a container\'s runtime and would run it under runc; use Docker with scripts/gvisor.sh, or set "runtime": "runc"',
    );
    expect(runtimeRefusal('podman', 'runc', 'runc')).toBeUndefined();
    expect(runtimeRefusal('podman', 'auto', 'crun')).toBeUndefined();
  });

  it('refuses every sandbox on a Podman whose default runtime is gVisor (it could not be told to use runc)', () => {
    for (const setting of ['runc', 'runsc', 'auto'] as const) {
      expect(runtimeRefusal('podman', setting, 'runsc')).toMatch(/^Podman's default runtime is gVisor's "runsc"/);
    }
  });
});
