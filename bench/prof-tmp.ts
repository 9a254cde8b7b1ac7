import type { ContainerCreateOptions } from 'dockerode';
import { currentInstanceId } from '../daemon/sandbox/instance.js';
import { openEngine } from '../daemon/sandbox/open-engine.js';
import type { ContainerEngine } from '../daemon/sandbox/engine.js';
import { SandboxPlacement } from '../daemon/sandbox/runtime-choice.js';
import { SandboxRuntime } from '../daemon/sandbox/runtime.js';
import { ImageBuilder } from '../daemon/images/builder.js';
import { testServer } from '../test/helpers/catalog.js';
import { testLaunch } from '../test/helpers/docker.js';
import { startChild } from './lib/child.js';

const engine = openEngine({});
const builder = new ImageBuilder({ engine });
await builder.imageFor(testServer('everything'), { build: true });
const rows: Record<string, number[]> = {};
const add = (k: string, v: number) => (rows[k] ??= []).push(v);
for (let i = 0; i < 11; i++) {
  const marks: [string, number][] = [];
  const t0 = performance.now();
  const m = (n: string) => marks.push([n, performance.now() - t0]);
  const timed = Object.create(engine) as ContainerEngine;
  (timed as any).attach = async (...a: unknown[]) => { const io = await (engine as any).attach(...a); const w = io.stdin.write.bind(io.stdin); let n = 0; io.stdin.write = (...x: any[]) => { m('write' + n++); return w(...x); }; io.stdout.once('data', () => m('stdout-data')); return io; };
  for (const name of ['inspectImage', 'create', 'start', 'updateCpus', 'describe', 'runtimes'] as const) {
    const orig = (engine as any)[name];
    if (typeof orig !== 'function') continue;
    (timed as any)[name] = async (...a: unknown[]) => { m(name + '<'); const r = await orig.apply(engine, a); m(name + '>'); return r; };
  }
  const runtime = new SandboxRuntime({
    engine: timed, instanceId: currentInstanceId(),
    placement: new SandboxPlacement(timed, { runtime: 'runc', startCpus: 2 }),
    resolveImage: async (s) => { m('img<'); const r = await builder.imageFor(s, { build: false }); m('img>'); return r; },
    resolveLaunch: async (s) => { m('launch<'); const r = await testLaunch.resolve(s); m('launch>'); return r; },
    maxContainers: 16, maxConcurrentStarts: 4, maxMessageBytes: 16 << 20, startTimeoutMs: 60000,
  });
  const sb = await runtime.acquire(`p-${i}`, testServer('everything'));
  m('ready');
  await sb.callTool('echo', { message: 'x' });
  m('first');
  await runtime.closeAll();
  const c0 = performance.now();
  const child = await startChild('@modelcontextprotocol/server-everything');
  add('child-init', performance.now() - c0);
  await child.callTool({ name: 'echo', arguments: { message: 'x' } });
  add('child-first', performance.now() - c0);
  await child.close();
  for (const [k, v] of marks) add(k, v);
}
for (const [k, v] of Object.entries(rows)) { v.sort((a, b) => a - b); console.log(k.padEnd(14), v[v.length >> 1]!.toFixed(1)); }
process.exit(0);
