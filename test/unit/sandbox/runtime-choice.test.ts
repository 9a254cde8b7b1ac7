import { describe, expect, it } from 'vitest';
import { SandboxPlacement, withRuntimeCheck } from '../../../daemon/sandbox/runtime-choice.js';
import { buildContainerSpec } from '../../../daemon/sandbox/spec.js';
import { parseCatalog, type ServerConfig } from '../../../src/config/catalog.js';
import { chooseRuntime } from '../../../src/config/sandbox-runtime.js';
import type { EngineInfo } from '../../../daemon/sandbox/engine.js';

const docker = { runtimes: ['io.containerd.runc.v2', 'runc'], defaultRuntime: 'runc' };
const gvisor = { runtimes: ['runc', 'runsc', 'runsc-net'], defaultRuntime: 'runc' };
const offlineOnly = { runtimes: ['runc', 'runsc'], defaultRuntime: 'runc' };

describe('chooseRuntime', () => {
  it('runs runc as the engine default, named as the engine names it', () => {
    expect(chooseRuntime('runc', false, docker)).toEqual({ ok: true, choice: { kind: 'runc', engineRuntime: undefined, name: 'runc' } });
    expect(chooseRuntime('runc', false, { runtimes: ['crun', 'runc'], defaultRuntime: 'crun' })).toEqual({
      ok: true,
      choice: { kind: 'runc', engineRuntime: undefined, name: 'crun' },
    });
  });

  it('asks for runc by name when the engine defaults to gVisor', () => {
    expect(chooseRuntime('runc', true, { ...gvisor, defaultRuntime: 'runsc' })).toEqual({
      ok: true,
      choice: { kind: 'runc', engineRuntime: 'runc', name: 'runc' },
    });
  });

  it('runs runsc without a network and runsc-net with one', () => {
    expect(chooseRuntime('runsc', false, gvisor)).toEqual({ ok: true, choice: { kind: 'runsc', engineRuntime: 'runsc', name: 'runsc' } });
    expect(chooseRuntime('runsc', true, gvisor)).toEqual({
      ok: true,
      choice: { kind: 'runsc', engineRuntime: 'runsc-net', name: 'runsc-net' },
    });
  });

  it('refuses a runsc the engine lacks, with the reason, never runc instead', () => {
    const refused = chooseRuntime('runsc', false, docker);
    expect(refused).toEqual({
      ok: false,
      reason:
        'runtime "runsc" is configured but the engine has no gVisor\'s "runsc" runtime (it lists: io.containerd.runc.v2, runc); run scripts/gvisor.sh to register gVisor, or set "runtime": "runc"',
    });
    const networked = chooseRuntime('runsc', true, offlineOnly);
    expect(networked.ok).toBe(false);
    expect(!networked.ok && networked.reason).toMatch(/a server with a network runs under gVisor's "runsc-net" runtime/);
  });

  it('auto takes gVisor where the engine has it and runc where it does not', () => {
    expect(chooseRuntime('auto', false, gvisor)).toMatchObject({ ok: true, choice: { kind: 'runsc', engineRuntime: 'runsc' } });
    expect(chooseRuntime('auto', false, docker)).toMatchObject({ ok: true, choice: { kind: 'runc' } });
    expect(chooseRuntime('auto', true, offlineOnly)).toMatchObject({ ok: true, choice: { kind: 'runc' } });
  });
});

const info = (runtimes: string[]): EngineInfo => ({
  name: 'Docker',
  version: '20.10.24',
  apiVersion: '1.41',
  os: 'linux/amd64',
  runtimes,
  defaultRuntime: 'runc',
  rootDir: '/var/lib/docker',
  cgroupVersion: '1',
  facts: {
    kind: 'docker',
    cgroupVersion: '1',
    cgroupDriver: 'cgroupfs',
    rootless: false,
    memoryLimit: true,
    swapLimit: true,
    cpuQuota: true,
    pidsLimit: true,
  },
  cpus: 2,
});

const podman = (runtimes: string[]): EngineInfo => {
  const docker = info(runtimes);
  return { ...docker, name: 'Podman', version: '4.3.1', facts: { ...docker.facts, kind: 'podman' } };
};

function catalogOf(doc: Record<string, unknown>): {
  servers: Map<string, ServerConfig>;
  runtime: 'runc' | 'runsc' | 'auto';
} {
  const parsed = parseCatalog(doc);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return { servers: parsed.catalog.servers, runtime: parsed.catalog.sandbox.runtime };
}

describe('sandbox.runtime and a server’s runtime', () => {
  const doc = {
    sandbox: { runtime: 'runsc' },
    mcpServers: {
      walled: { image: 'x' },
      plain: { image: 'x', runtime: 'runc' },
      online: { image: 'x', network: 'bridge' },
    },
  };

  it('parse with runc as the default, and refuse anything else', () => {
    expect(catalogOf({})).toMatchObject({ runtime: 'runc' });
    expect(parseCatalog({ sandbox: { runtime: 'kata' } }).ok).toBe(false);
    const bad = parseCatalog({ mcpServers: { s: { image: 'x', runtime: 'kata' } } });
    expect(bad.ok && bad.catalog.unavailable.get('s')?.reason).toMatch(/mcpServers\.s\.runtime/);
  });

  it('place each server on its own runtime, the server’s setting winning', async () => {
    const { servers, runtime } = catalogOf(doc);
    const placement = new SandboxPlacement({ describe: async () => info(['runc', 'runsc', 'runsc-net']) }, { runtime });
    expect((await placement.place(servers.get('walled')!)).runtime.name).toBe('runsc');
    expect((await placement.place(servers.get('online')!)).runtime.name).toBe('runsc-net');
    expect(await placement.place(servers.get('plain')!)).toEqual({ runtime: { kind: 'runc', engineRuntime: undefined, name: 'runc' } });
  });

  it('refuse runsc on Podman, which lists it but runs runc, and run auto there under its default runtime', async () => {
    const { servers, runtime } = catalogOf(doc);
    const placement = new SandboxPlacement({ describe: async () => podman(['crun', 'runc', 'runsc', 'runsc-net']) }, { runtime });
    const launch = withRuntimeCheck({ resolve: async () => ({ env: {}, args: [], mounts: [] }), check: async () => undefined }, placement);
    expect(await launch.check(servers.get('walled')!)).toMatch(
      /^runtime "runsc" is configured but Podman cannot run a sandbox under gVisor/,
    );
    await expect(placement.place(servers.get('online')!)).rejects.toMatchObject({
      code: 'server_unavailable',
      message: expect.stringMatching(/^server "online" cannot start: runtime "runsc" is configured but Podman/),
    });
    const auto = new SandboxPlacement({ describe: async () => podman(['crun', 'runc', 'runsc', 'runsc-net']) }, { runtime: 'auto' });
    expect((await auto.place(servers.get('walled')!)).runtime).toEqual({ kind: 'runc', engineRuntime: undefined, name: 'runc' });
  });

  it('make a server unavailable, with the reason, on an engine without gVisor', async () => {
    const { servers, runtime } = catalogOf(doc);
    const placement = new SandboxPlacement({ describe: async () => info(['runc']) }, { runtime });
    const launch = withRuntimeCheck({ resolve: async () => ({ env: {}, args: [], mounts: [] }), check: async () => undefined }, placement);
    expect(await launch.check(servers.get('walled')!)).toMatch(/^runtime "runsc" is configured but the engine has no/);
    expect(await launch.check(servers.get('plain')!)).toBeUndefined();
    await expect(placement.place(servers.get('walled')!)).rejects.toMatchObject({ code: 'server_unavailable' });
  });

  it('put the engine runtime into the container spec', () => {
    const server = catalogOf(doc).servers.get('walled')!;
    const spec = buildContainerSpec({
      server,
      launch: { env: {}, args: [], mounts: [] },
      image: 'x',
      sessionId: 's',
      instanceId: 'i',
      containerName: 'c',
      runtime: 'runsc',
    });
    expect(spec.HostConfig).toMatchObject({ Runtime: 'runsc' });
    expect(
      buildContainerSpec({
        server,
        launch: { env: {}, args: [], mounts: [] },
        image: 'x',
        sessionId: 's',
        instanceId: 'i',
        containerName: 'c',
      }).HostConfig,
    ).not.toHaveProperty('Runtime');
  });
});

describe('engine info for placement', () => {
  const plain = catalogOf({ mcpServers: { plain: { image: 'x' } } }).servers.get('plain')!;

  it('is asked once, then refreshed in the background: a start never waits for a stale answer', async () => {
    let asked = 0;
    let release: (() => void) | undefined;
    const engine = {
      describe: () => {
        asked++;
        if (asked === 1) return Promise.resolve(info(['runc']));
        // The refresh hangs until released: starts meanwhile get the last answer.
        return new Promise<EngineInfo>((resolve) => (release = () => resolve(info(['runc', 'runsc', 'runsc-net']))));
      },
    };
    const placement = new SandboxPlacement(engine, { runtime: 'auto', cacheMs: 0 });
    expect((await placement.place(plain)).runtime.name).toBe('runc');
    await new Promise((r) => setTimeout(r, 2));
    expect((await placement.place(plain)).runtime.name).toBe('runc');
    expect((await placement.place(plain)).runtime.name).toBe('runc');
    expect(asked).toBe(2); // one refresh in flight at a time
    release?.();
    await new Promise((r) => setTimeout(r, 0));
    expect((await placement.place(plain)).runtime.name).toBe('runsc');
  });

  it('forgets a failed first answer, and keeps the last good one when a refresh fails', async () => {
    let fail = true;
    let asked = 0;
    const engine = {
      describe: () => {
        asked++;
        return fail ? Promise.reject(new Error('engine down')) : Promise.resolve(info(['runc']));
      },
    };
    const placement = new SandboxPlacement(engine, { runtime: 'runc', cacheMs: 0 });
    await expect(placement.place(plain)).rejects.toThrow('engine down');
    fail = false;
    expect((await placement.place(plain)).runtime.name).toBe('runc');
    fail = true;
    await new Promise((r) => setTimeout(r, 2));
    expect((await placement.place(plain)).runtime.name).toBe('runc');
    await new Promise((r) => setTimeout(r, 0));
    expect((await placement.place(plain)).runtime.name).toBe('runc');
    expect(asked).toBeGreaterThanOrEqual(3);
  });
});
