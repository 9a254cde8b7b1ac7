import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ServerConfig } from '../src/config/catalog.js';
import { testServer } from '../test/helpers/catalog.js';
import { builder, containersOf, engine, testRuntime } from '../test/helpers/docker.js';
import { startChild } from './lib/child.js';
import { memAvailable } from './lib/machine.js';
import { rounded, summarize, type Summary } from './lib/stats.js';

const SERVERS: Array<{ name: string; pkg: string; childArgs: () => string[]; childEnv: () => Record<string, string> }> = [
  { name: 'everything', pkg: '@modelcontextprotocol/server-everything', childArgs: () => [], childEnv: () => ({}) },
  {
    name: 'filesystem',
    pkg: '@modelcontextprotocol/server-filesystem',
    childArgs: () => [mkdtempSync(path.join(tmpdir(), 'bench-fs-'))],
    childEnv: () => ({}),
  },
  {
    name: 'memory',
    pkg: '@modelcontextprotocol/server-memory',
    childArgs: () => [],
    childEnv: () => ({ MEMORY_FILE_PATH: path.join(mkdtempSync(path.join(tmpdir(), 'bench-mem-')), 'm.jsonl') }),
  },
];

const ms = (t0: number): number => performance.now() - t0;

/** Cold start to `initialize` done: sandboxed vs the same server as a plain child process. */
export async function coldStart(runs: number): Promise<Record<string, { sandbox: Summary; child: Summary }>> {
  const out: Record<string, { sandbox: Summary; child: Summary }> = {};
  for (const s of SERVERS) {
    const server = testServer(s.name);
    await builder.imageFor(server, { build: true });
    const sandboxTimes: number[] = [];
    const childTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      const runtime = testRuntime();
      let t0 = performance.now();
      await runtime.acquire(`bench-cold-${i}`, server);
      sandboxTimes.push(ms(t0));
      await runtime.closeAll();
      t0 = performance.now();
      const child = await startChild(s.pkg, s.childArgs(), s.childEnv());
      childTimes.push(ms(t0));
      await child.close();
    }
    out[s.name] = { sandbox: rounded(summarize(sandboxTimes)), child: rounded(summarize(childTimes)) };
    process.stderr.write(`cold start ${s.name}: sandbox p50 ${out[s.name]!.sandbox.p50} ms, child p50 ${out[s.name]!.child.p50} ms\n`);
  }
  return out;
}

/** Sequential echo round trips through server-everything: sandboxed vs plain child process. */
export async function echoRoundTrip(calls: number): Promise<{ sandbox: Summary; child: Summary; addedP50Ms: number; ratioP50: number }> {
  const warmup = 200;
  const runtime = testRuntime();
  const sandbox = await runtime.acquire('bench-echo', testServer('everything'));
  const sandboxTimes: number[] = [];
  for (let i = 0; i < warmup + calls; i++) {
    const t0 = performance.now();
    await sandbox.callTool('echo', { message: `m${i}` });
    if (i >= warmup) sandboxTimes.push(ms(t0));
  }
  await runtime.closeAll();
  const child = await startChild('@modelcontextprotocol/server-everything');
  const childTimes: number[] = [];
  for (let i = 0; i < warmup + calls; i++) {
    const t0 = performance.now();
    await child.callTool({ name: 'echo', arguments: { message: `m${i}` } });
    if (i >= warmup) childTimes.push(ms(t0));
  }
  await child.close();
  const sb = rounded(summarize(sandboxTimes));
  const ch = rounded(summarize(childTimes));
  process.stderr.write(`echo: sandbox p50 ${sb.p50} ms, child p50 ${ch.p50} ms\n`);
  return {
    sandbox: sb,
    child: ch,
    addedP50Ms: Math.round((sb.p50 - ch.p50) * 1000) / 1000,
    ratioP50: Math.round((sb.p50 / ch.p50) * 100) / 100,
  };
}

/** A container's memory use from its cgroup (v1 or v2), in bytes; NaN when it cannot be read. */
export function containerMemory(id: string): number {
  for (const file of [
    `/sys/fs/cgroup/memory/docker/${id}/memory.usage_in_bytes`,
    `/sys/fs/cgroup/memory/libpod_parent/libpod-${id}/memory.usage_in_bytes`,
    `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.current`,
  ]) {
    try {
      return Number(readFileSync(file, 'utf8').trim());
    } catch {
      // try the next cgroup layout
    }
  }
  return NaN;
}

/** N sandboxes started at once: time until all are ready, memory per sandbox, cross-talk, leftovers. */
export async function concurrentStarts(counts: number[]): Promise<Array<Record<string, number>>> {
  const server: ServerConfig = testServer('everything');
  const results: Array<Record<string, number>> = [];
  for (const n of counts) {
    const runtime = testRuntime({ maxContainers: Math.max(128, n) });
    const before = memAvailable();
    const t0 = performance.now();
    const sandboxes = await Promise.all(Array.from({ length: n }, (_, i) => runtime.acquire(`bench-conc-${n}-${i}`, server)));
    const allReadyMs = ms(t0);
    const hostBytes = (before - memAvailable()) / n;
    const cgroupBytes = sandboxes.map((s) => containerMemory(s.containerId)).reduce((a, b) => a + b, 0) / n;
    let crossTalk = 0;
    await Promise.all(
      sandboxes.map(async (s, i) => {
        const payload = `payload-${n}-${i}-${Math.random().toString(36).slice(2)}`;
        const result = await s.callTool('echo', { message: payload });
        const text = (result.content as Array<{ text?: string }>)[0]?.text;
        if (text !== `Echo: ${payload}`) crossTalk++;
      }),
    );
    const t1 = performance.now();
    await runtime.closeAll();
    const teardownMs = ms(t1);
    let left = 0;
    for (let i = 0; i < n; i++) left += (await containersOf(`bench-conc-${n}-${i}`)).length;
    const row = {
      sandboxes: n,
      allReadyMs: Math.round(allReadyMs),
      startsPerSecond: Math.round((n / allReadyMs) * 1000 * 10) / 10,
      hostMiBPerSandbox: Math.round((hostBytes / 1024 ** 2) * 10) / 10,
      cgroupMiBPerSandbox: Math.round((cgroupBytes / 1024 ** 2) * 10) / 10,
      crossTalk,
      teardownMs: Math.round(teardownMs),
      containersLeft: left,
    };
    process.stderr.write(`concurrent ${n}: ${JSON.stringify(row)}\n`);
    results.push(row);
  }
  return results;
}

/** Fails loudly if the engine is not there; a benchmark without Docker would measure nothing. */
export async function requireDocker(): Promise<void> {
  await engine.ping();
}
