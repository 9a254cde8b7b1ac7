import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/protocol/events.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { EventRecorder } from '../helpers/events.js';
import { TestRedis } from '../helpers/redis.js';

// A session's resource subscriptions live in Redis, so "a daemon restart loses nothing" holds for them too: the
// real server-everything, a real mcpd stopped and started again on the same Redis and state dir.

type Changed = Extract<SessionEvent, { type: 'server:changed' }>;
type Output = Extract<SessionEvent, { type: 'tool:output' }>;

const redis = new TestRedis();
let connection: Redis;
let t: TestDaemon | undefined;

beforeAll(async () => {
  await redis.start();
  connection = new Redis({ path: redis.path });
});

afterAll(async () => {
  await t?.stop();
  connection?.disconnect();
  await redis.stop();
});

/** Every Redis key whose name holds the session id (mcpd's default prefix). */
async function keysOf(sessionId: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await connection.scan(cursor, 'MATCH', `*${sessionId}*`, 'COUNT', 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

describe('resource subscriptions across a restart of mcpd', () => {
  it('the next use of the server after a restart follows again what the session subscribed to; a retention delete leaves no key', async () => {
    t = await startTestDaemon({ redisUrl: redis.path });
    let client = await t.client();
    const sessionId = (await client.request('session:create', { servers: ['everything'] })).id;
    const page = await client.request('resources:list', { sessionId, server: 'everything' });
    const uri = page.items.find((r) => r.uri.startsWith('demo://resource/static/document/'))?.uri;
    expect(uri).toBeDefined();
    expect(await client.request('resources:subscribe', { sessionId, server: 'everything', uri: uri! })).toEqual({ subscribed: true });
    expect(await connection.zrange(`mcpgw:session:${sessionId}:subscriptions`, 0, -1)).toEqual([JSON.stringify(['everything', uri])]);

    const stateDir = t.stateDir;
    await t.stop();
    t = await startTestDaemon({ redisUrl: redis.path, stateDir });
    client = await t.client();
    const events = new EventRecorder(client);
    const { lastSeq } = await client.request('session:get', { sessionId });
    await client.request('session:attach', { sessionId });
    const after = (e: SessionEvent): boolean => e.seq > lastSeq;

    // Using the server starts a new sandbox, which is asked to follow the subscription again (and the session told).
    await client.request('resources:list', { sessionId, server: 'everything' });
    const told = await events.waitFor<Output>(
      (e) => after(e) && e.type === 'tool:output' && e.stream === 'notice' && e.text.includes('follows 1 resource again'),
    );
    expect(told.text).toBe('the new sandbox of "everything" follows 1 resource again');
    // The server sends an update at once for what its new process was asked to follow: it reaches the session.
    await client.request('tools:call', { sessionId, server: 'everything', tool: 'toggle-subscriber-updates', args: {} });
    const update = await events.waitFor<Changed>((e) => after(e) && e.type === 'server:changed' && e.what === 'resource');
    expect(update).toMatchObject({ server: 'everything', what: 'resource', uri });

    // The janitor's retention delete takes the subscriptions (and every other key of the session) with it.
    expect(await keysOf(sessionId)).toContain(`mcpgw:session:${sessionId}:subscriptions`);
    const { deleted } = await t.daemon.sweep(Date.now() + 366 * 86_400_000);
    expect(deleted).toContain(sessionId);
    expect(await keysOf(sessionId)).toEqual([]);
  }, 240_000);

  it('ending a session removes what it followed', async () => {
    t ??= await startTestDaemon({ redisUrl: redis.path });
    const client = await t.client();
    const sessionId = (await client.request('session:create', { servers: ['everything'] })).id;
    const events = new EventRecorder(client);
    await client.request('session:attach', { sessionId });
    await client.request('resources:subscribe', { sessionId, server: 'everything', uri: 'demo://resource/dynamic/text/1' });
    const key = `mcpgw:session:${sessionId}:subscriptions`;
    expect(await connection.exists(key)).toBe(1);
    await client.request('session:kill', { sessionId });
    await events.waitFor((e) => e.type === 'session:ended');
    // Forgetting follows the `session:ended` event; it is one Redis command after it.
    await expect.poll(() => connection.exists(key)).toBe(0);
  }, 120_000);
});
