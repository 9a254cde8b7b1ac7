// Cold starts, first results, echo and memory per engine and runtime (issue 14), each next to a plain child process
// measured in the same run. The engine is found as mcpd finds it (DOCKER_HOST, then the local sockets), so
// `DOCKER_HOST=unix:///run/podman/podman.sock npm run bench -- --only=runtimes` gives the Podman rows.
import { readFileSync } from 'node:fs';
import type { ContainerCreateOptions } from 'dockerode';
import { currentInstanceId } from '../daemon/sandbox/instance.js';
import { openEngine } from '../daemon/sandbox/open-engine.js';
import type { ContainerEngine, EngineInfo } from '../daemon/sandbox/engine.js';
import { runtimeRefusal } from '../daemon/sandbox/flavor.js';
import { CPU_PERIOD_US } from '../daemon/sandbox/spec.js';
import { SandboxPlacement } from '../daemon/sandbox/runtime-choice.js';
import { SandboxRuntime } from '../daemon/sandbox/runtime.js';
import { ImageBuilder } from '../daemon/images/builder.js';
import type { RuntimeSetting } from '../src/config/sandbox-runtime.js';
import { testServer } from '../test/helpers/catalog.js';
import { testLaunch } from '../test/helpers/docker.js';
import { startChild } from './lib/child.js';
import { containerMemory } from './sandbox.js';
import { round, rounded, summarize } from './lib/stats.js';

const PKG = '@modelcontextprotocol/server-everything';
const ms = (t0: number): number => performance.now() - t0;

interface Variant {
  label: string;
  runtime: RuntimeSetting;
  /** The CFS period of the 0.5 CPU limit, in µs: mcpgw's 1 s (spec.ts), or Docker's 100 ms (`docker run --cpus`). */
  periodUs: number;
  /** The start takes a standby container (created, never started) made after an earlier session's start. */
  standby?: boolean;
  placement?: SandboxPlacement;
}

/** Where a cold start's time goes, from the engine calls it makes (ms from the start of `acquire`). */
interface Phases {
  create: number;
  attach: number;
  start: number;
  initialize: number;
}

/**
 * The engine, with the moment each call of a start returned written down; containers are created with the
 * variant's CFS period (the same 0.5 CPU average).
 */
function timedEngine(engine: ContainerEngine, periodUs: number): { engine: ContainerEngine; marks: Map<string, number> } {
  const marks = new Map<string, number>();
  const timed = Object.create(engine) as ContainerEngine;
  const mark =
    <A extends unknown[], R>(name: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const result = await call.apply(engine, args);
      marks.set(name, performance.now());
      return result;
    };
  const create = (spec: ContainerCreateOptions): Promise<string> => {
    const host = spec.HostConfig ?? {};
    const quota = Math.round(((host.CpuQuota ?? 0) / (host.CpuPeriod ?? 1)) * periodUs);
    return engine.create({ ...spec, HostConfig: { ...host, CpuPeriod: periodUs, CpuQuota: quota } });
  };
  timed.create = mark('create', create);
  timed.attach = mark('attach', engine.attach);
  timed.start = mark('start', engine.start);
  return { engine: timed, marks };
}

function runtimeFor(engine: ContainerEngine, builder: ImageBuilder, variant: Variant): SandboxRuntime {
  return new SandboxRuntime({
    engine,
    instanceId: currentInstanceId(),
    // One placement per variant for the whole run, as one mcpd has: its engine info is asked once, up front.
    placement: (variant.placement ??= new SandboxPlacement(engine, { runtime: variant.runtime })),
    standby: variant.standby ?? false,
    resolveImage: (server) => builder.imageFor(server, { build: false }),
    resolveLaunch: (server) => testLaunch.resolve(server),
    maxContainers: 16,
    maxConcurrentStarts: 4,
    maxMessageBytes: 16 * 1024 * 1024,
    startTimeoutMs: 60_000,
  });
}

/** Resident memory of a process, from /proc (the child baseline's memory per server). */
function processRss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) * 1024;
}

const median = (values: number[]): number => summarize(values).p50;

interface ColdSample {
  cold: number;
  first: number;
  phases: Phases;
  memory: number;
  runtime: string;
}

/**
 * One cold start of server-everything in a fresh runtime (engine info already asked, as in a running mcpd): to
 * `initialize`, to the first echo of a new session (which lists the tools first, as mcpd does), and its phases. With
 * a standby, an earlier session's start has left one for this one; its own start is what is timed.
 */
async function coldSample(engine: ContainerEngine, builder: ImageBuilder, variant: Variant, i: number): Promise<ColdSample> {
  const timed = timedEngine(engine, variant.periodUs);
  const runtime = runtimeFor(timed.engine, builder, variant);
  try {
    if (variant.standby) {
      await runtime.acquire(`bench-rt-before-${i}`, testServer('everything'));
      await runtime.release(`bench-rt-before-${i}`);
      await runtime.settled();
      if (runtime.stats().standby !== 1) throw new Error('no standby container was made');
      timed.marks.clear();
    }
    const t0 = performance.now();
    const sandbox = await runtime.acquire(`bench-rt-${i}`, testServer('everything'));
    const ready = performance.now();
    await sandbox.listTools();
    await sandbox.callTool('echo', { message: 'first' });
    const first = ms(t0);
    const at = (k: string): number => (timed.marks.get(k) ?? NaN) - t0;
    return {
      cold: ready - t0,
      first,
      runtime: sandbox.runtime,
      memory: containerMemory(sandbox.containerId),
      phases: {
        // With a standby there is no create in this start: its phase is everything before attach.
        create: variant.standby ? at('attach') : at('create'),
        attach: variant.standby ? 0 : at('attach') - at('create'),
        start: at('start') - at('attach'),
        initialize: ready - (timed.marks.get('start') ?? NaN),
      },
    };
  } finally {
    await runtime.closeAll();
  }
}

/** First result from a warm pool (an initialised sandbox is waiting; the session takes it and calls), then echoes. */
async function warmAndEcho(engine: ContainerEngine, builder: ImageBuilder, variant: Variant, runs: number, calls: number) {
  const server = testServer('everything');
  const warm: number[] = [];
  const pooled = runtimeFor(timedEngine(engine, variant.periodUs).engine, builder, variant);
  try {
    pooled.warm(server, 1);
    for (let i = 0; i < runs; i++) {
      while (pooled.stats().pooled < 1) await new Promise((r) => setTimeout(r, 20));
      const t0 = performance.now();
      const sandbox = await pooled.acquire(`bench-rt-warm-${i}`, server);
      await sandbox.callTool('echo', { message: 'first' });
      warm.push(ms(t0));
      await pooled.release(`bench-rt-warm-${i}`);
    }
  } finally {
    await pooled.closeAll();
  }
  const echoRuntime = runtimeFor(timedEngine(engine, variant.periodUs).engine, builder, variant);
  const echo: number[] = [];
  try {
    const sandbox = await echoRuntime.acquire('bench-rt-echo', server);
    for (let i = 0; i < calls + 100; i++) {
      const t0 = performance.now();
      await sandbox.callTool('echo', { message: `m${i}` });
      if (i >= 100) echo.push(ms(t0));
    }
  } finally {
    await echoRuntime.closeAll();
  }
  return { firstResultWarmPoolMs: rounded(summarize(warm)), echoMs: rounded(summarize(echo)) };
}

function variantRow(variant: Variant, samples: ColdSample[], rest: Awaited<ReturnType<typeof warmAndEcho>>) {
  const phaseP50 = Object.fromEntries(
    (['create', 'attach', 'start', 'initialize'] as const).map((k) => [k, round(median(samples.map((p) => p.phases[k])))]),
  );
  return {
    label: variant.label,
    runtime: samples[0]?.runtime ?? '?',
    cpuPeriodMs: variant.periodUs / 1000,
    coldToInitializeMs: rounded(summarize(samples.map((x) => x.cold))),
    firstResultColdMs: rounded(summarize(samples.map((x) => x.first))),
    ...rest,
    memoryMiB: round(median(samples.map((x) => x.memory)) / 1024 ** 2),
    phasesP50Ms: phaseP50,
  };
}

/** One cold start of the same server as a plain child process (the baseline). */
async function childSample(): Promise<{ cold: number; first: number; memory: number }> {
  const t0 = performance.now();
  const child = await startChild(PKG);
  const ready = performance.now();
  await child.listTools();
  await child.callTool({ name: 'echo', arguments: { message: 'first' } });
  const first = ms(t0);
  const pid = (child.transport as { pid?: number | null } | undefined)?.pid;
  const memory = pid ? processRss(pid) : NaN;
  await child.close();
  return { cold: ready - t0, first, memory };
}

async function childEcho(calls: number) {
  const child = await startChild(PKG);
  const echo: number[] = [];
  for (let i = 0; i < calls + 100; i++) {
    const t0 = performance.now();
    await child.callTool({ name: 'echo', arguments: { message: `m${i}` } });
    if (i >= 100) echo.push(ms(t0));
  }
  await child.close();
  return rounded(summarize(echo));
}

/**
 * Every runtime the engine has, for server-everything: runc with Docker's 100 ms CPU period and with mcpgw's 1 s one
 * (a new container, and one from a standby), runsc when the engine can run it; then the plain child process.
 * Variants are interleaved per round so load drifts hit all alike.
 */
export async function runtimeRows(runs: number, calls: number): Promise<Record<string, unknown>> {
  const engine = openEngine({});
  const builder = new ImageBuilder({ engine });
  await builder.imageFor(testServer('everything'), { build: true });
  const info: EngineInfo = await engine.describe();
  const variants: Variant[] = [
    { label: `${info.name}+runc, 100 ms period (as docker run --cpus)`, runtime: 'runc', periodUs: 100_000 },
    { label: `${info.name}+runc, 1 s period (default), new container`, runtime: 'runc', periodUs: CPU_PERIOD_US },
    { label: `${info.name}+runc, 1 s period, from a standby container (default)`, runtime: 'runc', periodUs: CPU_PERIOD_US, standby: true },
  ];
  // Podman lists runsc but its Docker API cannot run it (flavor.ts runtimeRefusal): no gVisor row there.
  const gvisor = info.runtimes.includes('runsc') && !runtimeRefusal(info.facts.kind, 'runsc', info.defaultRuntime);
  if (gvisor) variants.push({ label: `${info.name}+runsc (gVisor), 1 s period`, runtime: 'runsc', periodUs: CPU_PERIOD_US });
  for (const variant of variants) {
    variant.placement = new SandboxPlacement(engine, { runtime: variant.runtime });
    await variant.placement.place(testServer('everything'));
  }
  // Cold samples round-robin (each variant, then the child, per round): a load change hits all of them alike.
  const samples = variants.map(() => [] as ColdSample[]);
  const child: Array<{ cold: number; first: number; memory: number }> = [];
  for (let i = 0; i < runs; i++) {
    for (const [v, variant] of variants.entries()) samples[v]!.push(await coldSample(engine, builder, variant, i));
    child.push(await childSample());
  }
  const rows: unknown[] = [];
  for (const [v, variant] of variants.entries()) {
    const row = variantRow(variant, samples[v]!, await warmAndEcho(engine, builder, variant, runs, calls));
    process.stderr.write(`runtimes: ${JSON.stringify(row)}\n`);
    rows.push(row);
  }
  const childRow = {
    label: 'plain child process',
    coldToInitializeMs: rounded(summarize(child.map((x) => x.cold))),
    firstResultColdMs: rounded(summarize(child.map((x) => x.first))),
    echoMs: await childEcho(calls),
    memoryMiB: round(median(child.map((x) => x.memory)) / 1024 ** 2),
  };
  process.stderr.write(`runtimes: ${JSON.stringify(childRow)}\n`);
  rows.push(childRow);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  return {
    engine: {
      name: info.name,
      version: info.version,
      endpoint: engine.endpoint?.display ?? 'default',
      runtimes: info.runtimes,
      cpus: info.cpus,
    },
    server: 'everything',
    loadAverageAtEnd: load,
    rows,
  };
}
