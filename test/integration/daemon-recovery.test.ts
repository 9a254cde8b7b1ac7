import type { Content } from '@google/genai';
import { Redis } from 'ioredis';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGemini, type FakeGemini } from '../fixtures/fake-gemini/index.js';
import { containerExists, engine } from '../helpers/docker.js';
import { EventRecorder } from '../helpers/events.js';
import { McpdProcess } from '../helpers/mcpd-process.js';

let fake: FakeGemini;
let mcpd: McpdProcess;

beforeAll(async () => {
  fake = await startFakeGemini();
  mcpd = McpdProcess.create({ config: { policy: 'all' }, env: { GEMINI_API_KEY: 'test-key', GOOGLE_GEMINI_BASE_URL: fake.baseUrl } });
  await mcpd.start();
});

afterAll(async () => {
  await mcpd?.kill('SIGTERM');
  // The private redis-server outlives a SIGKILLed daemon by design; stop it via its socket.
  const redis = new Redis({ path: path.join(mcpd.stateDir, 'redis', 'redis.sock'), lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => undefined);
  await redis
    .connect()
    .then(() => redis.shutdown())
    .catch(() => undefined);
  redis.disconnect();
  await fake?.close();
});

describe('mcpd killed with SIGKILL mid-session', () => {
  it('keeps sessions and history, removes the dead daemon’s containers, closes the interrupted call, and works on', async () => {
    const client = await mcpd.client();
    const session = await client.request('session:create', { servers: ['testsrv'] });
    const events = new EventRecorder(client);
    await client.request('session:attach', { sessionId: session.id });

    // Turn 1 completes: a tool call and an answer.
    fake.enqueue(
      { functionCalls: [{ name: 'testsrv__echo', args: { message: 'first' }, id: 'call-1' }] },
      { text: 'The server said first.' },
    );
    const first = await client.request('message', { sessionId: session.id, text: 'echo first' });
    await events.waitFor((e) => e.type === 'agent:response' && e.turnId === first.turnId && e.done);

    // Turn 2 dies with a call in flight.
    fake.enqueue({ functionCalls: [{ name: 'testsrv__sleep', args: { ms: 60_000 }, id: 'call-2' }] });
    await client.request('message', { sessionId: session.id, text: 'sleep a minute' });
    await events.waitFor((e) => e.type === 'tool:started' && e.callId === 'call-2');
    const orphan = (await client.request('session:get', { sessionId: session.id })).servers[0]?.containerId;
    expect(orphan).toBeDefined();
    client.close();
    await mcpd.kill('SIGKILL');
    // The dead daemon's container is left behind (its stdin closed with the daemon, so it may have exited).
    expect((await engine.inspect(orphan!)).Id).toBe(orphan);

    await mcpd.start();
    // The new daemon purged it (and any standby the dead one left).
    expect(await containerExists(orphan!)).toBe(false);
    const again = await mcpd.client();
    const listed = await again.request('session:list', {});
    expect(listed.find((s) => s.id === session.id)).toMatchObject({ status: 'idle', title: 'echo first', busy: false });

    // The next prompt sees the whole history, with the interrupted call closed by an error response.
    fake.enqueue({ functionCalls: [{ name: 'testsrv__echo', args: { message: 'after restart' }, id: 'call-3' }] }, { text: 'Back.' });
    const replay = new EventRecorder(again);
    await again.request('session:attach', { sessionId: session.id });
    const third = await again.request('message', { sessionId: session.id, text: 'are you back?' });
    const done = await replay.waitFor((e) => e.type === 'agent:response' && e.turnId === third.turnId && e.done);
    expect(done).toMatchObject({ text: 'Back.' });
    expect(replay.of('tool:result').at(-1)).toMatchObject({ callId: 'call-3', ok: true, summary: 'echo: after restart' });

    const request = fake.requests.at(-2)!;
    const contents = (request.body as { contents: Content[] }).contents;
    expect(contents.map((c) => c.role)).toEqual(['user', 'model', 'user', 'model', 'user', 'model', 'user', 'user']);
    expect(contents[0]?.parts?.[0]?.text).toBe('echo first');
    expect(contents[5]?.parts?.[0]?.functionCall).toMatchObject({ id: 'call-2', name: 'testsrv__sleep' });
    expect(contents[6]?.parts).toEqual([
      { functionResponse: { id: 'call-2', name: 'testsrv__sleep', response: { error: expect.stringContaining('daemon restarted') } } },
    ]);
    expect(contents.at(-1)?.parts?.at(-1)?.text).toBe('are you back?');
    again.close();
  });
});
