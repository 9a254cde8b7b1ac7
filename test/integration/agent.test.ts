import type { Content } from '@google/genai';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/protocol/events.js';
import type { DaemonClient } from '../../tui/client/client.js';
import type { FakeGemini } from '../fixtures/fake-gemini/index.js';
import { startAgentDaemon, type TestDaemon } from '../helpers/daemon.js';
import { EventRecorder } from '../helpers/events.js';
import { expectValidHistory } from '../helpers/history.js';

let fake: FakeGemini;
let t: TestDaemon;
let client: DaemonClient;

beforeAll(async () => {
  ({ fake, t, client } = await startAgentDaemon({ config: { daemon: { approvalTimeout: '3s' } } }));
});

afterAll(async () => {
  await t?.stop();
  await fake?.close();
});

type Done = Extract<SessionEvent, { type: 'agent:response' }>;
type Asked = Extract<SessionEvent, { type: 'question:asked' }>;

/** Answers a tool approval from `from` (the test's client by default). */
const answer = (questionId: string, choice: { decision: 'approve' | 'deny'; scope?: 'once' | 'session'; reason?: string }, from = client) =>
  from.request('question:answer', { questionId, answer: { kind: 'tool_approval', ...choice } });

/** A session, attached, with an event recorder; `send` runs one prompt and resolves at the turn's final event. */
async function session(servers: string[], policy?: { preset: string } | { name: string; text: string }) {
  const info = await client.request('session:create', { servers, ...(policy ? { policy } : {}) });
  const events = new EventRecorder(client);
  await client.request('session:attach', { sessionId: info.id });
  const send = async (text: string, headless = false): Promise<Done> => {
    const { turnId } = await client.request('message', { sessionId: info.id, text, headless });
    return events.waitFor<Done>((e) => e.type === 'agent:response' && e.turnId === turnId && e.done);
  };
  return { id: info.id, events, send };
}

/** The contents of the last request the fake received, checked for validity. */
function lastContents(): Content[] {
  const contents = (fake.requests.at(-1)!.body as { contents: Content[] }).contents;
  expectValidHistory(contents);
  return contents;
}

const responseOf = (contents: Content[], id: string) =>
  contents.flatMap((c) => c.parts ?? []).find((p) => p.functionResponse?.id === id)?.functionResponse?.response;

describe('the agent loop with a human in it', () => {
  it('approved: the call runs in the sandbox, its result goes back, the answer streams', async () => {
    const s = await session(['everything']);
    fake.enqueue(
      { text: 'Let me echo that.', functionCalls: [{ name: 'everything__echo', args: { message: 'hello' }, id: 'c1' }] },
      { text: ['The server ', 'echoed: hello.'] },
    );
    const turn = s.send('please echo hello');
    const ask = await s.events.waitFor<Asked>((e) => e.type === 'question:asked');
    expect(ask).toMatchObject({
      subject: { kind: 'call', server: 'everything', tool: 'echo', callId: 'c1' },
      ask: { kind: 'tool_approval', args: { message: 'hello' }, decisionReason: 'no rule matched; default is ask' },
    });
    expect(await answer(ask.questionId, { decision: 'approve' })).toEqual({ applied: true });
    const done = await turn;
    expect(done.text).toBe('Let me echo that.The server echoed: hello.');
    expect(
      s.events
        .of('agent:response')
        .filter((e) => !e.done)
        .map((e) => e.delta),
    ).toEqual(['Let me echo that.', 'The server ', 'echoed: hello.']);
    expect(s.events.of('tool:result')).toEqual([expect.objectContaining({ callId: 'c1', ok: true, summary: 'Echo: hello' })]);
    expect(responseOf(lastContents(), 'c1')).toEqual({ output: 'Echo: hello' });
    // The declarations the model got are the session's tools, by Gemini-safe names.
    const tools = (fake.requests.at(-1)!.body as { tools: Array<{ functionDeclarations: Array<{ name: string }> }> }).tools;
    expect(tools[0]!.functionDeclarations.map((d) => d.name)).toContain('everything__echo');
  });

  it('denied with a reason: nothing runs and the model is told why', async () => {
    const s = await session(['memory']);
    fake.enqueue(
      { functionCalls: [{ name: 'memory__delete_entities', args: { entityNames: ['x'] }, id: 'd1' }] },
      { text: 'Understood, I will not delete it.' },
    );
    const turn = s.send('delete x');
    const ask = await s.events.waitFor<Asked>((e) => e.type === 'question:asked');
    await answer(ask.questionId, { decision: 'deny', reason: 'keep x, it matters' });
    await turn;
    expect(s.events.of('tool:started')).toEqual([]);
    expect(s.events.of('question:answered')).toEqual([
      expect.objectContaining({
        answer: expect.objectContaining({ decision: 'deny', reason: 'keep x, it matters' }),
        by: { kind: 'user', name: expect.any(String) },
      }),
    ]);
    expect(responseOf(lastContents(), 'd1')).toEqual({ error: 'The user denied this call: keep x, it matters' });
  });

  it('allowed and denied by policy, with no human asked', async () => {
    const policy = readFileSync(new URL('../fixtures/policies/filesystem.yaml', import.meta.url), 'utf8');
    const s = await session(['filesystem'], { name: 'filesystem.yaml', text: policy });
    fake.enqueue(
      {
        functionCalls: [
          { name: 'filesystem__read_text_file', args: { path: '/data/hello.txt' }, id: 'r1' },
          { name: 'filesystem__write_file', args: { path: '/data/x.txt', content: 'x' }, id: 'w1' },
        ],
      },
      { text: 'Read it; writing was refused.' },
    );
    await s.send('read hello.txt and write x.txt');
    expect(s.events.of('question:asked')).toEqual([]);
    const resolved = s.events.of('tool:decided');
    expect(resolved.find((e) => e.callId === 'r1')).toMatchObject({
      decision: 'approve',
      by: { kind: 'policy', rule: expect.stringContaining('rule 2') },
    });
    expect(resolved.find((e) => e.callId === 'w1')).toMatchObject({ decision: 'deny', reason: 'Writing is not allowed in this session.' });
    const contents = lastContents();
    // The file's text is the structured content's `content`: sent once, as structured content.
    expect(responseOf(contents, 'r1')).toEqual({ output: '', structuredContent: { content: 'Hello from the host, read-only.\n' } });
    expect(responseOf(contents, 'w1')).toEqual({ error: 'Denied by policy: Writing is not allowed in this session.' });
  });

  it('an approval nobody answers expires and the call is denied', async () => {
    const s = await session(['memory']);
    fake.enqueue({ functionCalls: [{ name: 'memory__create_entities', args: { entities: [] }, id: 'e1' }] }, { text: 'Nobody approved.' });
    await s.send('create nothing');
    expect(s.events.of('question:answered')).toEqual([
      expect.objectContaining({ answer: expect.objectContaining({ decision: 'deny' }), by: { kind: 'timeout' } }),
    ]);
    expect(responseOf(lastContents(), 'e1')).toEqual({ error: 'Not run: nobody approved this call before the approval expired.' });
  });

  it('cancel mid-call: the server is told, the turn ends, and the history stays valid', async () => {
    const s = await session(['testsrv'], { preset: 'all' });
    fake.enqueue({ functionCalls: [{ name: 'testsrv__sleep', args: { ms: 60_000 }, id: 's1' }] });
    const turn = s.send('sleep');
    await s.events.waitFor((e) => e.type === 'tool:started');
    expect(await client.request('agent:cancel', { sessionId: s.id })).toEqual({ cancelled: true });
    expect((await turn).text).toBe('[cancelled]');
    await s.events.waitFor((e) => e.type === 'tool:output' && /^cancelled request \d+$/.test(e.text));
    expect(s.events.of('tool:result')).toEqual([
      expect.objectContaining({ callId: 's1', ok: false, error: expect.objectContaining({ code: 'cancelled' }) }),
    ]);
    // The next prompt carries the cancelled call, answered.
    fake.enqueue({ text: 'ok' });
    await s.send('never mind');
    expect(responseOf(lastContents(), 's1')).toEqual({ error: 'The user cancelled this call.' });
  });

  it('a server crash mid-call is answered with the crash, and the loop goes on', async () => {
    const s = await session(['testsrv'], { preset: 'all' });
    fake.enqueue({ functionCalls: [{ name: 'testsrv__crash', args: { code: 9 }, id: 'x1' }] }, { text: 'The tool crashed.' });
    const done = await s.send('crash it');
    expect(done.text).toBe('The tool crashed.');
    expect(responseOf(lastContents(), 'x1')).toEqual({
      error: expect.stringMatching(/^sandbox_crashed: "testsrv" exited with code 9; last stderr:/),
    });
  });

  it('parallel calls: each is approved separately and answered once, ids matching; "always" sticks for the session', async () => {
    const s = await session(['memory', 'testsrv']);
    fake.enqueue(
      {
        functionCalls: [
          { name: 'memory__read_graph', args: {}, id: 'p1' },
          { name: 'testsrv__echo', args: { message: 'one' }, id: 'p2' },
        ],
      },
      { functionCalls: [{ name: 'testsrv__echo', args: { message: 'two' }, id: 'p3' }] },
      { text: 'All done.' },
    );
    const turn = s.send('do both');
    const asks = await Promise.all(
      ['p1', 'p2'].map((id) => s.events.waitFor<Asked>((e) => e.type === 'question:asked' && e.subject.callId === id)),
    );
    await answer(asks[1]!.questionId, { decision: 'approve', scope: 'session' });
    await answer(asks[0]!.questionId, { decision: 'approve' });
    await turn;
    // p3 (echo again) was not asked: the session rule allowed it.
    expect(s.events.of('question:asked').map((e) => e.subject.callId)).toEqual(['p1', 'p2']);
    expect(s.events.of('tool:decided').find((e) => e.callId === 'p3')).toMatchObject({
      decision: 'approve',
      by: { kind: 'policy', rule: expect.stringContaining('session rule 1') },
    });
    const contents = lastContents();
    expect(responseOf(contents, 'p1')).toEqual({ output: '', structuredContent: { entities: [], relations: [] } });
    expect(responseOf(contents, 'p2')).toEqual({ output: 'echo: one' });
    expect(responseOf(contents, 'p3')).toEqual({ output: 'echo: two' });
  });

  it('the first answer wins when two clients answer; the other learns who answered', async () => {
    const s = await session(['testsrv']);
    const other = await t.client();
    fake.enqueue({ functionCalls: [{ name: 'testsrv__echo', args: { message: 'race' }, id: 'f1' }] }, { text: 'done' });
    const turn = s.send('race');
    const ask = await s.events.waitFor<Asked>((e) => e.type === 'question:asked');
    const answers = await Promise.all([
      answer(ask.questionId, { decision: 'approve' }),
      answer(ask.questionId, { decision: 'deny', reason: 'too late' }, other),
    ]);
    expect(answers.filter((a) => a.applied)).toHaveLength(1);
    expect(answers.find((a) => !a.applied)).toMatchObject({ applied: false, by: expect.any(String) });
    await turn;
    expect(s.events.of('question:answered')).toHaveLength(1);
  });

  it('headless: a call that needs a human is denied with a clear message to the model', async () => {
    const s = await session(['testsrv']);
    fake.enqueue({ functionCalls: [{ name: 'testsrv__echo', args: { message: 'h' }, id: 'h1' }] }, { text: 'I could not run it.' });
    await s.send('echo h', true);
    expect(responseOf(lastContents(), 'h1')).toEqual({ error: expect.stringContaining('needs a human approval and the run is headless') });
  });

  it('model failures reach the user as an error event, and a retried 429 is invisible but for a notice', async () => {
    const s = await session(['testsrv']);
    fake.enqueue({ error: { status: 429, retryDelay: '0.001s' } }, { text: 'after a retry' });
    expect((await s.send('hi')).text).toBe('after a retry');
    expect(s.events.of('tool:output').some((e) => e.server === 'gemini' && /retrying/.test(e.text))).toBe(true);
    fake.enqueue({ error: { status: 400, message: 'bad schema' } });
    await s.send('break');
    expect(s.events.of('error').at(-1)).toMatchObject({ code: 'model_error', message: expect.stringContaining('HTTP 400') });
  });
});
