import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { EventRecorder } from '../helpers/events.js';
import { TestRedis } from '../helpers/redis.js';

const redis = new TestRedis();
let t: TestDaemon;

beforeAll(async () => {
  await redis.start();
  t = await startTestDaemon({ redisUrl: redis.path });
});

afterAll(async () => {
  await t?.stop();
  await redis.stop();
});

describe('Redis restarted under load', () => {
  it('reconnects, and every acknowledged call is still in the log afterwards', async () => {
    const client = await t.client();
    const sessions = await Promise.all([1, 2, 3].map(() => client.request('session:create', { servers: ['testsrv'] })));
    const acked: Array<{ sessionId: string; callId: string; message: string }> = [];
    const failures: unknown[] = [];
    let stop = false;
    const workers = sessions.map(async (session, w) => {
      for (let i = 0; !stop || i < 5; i++) {
        const message = `w${w}-${i}`;
        try {
          const result = await client.request(
            'tools:call',
            { sessionId: session.id, server: 'testsrv', tool: 'echo', args: { message } },
            30_000,
          );
          expect(result.text).toBe(`echo: ${message}`);
          acked.push({ sessionId: session.id, callId: result.callId, message });
        } catch (err) {
          failures.push(err);
        }
      }
    });
    // Restart Redis while the workers run; then let them go on for a while.
    while (acked.length < 15) await new Promise((resolve) => setImmediate(resolve));
    const ackedBefore = acked.length;
    await redis.restart();
    while (acked.length < ackedBefore + 15) await new Promise((resolve) => setImmediate(resolve));
    stop = true;
    await Promise.all(workers);
    expect(failures).toEqual([]);

    // Every acknowledged call's result is in its session's event log, exactly once.
    const reader = await t.client();
    for (const session of sessions) {
      const log = new EventRecorder(reader);
      await reader.request('session:attach', { sessionId: session.id });
      const results = log.of('tool:result', session.id);
      for (const call of acked.filter((a) => a.sessionId === session.id)) {
        expect(results.filter((r) => r.callId === call.callId)).toEqual([
          expect.objectContaining({ ok: true, summary: `echo: ${call.message}` }),
        ]);
      }
      const seqs = log.of('tool:result', session.id).map((e) => e.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      reader.socket.removeAllListeners();
    }
    expect((await reader.request('daemon:status', {})).redis.connected).toBe(true);
  });
});
