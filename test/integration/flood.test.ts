import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonClient } from '../../tui/client/client.js';
import { containersOf } from '../helpers/docker.js';
import { EventRecorder } from '../helpers/events.js';
import { McpdProcess } from '../helpers/mcpd-process.js';

const TEST_SERVER = fileURLToPath(new URL('../fixtures/test-server', import.meta.url));
const FLOOD_COUNT = 200_000;

let mcpd: McpdProcess;
let redis: Redis;
let client: DaemonClient;
const sessions: string[] = [];

beforeAll(async () => {
  mcpd = McpdProcess.create({
    config: {
      mcpServers: {
        testsrv: { build: { npm: [TEST_SERVER] }, command: 'mcpgw-test-server', timeout: '5m' },
      },
    },
  });
  await mcpd.start();
  redis = new Redis({ path: path.join(mcpd.stateDir, 'redis', 'redis.sock') });
  client = await mcpd.client();
});

afterAll(async () => {
  for (const id of sessions) await client?.request('session:kill', { sessionId: id }).catch(() => undefined);
  client?.close();
  redis?.disconnect();
  await mcpd?.kill('SIGTERM');
  for (const id of sessions) expect(await containersOf(id)).toEqual([]);
});

/** Peak resident set of a process, from the kernel's own high-water mark. */
function peakRssBytes(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

async function redisMemory(): Promise<{ used: number; peak: number }> {
  const info = await redis.info('memory');
  const field = (name: string): number => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return { used: field('used_memory'), peak: field('used_memory_peak') };
}

describe('a hostile server flooding its session', () => {
  it('200,000 log notifications of 1 KB leave mcpd and Redis bounded and other sessions responsive', async () => {
    const flooder = await client.request('session:create', { servers: ['testsrv'] });
    const bystander = await client.request('session:create', { servers: ['testsrv'] });
    sessions.push(flooder.id, bystander.id);
    // Both sandboxes are up before the flood: what is timed below is a call, not a container start.
    await client.request('tools:call', { sessionId: bystander.id, server: 'testsrv', tool: 'echo', args: { message: 'warm' } });
    await client.request('tools:call', { sessionId: flooder.id, server: 'testsrv', tool: 'echo', args: { message: 'warm' } });
    const watcher = await mcpd.client();
    const events = new EventRecorder(watcher);
    await watcher.request('session:attach', { sessionId: flooder.id });

    const started = Date.now();
    const flood = client.request(
      'tools:call',
      { sessionId: flooder.id, server: 'testsrv', tool: 'logflood', args: { count: FLOOD_COUNT, bytes: 1024 } },
      600_000,
    );
    let flooding = true;
    const done = flood.finally(() => (flooding = false));
    await events.waitFor((e) => e.type === 'tool:output' && e.sessionId === flooder.id && e.stream === 'log');
    // The other session calls a tool again and again while the flood lasts; every answer is timed.
    const latencies: number[] = [];
    while (flooding) {
      const asked = Date.now();
      const answer = await client.request('tools:call', {
        sessionId: bystander.id,
        server: 'testsrv',
        tool: 'echo',
        args: { message: `during the flood ${latencies.length}` },
      });
      latencies.push(Date.now() - asked);
      expect(answer.text).toBe(`echo: during the flood ${latencies.length - 1}`);
      // Paced, so the probe itself is not a second flood.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await done).text).toBe(`flooded ${FLOOD_COUNT}`);
    const latencyMs = Math.max(...latencies);
    const floodMs = Date.now() - started;
    const rss = peakRssBytes(mcpd.child!.pid!);
    const mem = await redisMemory();
    process.stderr.write(
      `[flood] ${floodMs} ms; ${latencies.length} bystander calls, slowest ${latencyMs} ms; mcpd peak RSS ${(rss / 2 ** 20).toFixed(0)} MiB; ` +
        `redis used ${(mem.used / 2 ** 20).toFixed(1)} MiB, peak ${(mem.peak / 2 ** 20).toFixed(1)} MiB; ` +
        `${events.of('tool:output', flooder.id).length} output events\n`,
    );
    watcher.close();
  });
});
