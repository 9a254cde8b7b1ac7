import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/protocol/events.js';
import type { DaemonClient } from '../../tui/client/client.js';
import type { FakeGemini } from '../fixtures/fake-gemini/index.js';
import { testServerEntries } from '../helpers/catalog.js';
import { startAgentDaemon, type TestDaemon } from '../helpers/daemon.js';
import { EventRecorder } from '../helpers/events.js';

// MCP elicitation against the real @modelcontextprotocol/server-everything in its sandbox: it registers its
// elicitation tools only because mcpd declares the capability, asks through the daemon, and a person answers.

let fake: FakeGemini;
let t: TestDaemon;
let client: DaemonClient;

beforeAll(async () => {
  // server-everything with a short per-call timeout: a person slower than it must not make its call time out.
  const servers = testServerEntries();
  ({ fake, t, client } = await startAgentDaemon({
    config: { mcpServers: { ...servers, everything: { ...servers.everything, timeout: `${TIMEOUT_S}s` } } },
  }));
});

afterAll(async () => {
  await t?.stop();
  await fake?.close();
});

type Done = Extract<SessionEvent, { type: 'agent:response' }>;
type Asked = Extract<SessionEvent, { type: 'question:asked' }>;
type Result = Extract<SessionEvent, { type: 'tool:result' }>;

/** A session whose policy runs every tool (the question asked is the server's own), attached and recorded. */
async function session(servers: string[]) {
  const info = await client.request('session:create', { servers, policy: { preset: 'all' } });
  const events = new EventRecorder(client);
  await client.request('session:attach', { sessionId: info.id });
  const send = async (text: string, headless = false): Promise<Done> => {
    const { turnId } = await client.request('message', { sessionId: info.id, text, headless });
    return events.waitFor<Done>((e) => e.type === 'agent:response' && e.turnId === turnId && e.done);
  };
  return { id: info.id, events, send };
}

const ELICIT = 'everything__trigger-elicitation-request';
const TIMEOUT_S = 2;

describe('elicitation from server-everything, answered by a person', () => {
  it('lists the elicitation tool (the capability is declared), and an accepted form reaches the server checked', async () => {
    const s = await session(['everything']);
    const { tools } = await client.request('tools:list', { sessionId: s.id });
    expect(tools.map((x) => x.name)).toEqual(expect.arrayContaining(['trigger-elicitation-request', 'trigger-url-elicitation']));

    fake.enqueue({ functionCalls: [{ name: ELICIT, args: {}, id: 'e1' }] }, { text: 'Thanks.' });
    const turn = s.send('ask me for my details');
    const asked = await s.events.waitFor<Asked>((e) => e.type === 'question:asked');
    expect(asked.subject).toEqual({ kind: 'server', server: 'everything', callId: 'e1' });
    expect(asked.ask).toMatchObject({ kind: 'elicitation', mode: 'form', message: 'Please provide inputs for the following fields:' });
    if (asked.ask.kind !== 'elicitation' || asked.ask.mode !== 'form') throw new Error('expected a form');
    expect(asked.ask.fields).toHaveLength(13);

    // The daemon checks the answer against the form: a bad email is refused and the question stays open.
    const answer = (content: Record<string, unknown>) =>
      client.request('question:answer', {
        questionId: asked.questionId,
        answer: { kind: 'elicitation', action: 'accept', content } as never,
      });
    await expect(answer({ name: 'Ada', email: 'not-an-email' })).rejects.toThrow(/String with email format is not an email address/);
    expect(await answer({ name: 'Ada Lovelace', email: 'ada@example.org', integer: 7, untitledMultipleSelectEnum: ['Piano'] })).toEqual({
      applied: true,
    });

    await turn;
    const result = await s.events.waitFor<Result>((e) => e.type === 'tool:result' && e.callId === 'e1');
    expect(result.ok).toBe(true);
    expect(result.summary).toContain('User provided the requested information');
    expect(result.summary).toContain('- Name: Ada Lovelace');
    expect(result.summary).toContain('- Email: ada@example.org');
    expect(result.summary).toContain('- Favorite Integer: 7');
    expect(s.events.of('question:answered')).toEqual([
      expect.objectContaining({
        answer: { kind: 'elicitation', action: 'accept', content: expect.objectContaining({ name: 'Ada Lovelace' }) },
      }),
    ]);
    const audit = await client.request('audit:list', { sessionId: s.id, count: 50 });
    const entry = audit.find((a) => a.kind === 'elicitation');
    expect(entry).toMatchObject({ server: 'everything', callId: 'e1', mode: 'form', action: 'accept', by: 'user' });
    expect(JSON.stringify(entry)).not.toContain('Lovelace');
  });

  it('a person slower than the call’s timeout still answers: the clock stops while the server waits for them', async () => {
    const s = await session(['everything']);
    fake.enqueue({ functionCalls: [{ name: ELICIT, args: {}, id: 'slow' }] }, { text: 'Took your time.' });
    const turn = s.send('ask me, I am slow');
    const asked = await s.events.waitFor<Asked>((e) => e.type === 'question:asked');
    // A person reading the form: longer than the server's per-call timeout. Time passing is what is tested here;
    // there is no event to wait for instead.
    await new Promise((resolve) => setTimeout(resolve, (TIMEOUT_S + 1) * 1000));
    await client.request('question:answer', { questionId: asked.questionId, answer: { kind: 'elicitation', action: 'decline' } });
    await turn;
    const result = await s.events.waitFor<Result>((e) => e.type === 'tool:result' && e.callId === 'slow');
    expect(result).toMatchObject({ ok: true });
    expect(result.summary).toContain('User declined');
  });

  it('declined: the server hears "decline" and nothing else', async () => {
    const s = await session(['everything']);
    fake.enqueue({ functionCalls: [{ name: ELICIT, args: {}, id: 'e2' }] }, { text: 'Fine.' });
    const turn = s.send('ask me again');
    const asked = await s.events.waitFor<Asked>((e) => e.type === 'question:asked');
    await client.request('question:answer', { questionId: asked.questionId, answer: { kind: 'elicitation', action: 'decline' } });
    await turn;
    const result = await s.events.waitFor<Result>((e) => e.type === 'tool:result' && e.callId === 'e2');
    expect(result.summary).toContain('User declined to provide the requested information');
    expect(result.summary).toContain('"action": "decline"');
  });

  it('a headless run declines without asking anyone, and says so', async () => {
    const s = await session(['everything']);
    fake.enqueue({ functionCalls: [{ name: ELICIT, args: {}, id: 'e3' }] }, { text: 'Declined, as expected.' });
    await s.send('ask me headless', true);
    const result = await s.events.waitFor<Result>((e) => e.type === 'tool:result' && e.callId === 'e3');
    expect(result.summary).toContain('User declined');
    expect(s.events.of('question:asked')).toEqual([]);
    expect(s.events.of('tool:output').map((e) => e.text)).toContain(
      'everything asked for input; the run is headless, so mcpgw declined (use --wait-for-approval to answer it)',
    );
    const audit = await client.request('audit:list', { sessionId: s.id, count: 50 });
    expect(audit.find((a) => a.kind === 'elicitation')).toMatchObject({ action: 'decline', by: 'headless' });
  });

  it('a URL elicitation shows its host and is accepted without content; cancelling the turn cancels an open one', async () => {
    const s = await session(['everything']);
    fake.enqueue({
      functionCalls: [
        {
          name: 'everything__trigger-url-elicitation',
          args: { url: 'https://auth.example.com/device?code=1', message: 'Sign in' },
          id: 'u1',
        },
      ],
    });
    void s.send('sign me in');
    const asked = await s.events.waitFor<Asked>((e) => e.type === 'question:asked');
    expect(asked.ask).toMatchObject({
      kind: 'elicitation',
      mode: 'url',
      message: 'Sign in',
      url: { host: 'auth.example.com', href: 'https://auth.example.com/device?code=1', secure: true },
    });
    await client.request('agent:cancel', { sessionId: s.id });
    const answered = await s.events.waitFor<Extract<SessionEvent, { type: 'question:answered' }>>((e) => e.type === 'question:answered');
    expect(answered.answer).toEqual({ kind: 'elicitation', action: 'cancel' });
  });
});

describe('a hostile server flooding the humans with elicitations', () => {
  it('gets one question at a time; the rest are refused by the bounds with an MCP error, and told once', async () => {
    const s = await session(['testsrv']);
    // Every question that shows up is declined at once. Normally that is one; under load the server's later requests
    // may still be in the pipe when the first is answered, and are then admitted (one at a time, at most 10 a minute).
    const open = new Set<string>();
    let mostOpen = 0;
    const onAsked = (e: SessionEvent): void => {
      if (e.type !== 'question:asked' || e.sessionId !== s.id) return;
      open.add(e.questionId);
      mostOpen = Math.max(mostOpen, open.size);
      void client.request('question:answer', { questionId: e.questionId, answer: { kind: 'elicitation', action: 'decline' } });
    };
    const onAnswered = (e: SessionEvent): void => void (e.type === 'question:answered' && open.delete(e.questionId));
    client.socket.on('question:asked', onAsked);
    client.socket.on('question:answered', onAnswered);
    try {
      fake.enqueue({ functionCalls: [{ name: 'testsrv__elicitflood', args: { count: 25 }, id: 'f1' }] }, { text: 'Done.' });
      await s.send('flood');
    } finally {
      client.socket.off('question:asked', onAsked);
      client.socket.off('question:answered', onAnswered);
    }
    const result = await s.events.waitFor<Result>((e) => e.type === 'tool:result' && e.callId === 'f1');
    const counts = JSON.parse(result.summary) as { decline?: number; refused?: number };
    const asked = s.events.of('question:asked');
    expect(mostOpen).toBe(1);
    expect(counts.decline).toBe(asked.length);
    expect((counts.decline ?? 0) + (counts.refused ?? 0)).toBe(25);
    expect(asked.length).toBeLessThanOrEqual(10);
    expect(counts.refused).toBeGreaterThanOrEqual(15);
    const refusals = s.events.of('tool:output').filter((e) => e.stream === 'notice' && e.text.startsWith('mcpgw refused a request'));
    expect(refusals.map((e) => e.text)).toEqual([
      'mcpgw refused a request of the server: elicitation/create while 1 of its requests already wait for a person',
    ]);
  });
});
