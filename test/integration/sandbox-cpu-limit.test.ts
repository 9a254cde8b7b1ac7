import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { CPU_PERIOD_US } from '../../daemon/sandbox/spec.js';
import { testServer } from '../helpers/catalog.js';
import { containersOf, engine, testRuntime } from '../helpers/docker.js';

/**
 * A container's cpu cgroup on the host (cgroup v1, this machine), found from its init process: the same code reads
 * Docker's (cpu/docker/<id>) and Podman's (cpu/libpod_parent/libpod-<id>).
 */
async function cpuCgroupOf(id: string): Promise<string> {
  const pid = (await engine.inspect(id)).State.Pid;
  const line = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).split('\n').find((l) => l.split(':')[1]?.split(',').includes('cpu'));
  if (!line) throw new Error(`container ${id} (pid ${pid}) has no cpu cgroup`);
  return `/sys/fs/cgroup/cpu${line.split(':')[2]}`;
}

/** What the kernel enforces and has done: quota and period, and how often the container was throttled. */
async function cpuOf(id: string): Promise<{ quota: number; period: number; throttled: number }> {
  const dir = await cpuCgroupOf(id);
  const read = async (file: string): Promise<string> => (await readFile(`${dir}/${file}`, 'utf8')).trim();
  const stat = Object.fromEntries((await read('cpu.stat')).split('\n').map((l) => l.split(' ') as [string, string]));
  return {
    quota: Number(await read('cpu.cfs_quota_us')),
    period: Number(await read('cpu.cfs_period_us')),
    throttled: Number(stat.nr_throttled),
  };
}

const textOf = (result: { content: unknown }): string => (result.content as Array<{ text?: string }>)[0]?.text ?? '';
const session = `cpu-${process.pid}`;
const { facts } = await engine.describe();

afterAll(async () => {
  expect(await containersOf(session)).toEqual([]);
});

describe(`the CPU limit (${facts.kind})`, () => {
  it('is the configured 0.5 CPU from the first instruction, over a 1 s period: the server boots unthrottled', async () => {
    const runtime = testRuntime();
    try {
      const sandbox = await runtime.acquire(session, testServer('testsrv'));
      const half = { quota: CPU_PERIOD_US / 2, period: CPU_PERIOD_US };
      // Booting Node and answering initialize took less than a period's quota: the kernel never had to throttle it.
      expect(await cpuOf(sandbox.containerId)).toEqual({ ...half, throttled: 0 });
      // The same limit, seen from inside while a tool runs.
      const probe = JSON.parse(textOf(await sandbox.callTool('probe', {}))) as { cpu?: { quota: number; period: number } };
      expect(probe.cpu).toEqual(half);
      // A tool that keeps a CPU busy is held to the average: the kernel throttles it once its second's share is spent.
      const burnt = JSON.parse(textOf(await sandbox.callTool('burn', { ms: 2500 }))) as { cpuMs: number };
      const after = await cpuOf(sandbox.containerId);
      expect(after.throttled).toBeGreaterThan(0);
      // 2.5 s of wall time touches at most four periods, each giving 0.5 s: never the 2.5 s a free CPU would give.
      expect(burnt.cpuMs).toBeLessThanOrEqual(4 * 500 + 50);
    } finally {
      await runtime.closeAll();
    }
  });
});
