import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayGap, SessionEvent, SessionEventOf } from '../../src/protocol/events.js';
import type { DaemonClient } from '../../tui/client/client.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { containersOf } from '../helpers/docker.js';
import { EventRecorder } from '../helpers/events.js';

const TEST_SERVER = fileURLToPath(new URL('../fixtures/test-server', import.meta.url));
const build = { build: { npm: [TEST_SERVER] }, command: 'mcpgw-test-server' };

let t: TestDaemon;
let client: DaemonClient;
let redis: Redis;
const sessions: string[] = [];

beforeAll(async () => {
  t = await startTestDaemon({
    config: {
      daemon: { maxEventSize: '16k', sessionLogSize: '1m' },
      mcpServers: {
        // Output budget out of the way: these tests make long logs on purpose.
        testsrv: { ...build, limits: { outputRate: '64m', outputLines: 100_000 } },
        spinner: { ...build, timeout: '1s', maxTotalTimeout: '3s' },
      },
    },
  });
  client = await t.client();
  redis = new Redis({ path: path.join(t.stateDir, 'redis', 'redis.sock') });
});

afterAll(async () => {
  for (const id of sessions) await client?.request('session:kill', { sessionId: id }).catch(() => undefined);
  redis?.disconnect();
  await t?.stop();
  for (const id of sessions) expect(await containersOf(id)).toEqual([]);
});

async function newSession(servers = ['testsrv']): Promise<string> {
  const { id } = await client.request('session:create', { servers });
  sessions.push(id);
  return id;
}

const call = (sessionId: string, tool: string, args: Record<string, unknown>, server = 'testsrv') =>
  client.request('tools:call', { sessionId, server, tool, args });

/** A fresh client that attaches and records what it is sent, gaps included, in the order sent. */
async function attachFresh(sessionId: string, sinceSeq?: number) {
  const c = await t.client();
  const received: Array<SessionEvent | { gap: ReplayGap }> = [];
  const recorder = new EventRecorder(c);
  c.socket.on('session:gap', (gap) => received.push({ gap }));
  c.socket.onAny((name: string, event: SessionEvent) => {
    if (name !== 'session:gap') received.push(event);
  });
  const reply = await c.request('session:attach', { sessionId, ...(sinceSeq === undefined ? {} : { sinceSeq }) });
  const seqs = (): number[] => received.flatMap((r) => ('seq' in r ? [r.seq] : []));
  return { c, reply, received, recorder, seqs };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('the session event log', () => {
  it('caps one event: a huge argument is cut in the middle, the tool still gets it whole, a replay gives the same event', async () => {
    const sessionId = await newSession();
    const watcher = await t.client();
    const live = new EventRecorder(watcher);
    await watcher.request('session:attach', { sessionId });
    const message = `${'a'.repeat(50_000)}${'z'.repeat(50_000)}`;
    expect((await call(sessionId, 'echo', { message })).text).toBe(`echo: ${message}`);
    const started = await live.waitFor<SessionEventOf<'tool:started'>>((e) => e.type === 'tool:started' && e.sessionId === sessionId);
    expect(Buffer.byteLength(JSON.stringify(started))).toBeLessThanOrEqual(16 * 1024);
    expect(started.args.message).toMatch(/^a+\n\[… \d+ characters omitted by mcpgw …\]\nz+$/);
    const { received } = await attachFresh(sessionId);
    expect(received.find((e) => 'seq' in e && e.seq === started.seq)).toEqual(started);
  });

  it('caps a session log by bytes: the oldest events go, and a replay from the start is told of the gap first', async () => {
    const sessionId = await newSession();
    for (let i = 0; i < 80; i++) await call(sessionId, 'echo', { message: `${i} ${'x'.repeat(15_000)}` });
    const { lastSeq } = await client.request('session:get', { sessionId });
    const key = `mcpgw:session:${sessionId}`;
    const stored = await redis.xrange(`${key}:events`, '-', '+');
    const storedBytes = stored.reduce((sum, [, fields]) => sum + Buffer.byteLength(fields[1] ?? ''), 0);
    expect(storedBytes).toBeLessThanOrEqual(1024 ** 2);
    expect(Number(await redis.hget(key, 'logBytes'))).toBe(storedBytes);
    const firstKept = Number(stored[0]![0].split('-')[0]);
    expect(firstKept).toBeGreaterThan(1);

    const { reply, received, seqs } = await attachFresh(sessionId);
    expect(reply).toMatchObject({ truncated: true, replayed: lastSeq - firstKept + 1 });
    expect(received[0]).toEqual({ gap: { sessionId, fromSeq: 1, toSeq: firstKept - 1 } });
    expect(seqs()).toEqual(range(firstKept, lastSeq));
  });

  it('replays a long log in pages, in order, and hands over to live events with no gap and no duplicate', async () => {
    const sessionId = await newSession();
    const watcher = await t.client();
    const live = new EventRecorder(watcher);
    await watcher.request('session:attach', { sessionId });
    // stderr travels apart from the answer: wait for each call's last line, so the log is quiet.
    await call(sessionId, 'noisy', { lines: 700 });
    await live.waitFor((e) => e.type === 'tool:output' && e.text === 'noise line 699');
    await call(sessionId, 'noisy', { lines: 701 });
    await live.waitFor((e) => e.type === 'tool:output' && e.text === 'noise line 700');
    const { lastSeq: before } = await client.request('session:get', { sessionId });
    expect(before).toBeGreaterThan(1400);

    // Events keep coming while a client replays the log from the start.
    const busy = (async () => {
      for (let i = 0; i < 20; i++) await call(sessionId, 'echo', { message: `live ${i}` });
    })();
    const fresh = await attachFresh(sessionId);
    await busy;
    const { lastSeq: after } = await client.request('session:get', { sessionId });
    await fresh.recorder.waitFor((e) => e.seq === after);
    expect(fresh.reply.truncated).toBe(false);
    expect(fresh.reply.replayed).toBeGreaterThanOrEqual(before);
    expect(fresh.seqs()).toEqual(range(1, after));

    const tail = await attachFresh(sessionId, 1000);
    expect(tail.seqs()).toEqual(range(1001, after));
    expect(tail.reply.replayed).toBe(after - 1000);
  });
});

describe('the total timeout of a call', () => {
  it('fires although progress keeps restarting the per-call timeout', async () => {
    const sessionId = await newSession(['spinner']);
    await call(sessionId, 'echo', { message: 'up' }, 'spinner');
    const watcher = await t.client();
    const live = new EventRecorder(watcher);
    await watcher.request('session:attach', { sessionId });
    const asked = Date.now();
    const error = await call(sessionId, 'spin', { ms: 100 }, 'spinner').catch((err: unknown) => err);
    const elapsed = Date.now() - asked;
    expect(error).toMatchObject({ code: 'sandbox_timeout' });
    expect((error as Error).message).toBe('"spinner" tools/call spin ran past its total limit of 3.0s (progress does not extend it)');
    // Progress restarted the 1 s timeout again and again; only the total limit ended the call.
    expect(elapsed).toBeGreaterThanOrEqual(3000);
    expect(live.of('tool:output', sessionId).filter((e) => e.stream === 'progress').length).toBeGreaterThan(15);
    // The server was told to stop.
    await live.waitFor((e) => e.type === 'tool:output' && /^cancelled request \d+$/.test(e.text));
  });
});

describe('a full Redis', () => {
  let full: TestDaemon;
  let fullRedis: Redis;
  let fullSession = '';

  beforeAll(async () => {
    full = await startTestDaemon({ config: { daemon: { redisMaxMemory: '3m' }, mcpServers: { testsrv: build } } });
    fullRedis = new Redis({ path: path.join(full.stateDir, 'redis', 'redis.sock') });
  });

  afterAll(async () => {
    fullRedis?.disconnect();
    await full?.stop();
    expect(await containersOf(fullSession)).toEqual([]);
  });

  it('refuses what does not fit with a clear error, and mcpd stays up while a server keeps writing', async () => {
    expect(await fullRedis.config('GET', 'maxmemory*')).toEqual(
      expect.arrayContaining(['maxmemory', String(3 * 1024 ** 2), 'maxmemory-policy', 'noeviction']),
    );
    const c = await full.client();
    const { id: sessionId } = await c.request('session:create', { servers: ['testsrv'] });
    fullSession = sessionId;
    let refused: unknown;
    for (let i = 0; i < 200 && !refused; i++) {
      refused = await c
        .request('tools:call', { sessionId, server: 'testsrv', tool: 'echo', args: { message: `${i} ${'x'.repeat(60_000)}` } })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
    }
    expect(refused).toMatchObject({ code: 'capacity' });
    expect((refused as Error).message).toMatch(
      /^mcpd's Redis is full \(it reached its maxmemory\), so .+ was not stored: raise daemon\.redisMaxMemory/,
    );

    // Below what is stored, so that every write is refused: the server's stderr then has nowhere to go.
    const used = Number(/^used_memory:(\d+)/m.exec(await fullRedis.info('memory'))![1]);
    await fullRedis.config('SET', 'maxmemory', String(used - 512 * 1024));
    await expect(c.request('tools:call', { sessionId, server: 'testsrv', tool: 'noisy', args: { lines: 300 } })).rejects.toMatchObject({
      code: 'capacity',
    });
    expect((await c.request('daemon:status', {})).redis.connected).toBe(true);
    expect((await c.request('session:list', {})).map((s) => s.id)).toContain(sessionId);
    await expect.poll(() => readFileSync(path.join(full.stateDir, 'mcpd.log'), 'utf8')).toMatch(/a session event could not be stored/);
    await fullRedis.config('SET', 'maxmemory', String(3 * 1024 ** 2));
  });
});
