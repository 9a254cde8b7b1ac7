import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContainerCreateOptions } from 'dockerode';
import type { ContainerEngine } from '../../daemon/sandbox/engine.js';
import { SandboxPlacement } from '../../daemon/sandbox/runtime-choice.js';
import { Sandbox } from '../../daemon/sandbox/sandbox.js';
import { testServer } from '../helpers/catalog.js';
import { builder, containersOf, engine, testLaunch, testRuntime } from '../helpers/docker.js';
import { currentInstanceId } from '../../daemon/sandbox/instance.js';

// This host is cgroup v1 with the cgroupfs driver: a container's CPU quota is in /sys/fs/cgroup/cpu/docker/<id>/.
const quotaOf = async (id: string): Promise<number> =>
  Number((await readFile(`/sys/fs/cgroup/cpu/docker/${id}/cpu.cfs_quota_us`, 'utf8')).trim());
const periodOf = async (id: string): Promise<number> =>
  Number((await readFile(`/sys/fs/cgroup/cpu/docker/${id}/cpu.cfs_period_us`, 'utf8')).trim());

/** The real engine, with what mcpgw asked of it written down. */
function recordingEngine(): {
  engine: ContainerEngine;
  created: ContainerCreateOptions[];
  updates: Array<{ id: string; nanoCpus: number }>;
} {
  const created: ContainerCreateOptions[] = [];
  const updates: Array<{ id: string; nanoCpus: number }> = [];
  const recording = Object.create(engine) as ContainerEngine;
  recording.create = async (spec) => {
    created.push(spec);
    return engine.create(spec);
  };
  recording.updateCpus = async (id, nanoCpus) => {
    updates.push({ id, nanoCpus });
    await engine.updateCpus(id, nanoCpus);
  };
  return { engine: recording, created, updates };
}

const session = `boost-${process.pid}`;
const cpus = (await engine.describe()).cpus;
const runc = new SandboxPlacement(engine, { runtime: 'runc', startCpus: 2 });

afterAll(async () => {
  expect(await containersOf(session)).toEqual([]);
});

describe('the start boost', () => {
  it('starts with the start CPUs and runs its first tool call under the configured 0.5 CPU', async () => {
    const recorded = recordingEngine();
    // The engine takes its time to lower the CPUs: the call is made while the update is still in flight.
    let updated!: () => void;
    const updateDone = new Promise<void>((resolve) => (updated = resolve));
    const update = recorded.engine.updateCpus.bind(recorded.engine);
    const events: string[] = [];
    recorded.engine.updateCpus = async (id, nanoCpus) => {
      await new Promise((r) => setTimeout(r, 300));
      await update(id, nanoCpus);
      events.push('lowered');
      updated();
    };
    const runtime = testRuntime({ engine: recorded.engine, placement: runc });
    try {
      const sandbox = await runtime.acquire(session, testServer('testsrv'));
      const boosted = Math.min(2, cpus) * 1e9;
      expect(recorded.created[0]?.HostConfig?.NanoCpus).toBe(boosted);
      // Listing tools runs none: it is answered while the CPUs are still being lowered.
      expect((await sandbox.listTools()).length).toBeGreaterThan(0);
      events.push('listed');
      const probed = sandbox.callTool('probe', {}).then((result) => {
        events.push('called');
        return result;
      });
      await updateDone;
      const [first] = (await probed).content;
      const probe = JSON.parse(first?.type === 'text' ? first.text : '{}') as { cpu?: { quota: number; period: number } };
      expect(events).toEqual(['listed', 'lowered', 'called']);
      expect(recorded.updates).toEqual([{ id: sandbox.containerId, nanoCpus: 500_000_000 }]);
      // What the kernel enforced while the tool ran, seen from inside the container: the configured 0.5 CPU.
      expect(probe.cpu).toBeDefined();
      expect(probe.cpu!.quota).toBe(probe.cpu!.period / 2);
      // And from the engine's side.
      expect((await engine.inspect(sandbox.containerId)).HostConfig.NanoCpus).toBe(500_000_000);
      expect(await quotaOf(sandbox.containerId)).toBe((await periodOf(sandbox.containerId)) / 2);
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
    expect(await quotaOf(id)).toBe((await periodOf(id)) / 2);
    expect((await engine.inspect(id)).HostConfig.NanoCpus).toBe(500_000_000);
    await engine.kill(id, 'SIGKILL');
    expect(await failed).toMatchObject({ code: 'sandbox_crashed' });
    expect(await containersOf(`${session}-mute`)).toEqual([]);
  });

  it('is not given under gVisor, whose runtime cannot lower a running sandbox’s limit', async () => {
    const placement = await new SandboxPlacement(
      { describe: async () => ({ ...(await engine.describe()), runtimes: ['runc', 'runsc', 'runsc-net'] }) },
      { runtime: 'runsc', startCpus: 2 },
    ).place(testServer('testsrv'));
    expect(placement).toEqual({ runtime: { kind: 'runsc', engineRuntime: 'runsc', name: 'runsc' }, startNanoCpus: 500_000_000 });
  });
});
