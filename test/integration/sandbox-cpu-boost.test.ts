import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContainerCreateOptions } from 'dockerode';
import type { ContainerEngine, EngineInfo } from '../../daemon/sandbox/engine.js';
import { SandboxPlacement } from '../../daemon/sandbox/runtime-choice.js';
import { Sandbox } from '../../daemon/sandbox/sandbox.js';
import { testServer } from '../helpers/catalog.js';
import { builder, containersOf, engine, testLaunch, testRuntime } from '../helpers/docker.js';
import { currentInstanceId } from '../../daemon/sandbox/instance.js';

interface CpuLimit {
  quota: number;
  period: number;
}

/**
 * The CPU limit the host kernel enforces on a container now: its CFS quota and period (cgroup v1, this host). The
 * cgroup is found from the container's init process, so the same code reads Docker's (cpu/docker/<id>) and Podman's
 * (cpu/libpod_parent/libpod-<id>).
 */
async function cpuLimitOf(id: string): Promise<CpuLimit> {
  const pid = (await engine.inspect(id)).State.Pid;
  const line = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).split('\n').find((l) => l.split(':')[1]?.split(',').includes('cpu'));
  if (!line) throw new Error(`container ${id} (pid ${pid}) has no cpu cgroup`);
  const dir = `/sys/fs/cgroup/cpu${line.split(':')[2]}`;
  const read = async (file: string): Promise<number> => Number((await readFile(`${dir}/${file}`, 'utf8')).trim());
  return { quota: await read('cpu.cfs_quota_us'), period: await read('cpu.cfs_period_us') };
}

const textOf = (result: { content: unknown }): string => (result.content as Array<{ text?: string }>)[0]?.text ?? '';

/** A quota of `cpus` CPUs per period. */
const cpusOf = (cpus: number, period = 100_000): CpuLimit => ({ quota: Math.round(cpus * period), period });

/** The real engine, with what mcpgw asked of it written down, and the kernel's limit just before each update. */
function recordingEngine(): {
  engine: ContainerEngine;
  created: ContainerCreateOptions[];
  updates: Array<{ id: string; nanoCpus: number; before: CpuLimit }>;
} {
  const created: ContainerCreateOptions[] = [];
  const updates: Array<{ id: string; nanoCpus: number; before: CpuLimit }> = [];
  const recording = Object.create(engine) as ContainerEngine;
  recording.create = async (spec) => {
    created.push(spec);
    return engine.create(spec);
  };
  recording.updateCpus = async (id, nanoCpus) => {
    updates.push({ id, nanoCpus, before: await cpuLimitOf(id) });
    await engine.updateCpus(id, nanoCpus);
  };
  return { engine: recording, created, updates };
}

const session = `boost-${process.pid}`;
const { cpus, facts } = await engine.describe();
const boosted = Math.min(2, cpus);
const runc = new SandboxPlacement(engine, { runtime: 'runc', startCpus: 2 });

afterAll(async () => {
  expect(await containersOf(session)).toEqual([]);
});

describe('the start boost', () => {
  it(`boots with the start CPUs and runs its first tool call under the configured 0.5 CPU (${facts.kind})`, async () => {
    const recorded = recordingEngine();
    const runtime = testRuntime({ engine: recorded.engine, placement: runc });
    try {
      const sandbox = await runtime.acquire(session, testServer('testsrv'));
      expect(recorded.created[0]?.HostConfig?.NanoCpus).toBe(boosted * 1e9);
      // The engine applied the boost (the kernel's quota while Node booted), and was asked once to take it back.
      expect(recorded.updates).toEqual([{ id: sandbox.containerId, nanoCpus: 500_000_000, before: cpusOf(boosted) }]);
      expect(await cpuLimitOf(sandbox.containerId)).toEqual(cpusOf(0.5));
      // The first tools/call reads the limit from inside the container, while the call runs: the configured one.
      const inside = JSON.parse(textOf(await sandbox.callTool('probe', {}))) as { cpu?: CpuLimit };
      expect(inside.cpu).toEqual(cpusOf(0.5));
      // Docker's inspect shows the lowered limit. Podman 4.3's keeps the NanoCpus the container was created with
      // (its own update API changes the cgroup, not the stored config): the kernel's limit above is what holds.
      const inspected = (await engine.inspect(sandbox.containerId)).HostConfig.NanoCpus;
      expect(inspected).toBe(facts.kind === 'podman' ? boosted * 1e9 : 500_000_000);
    } finally {
      await runtime.closeAll();
    }
  });

  it('is taken back by its timer from a server that never answers initialize', async () => {
    const recorded = recordingEngine();
    let lowered!: () => void;
    const loweredNow = new Promise<void>((resolve) => (lowered = resolve));
    const update = recorded.engine.updateCpus.bind(recorded.engine);
    recorded.engine.updateCpus = async (id, nanoCpus) => {
      await update(id, nanoCpus);
      lowered();
    };
    const mute = testServer('testsrv', { command: 'node', args: ['-e', 'setInterval(() => {}, 1000)'] });
    const starting = Sandbox.start({
      engine: recorded.engine,
      server: mute,
      launch: await testLaunch.resolve(mute),
      image: await builder.imageFor(mute, { build: false }),
      sessionId: `${session}-mute`,
      instanceId: currentInstanceId(),
      maxMessageBytes: 1024 * 1024,
      startTimeoutMs: 20_000,
      placement: await runc.place(mute),
      boostWindowMs: 500,
    });
    const failed = starting.then(
      () => undefined,
      (err: unknown) => err,
    );
    await loweredNow;
    const id = recorded.updates[0]!.id;
    // initialize is still unanswered, and the container is already back at its limit.
    expect(recorded.updates[0]!.before).toEqual(cpusOf(boosted));
    expect(await cpuLimitOf(id)).toEqual(cpusOf(0.5));
    // SIGTERM, not SIGKILL: Podman reports a memory-limited container's SIGKILL as an OOM kill (flavor.ts).
    await engine.kill(id, 'SIGTERM');
    expect(await failed).toMatchObject({ code: 'sandbox_crashed' });
    expect(await containersOf(`${session}-mute`)).toEqual([]);
  });

  it('is not given under gVisor, whose runtime cannot lower a running sandbox’s limit', async () => {
    // Docker's facts whatever the engine under test: Podman cannot run gVisor sandboxes (sandbox-runtime-engine).
    const docker = async (): Promise<EngineInfo> => {
      const info = await engine.describe();
      return { ...info, runtimes: ['runc', 'runsc', 'runsc-net'], facts: { ...info.facts, kind: 'docker' } };
    };
    const placement = await new SandboxPlacement({ describe: docker }, { runtime: 'runsc', startCpus: 2 }).place(testServer('testsrv'));
    expect(placement).toEqual({ runtime: { kind: 'runsc', engineRuntime: 'runsc', name: 'runsc' }, startNanoCpus: 500_000_000 });
  });
});
