import { readFileSync } from 'node:fs';
import { startTestDaemon } from '../test/helpers/daemon.js';
import { testServer } from '../test/helpers/catalog.js';
import { testRuntime } from '../test/helpers/docker.js';
import { runLoad } from '../test/helpers/load.js';
import { McpdProcess } from '../test/helpers/mcpd-process.js';
import { rounded, summarize, type Summary } from './lib/stats.js';

const ms = (t0: number): number => performance.now() - t0;

/** Session create → first tool result, cold and with a warm pool of initialised sandboxes. */
export async function firstResult(runs: number): Promise<{ server: string; cold: Summary; warmPool: Summary }> {
  const server = 'everything';
  const measure = async (warm: boolean): Promise<number[]> => {
    const t = await startTestDaemon({ config: { daemon: { warmPool: warm ? { [server]: 2 } : {} } } });
    const client = await t.client();
    const times: number[] = [];
    try {
      for (let i = 0; i < runs; i++) {
        // With a pool, wait until it is full again so every run measures a warm start.
        while (warm && (await t.daemon.status('bench')).containers.running < 2 + i) await new Promise((r) => setTimeout(r, 50));
        const t0 = performance.now();
        const session = await client.request('session:create', { servers: [server] });
        await client.request('tools:call', { sessionId: session.id, server, tool: 'echo', args: { message: 'first' } });
        times.push(ms(t0));
      }
    } finally {
      await t.stop();
    }
    return times;
  };
  const cold = rounded(summarize(await measure(false)));
  const warmPool = rounded(summarize(await measure(true)));
  process.stderr.write(`first result: cold p50 ${cold.p50} ms, warm pool p50 ${warmPool.p50} ms\n`);
  return { server, cold, warmPool };
}

/**
 * One echo through the daemon (client → mcpd → sandbox → client) vs the same call on the bare sandbox, with the
 * private Redis fsyncing every second (the default) and on every write.
 */
export async function daemonOverhead(calls: number): Promise<Record<string, unknown>> {
  const warmup = 200;
  const echo = async (call: (i: number) => Promise<unknown>): Promise<Summary> => {
    const times: number[] = [];
    for (let i = 0; i < warmup + calls; i++) {
      const t0 = performance.now();
      await call(i);
      if (i >= warmup) times.push(ms(t0));
    }
    return rounded(summarize(times));
  };
  const runtime = testRuntime();
  const sandbox = await runtime.acquire('bench-bare', testServer('testsrv'));
  const bare = await echo((i) => sandbox.callTool('echo', { message: `m${i}` }));
  await runtime.closeAll();
  const viaDaemon: Record<string, Summary> = {};
  for (const fsync of ['everysec', 'always'] as const) {
    // mcpd in its own process, as users run it: client and daemon do not share an event loop.
    const mcpd = McpdProcess.create({ config: { daemon: { redisFsync: fsync } } });
    await mcpd.start();
    const client = await mcpd.client();
    const session = await client.request('session:create', { servers: ['testsrv'] });
    viaDaemon[fsync] = await echo((i) =>
      client.request('tools:call', { sessionId: session.id, server: 'testsrv', tool: 'echo', args: { message: `m${i}` } }),
    );
    client.close();
    await mcpd.kill('SIGTERM');
  }
  const added = (s: Summary | undefined): number => Math.round(((s?.p50 ?? NaN) - bare.p50) * 1000) / 1000;
  process.stderr.write(
    `daemon overhead: bare p50 ${bare.p50} ms, via mcpd p50 ${viaDaemon.everysec?.p50} ms (fsync always: ${viaDaemon.always?.p50} ms)\n`,
  );
  return { bare, viaDaemon, addedP50Ms: { everysec: added(viaDaemon.everysec), always: added(viaDaemon.always) } };
}

function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

/** Aggregate tool calls per second with 1, 10 and 50 sessions against a real mcpd process, and its memory per session. */
export async function throughput(sessionCounts: number[], callsPerSession: number): Promise<Array<Record<string, number>>> {
  const rows: Array<Record<string, number>> = [];
  for (const n of sessionCounts) {
    const mcpd = McpdProcess.create();
    await mcpd.start();
    const pid = mcpd.child!.pid!;
    const idleRss = rssOf(pid);
    // Memory per session: the daemon's RSS with n sessions holding live sandboxes, over its idle RSS.
    const holders = await Promise.all(Array.from({ length: n }, () => mcpd.client()));
    const held = await Promise.all(holders.map((c) => c.request('session:create', { servers: ['testsrv'] })));
    await Promise.all(
      held.map((s, i) =>
        holders[i]!.request('tools:call', { sessionId: s.id, server: 'testsrv', tool: 'echo', args: { message: 'warm' } }),
      ),
    );
    const perSessionRss = (rssOf(pid) - idleRss) / n;
    await Promise.all(held.map((s, i) => holders[i]!.request('session:kill', { sessionId: s.id })));
    for (const c of holders) c.close();
    const result = await runLoad(() => mcpd.client(), n, callsPerSession);
    await mcpd.kill('SIGTERM');
    const lat = summarize(result.latencies);
    const row = {
      sessions: n,
      calls: result.calls,
      callsPerSecond: Math.round(result.callsPerSecond),
      latencyP50Ms: Math.round(lat.p50 * 100) / 100,
      latencyP95Ms: Math.round(lat.p95 * 100) / 100,
      daemonKiBPerSession: Math.round(perSessionRss / 1024),
      crossTalk: result.crossTalk,
      errors: result.errors.length,
    };
    process.stderr.write(`throughput ${n}: ${JSON.stringify(row)}\n`);
    rows.push(row);
  }
  return rows;
}
