import type { Content } from '@google/genai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/protocol/events.js';
import type { DaemonClient } from '../../tui/client/client.js';
import type { FakeGemini } from '../fixtures/fake-gemini/index.js';
import { testServerEntries } from '../helpers/catalog.js';
import { startAgentDaemon, type TestDaemon } from '../helpers/daemon.js';
import { engine } from '../helpers/docker.js';
import { EventRecorder } from '../helpers/events.js';
import { expectValidHistory } from '../helpers/history.js';

const SECRET = 'sk-test-do-not-leak-7f3a91';
let fake: FakeGemini;
let t: TestDaemon;
let client: DaemonClient;

beforeAll(async () => {
  ({ fake, t, client } = await startAgentDaemon({
    config: {
      daemon: { warmPool: { testsrv: 1 } },
      // A server whose env carries a secret: it must never show up in events, audit or the log.
      mcpServers: {
        ...testServerEntries(),
        secretive: { build: { npm: ['./test-server'] }, command: 'mcpgw-test-server', env: { API_TOKEN: SECRET } },
      },
    },
  }));
});

afterAll(async () => {
  await t?.stop();
  await fake?.close();
});

async function session(servers: string[], policy = 'all') {
  const info = await client.request('session:create', { servers, policy: { preset: policy } });
  const events = new EventRecorder(client);
  await client.request('session:attach', { sessionId: info.id });
  const send = async (text: string) => {
    const { turnId } = await client.request('message', { sessionId: info.id, text });
    return {
      turnId,
      done: events.waitFor<Extract<SessionEvent, { type: 'agent:response' }>>(
        (e) => e.type === 'agent:response' && e.turnId === turnId && e.done,
      ),
    };
  };
  return { id: info.id, events, send };
}

const lastContents = (): Content[] => (fake.requests.at(-1)!.body as { contents: Content[] }).contents;

describe('agent details', () => {
  it('cancelling while the model streams closes the model request and ends the turn', async () => {
    const s = await session(['testsrv']);
    fake.enqueue({ text: ['Thinking about it'], hang: true });
    const { done } = await s.send('take your time');
    await s.events.waitFor((e) => e.type === 'agent:response' && e.delta === 'Thinking about it');
    const index = fake.requests.length - 1;
    await client.request('agent:cancel', { sessionId: s.id });
    expect((await done).text).toBe('Thinking about it\n[cancelled]');
    expect(await fake.waitForResponseClose(index)).toMatchObject({ completed: false });
    expect((await client.request('session:get', { sessionId: s.id })).busy).toBe(false);
  });

  it('keeps thought signatures in history and sends them back', async () => {
    const s = await session(['testsrv']);
    fake.enqueue(
      { functionCalls: [{ name: 'testsrv__echo', args: { message: 'sig' }, id: 'g1' }], thoughtSignature: 'c2lnbmF0dXJlLTE=' },
      { text: 'ok' },
    );
    await (
      await s.send('with a signature')
    ).done;
    const contents = lastContents();
    expectValidHistory(contents);
    const modelTurn = contents.findLast((c) => c.role === 'model');
    expect(modelTurn?.parts?.[0]).toMatchObject({
      functionCall: { id: 'g1', name: 'testsrv__echo' },
      thoughtSignature: 'c2lnbmF0dXJlLTE=',
    });
  });

  it('cuts a long tool output to its head and tail with a note before the model sees it', async () => {
    const s = await session(['testsrv']);
    fake.enqueue({ functionCalls: [{ name: 'testsrv__huge', args: { mb: 0.1 }, id: 'l1' }] }, { text: 'long' });
    await (
      await s.send('big output')
    ).done;
    const response = lastContents()
      .flatMap((c) => c.parts ?? [])
      .find((p) => p.functionResponse?.id === 'l1')?.functionResponse?.response as { output: string };
    expect(response.output.length).toBeLessThan(21_000);
    expect(response.output).toMatch(/^x+\n\[… \d+ characters omitted by mcpgw …\]\nx+\n\[mcpgw cut this output to 20000 characters\]$/);
  });

  it('hands a warm-pool sandbox to one session only, and refills the pool', async () => {
    const pooled = async (): Promise<number> => (await client.request('daemon:status', {})).containers.pooled;
    const containerOf = async (id: string): Promise<string | undefined> =>
      (await client.request('session:get', { sessionId: id })).servers[0]?.containerId;
    await expect.poll(pooled, { timeout: 30_000 }).toBe(1);
    const a = await client.request('session:create', { servers: ['testsrv'] });
    await client.request('tools:call', { sessionId: a.id, server: 'testsrv', tool: 'echo', args: { message: 'a' } });
    const fromPool = await containerOf(a.id);
    expect(fromPool).toBeDefined();
    expect(await pooled()).toBe(0);
    await expect.poll(pooled, { timeout: 30_000 }).toBe(1);
    const b = await client.request('session:create', { servers: ['testsrv'] });
    await client.request('tools:call', { sessionId: b.id, server: 'testsrv', tool: 'echo', args: { message: 'b' } });
    const second = await containerOf(b.id);
    expect(second).toBeDefined();
    expect(second).not.toBe(fromPool);
    expect(await containerOf(a.id)).toBe(fromPool);
    // Ending a session removes its (formerly pooled) container; it never goes back to the pool.
    await client.request('session:kill', { sessionId: a.id });
    await expect(engine.inspect(fromPool!)).rejects.toMatchObject({ statusCode: 404 });
    await expect.poll(pooled, { timeout: 30_000 }).toBe(1);
    expect(await containerOf(b.id)).toBe(second);
  });

  it('tells the model, on the next turn, about a tool the user ran directly', async () => {
    const s = await session(['testsrv']);
    await client.request('tools:call', { sessionId: s.id, server: 'testsrv', tool: 'echo', args: { message: 'by hand' } });
    fake.enqueue({ text: 'I see you ran echo.' });
    await (
      await s.send('what did I just do?')
    ).done;
    const lastUser = lastContents().at(-1)!;
    expect(lastUser.parts?.map((p) => p.text)).toEqual([
      '[The user ran the tool testsrv/echo directly with arguments {"message":"by hand"}. Result:\necho: by hand]',
      'what did I just do?',
    ]);
    // Taken once: the turn after does not repeat it.
    fake.enqueue({ text: 'ok' });
    await (
      await s.send('and now?')
    ).done;
    expect(
      lastContents()
        .at(-1)!
        .parts?.map((p) => p.text),
    ).toEqual(['and now?']);
  });

  it('never lets a server’s env secrets into events, the audit stream or the daemon log', async () => {
    const s = await session(['secretive']);
    fake.enqueue({ functionCalls: [{ name: 'secretive__probe', args: {}, id: 'k1' }] }, { text: 'probed' });
    await (
      await s.send('probe')
    ).done;
    await client.request('tools:call', { sessionId: s.id, server: 'secretive', tool: 'echo', args: { message: 'hi' } });
    const audit = await client.request('audit:list', { sessionId: s.id });
    expect(audit.length).toBeGreaterThan(2);
    expect(JSON.stringify(audit)).not.toContain(SECRET);
    expect(JSON.stringify(s.events.events)).not.toContain(SECRET);
    expect(readFileSync(path.join(t.stateDir, 'mcpd.log'), 'utf8')).not.toContain(SECRET);
  });
});
