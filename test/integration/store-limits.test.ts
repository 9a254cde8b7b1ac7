import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPLAY_PAGE, SessionEventLog, type ReplayTarget } from '../../daemon/sessions/event-log.js';
import { Store } from '../../daemon/store/store.js';
import { TestRedis } from '../helpers/redis.js';

const server = new TestRedis();
let redis: Redis;

beforeAll(async () => {
  await server.start();
  redis = new Redis({ path: server.path });
});

beforeEach(async () => {
  await redis.config('SET', 'maxmemory', '0');
  await redis.flushall();
});

afterAll(async () => {
  redis?.disconnect();
  await server.stop();
});

/** A replay target that records, and lets the test decide when the client "has taken" a page. */
function slowClient() {
  const delivered: number[] = [];
  const waiting: Array<() => void> = [];
  let subscribed = false;
  const target: ReplayTarget = {
    deliver: (event) => void delivered.push(event.seq),
    gap: () => undefined,
    subscribe: () => void (subscribed = true),
    ready: () => new Promise((resolve) => waiting.push(resolve)),
  };
  /** Resolves once the replay waits for the client (it has sent what it could). */
  const waited = async (): Promise<void> => {
    while (waiting.length === 0) await new Promise((resolve) => setImmediate(resolve));
  };
  const release = (): void => waiting.shift()!();
  return { target, delivered, waited, release, subscribed: () => subscribed };
}

describe('replay in pages', () => {
  it('sends one page at a time, each only once the client has taken the last, then subscribes', async () => {
    const log = new SessionEventLog(new Store(redis), () => undefined);
    const total = 3 * REPLAY_PAGE + 10;
    for (let i = 0; i < total; i++) void log.emit('s1', 'agent:thinking', { turnId: 't', round: i });
    await log.emit('s1', 'agent:thinking', { turnId: 't', round: total });
    const client = slowClient();
    const replay = log.replay('s1', 0, client.target);
    for (let page = 1; page <= 3; page++) {
      await client.waited();
      expect(client.delivered).toHaveLength(page * REPLAY_PAGE);
      client.release();
    }
    // The last, short page; then the replay waits once more before it joins the live stream.
    await client.waited();
    expect(client.delivered).toHaveLength(total + 1);
    expect(client.subscribed()).toBe(false);
    client.release();
    expect(await replay).toEqual({ replayed: total + 1, truncated: false });
    expect(client.delivered).toEqual(Array.from({ length: total + 1 }, (_, i) => i + 1));
    expect(client.subscribed()).toBe(true);
  });
});

describe('a full Redis', () => {
  it('refuses writes with a capacity error that says why; events nobody waits for are logged once, not thrown', async () => {
    const store = new Store(redis);
    const failures: Array<Record<string, unknown>> = [];
    const log = new SessionEventLog(
      store,
      () => undefined,
      (_message, fields) => failures.push(fields),
    );
    const text = 'x'.repeat(16 * 1024);
    for (let i = 0; i < 64; i++) await log.emit('s1', 'tool:output', { server: 'srv', stream: 'stderr', text });
    // The cap is set under what is stored: every write is refused from now on, whatever its size.
    const used = Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))![1]);
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    await redis.config('SET', 'maxmemory', String(used - 256 * 1024));
    const refused = await log.emit('s1', 'tool:output', { server: 'srv', stream: 'stderr', text }).catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'capacity' });
    expect((refused as Error).message).toMatch(
      /^mcpd's Redis is full \(it reached its maxmemory\), so a "tool:output" event was not stored: /,
    );
    await expect(store.audit({ ts: 1, sessionId: 's1', user: 'u', kind: 'session' })).rejects.toMatchObject({ code: 'capacity' });

    for (let i = 0; i < 50; i++) log.post('s1', 'tool:output', { server: 'srv', stream: 'stderr', text });
    await log.emit('s1', 'tool:output', { server: 'srv', stream: 'stderr', text }).catch(() => undefined);
    expect(failures).toEqual([
      expect.objectContaining({ sessionId: 's1', type: 'tool:output', message: expect.stringMatching(/Redis is full/) }),
    ]);
    // Reads still work: what was stored can be replayed.
    expect((await store.readEvents('s1', 0, 10)).length).toBeGreaterThan(0);
  });
});
