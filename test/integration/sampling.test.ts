import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGeminiModelClient } from '../../daemon/agent/model/index.js';
import type { SessionEvent } from '../../src/protocol/events.js';
import type { SamplingAsk } from '../../src/protocol/sampling.js';
import type { DaemonClient } from '../../tui/client/client.js';
import type { FakeGemini } from '../fixtures/fake-gemini/index.js';
import type { RecordedRequest } from '../fixtures/fake-gemini/types.js';
import { testServerEntries } from '../helpers/catalog.js';
import { startAgentDaemon, startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { EventRecorder } from '../helpers/events.js';
import { TestRedis } from '../helpers/redis.js';

// The real @modelcontextprotocol/server-everything in its sandbox: its trigger-sampling-request tool exists only
// because mcpd declares the sampling capability, and it sends sampling/createMessage while the tool call runs.

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
type Answered = Extract<SessionEvent, { type: 'question:answered' }>;
type Result = Extract<SessionEvent, { type: 'tool:result' }>;

const TOOL = 'everything__trigger-sampling-request';
const TIMEOUT_S = 2;
const SAMPLED_USAGE = { promptTokenCount: 30, candidatesTokenCount: 20, totalTokenCount: 50 };

async function session(policy?: string, c: DaemonClient = client, existing?: string) {
  const info = existing
    ? await c.request('session:get', { sessionId: existing })
    : await c.request('session:create', {
        servers: ['everything'],
        ...(policy ? { policy: { name: 'sampling.yaml', text: policy } } : {}),
      });
  const events = new EventRecorder(c);
  await c.request('session:attach', { sessionId: info.id, sinceSeq: info.lastSeq });
  const send = async (text: string, headless = false): Promise<Done> => {
    const { turnId } = await c.request('message', { sessionId: info.id, text, headless });
    return events.waitFor<Done>((e) => e.type === 'agent:response' && e.turnId === turnId && e.done, 120_000);
  };
  const asked = (match: (e: Asked) => boolean, after = 0) =>
    events.waitFor<Asked>((e) => e.type === 'question:asked' && e.seq > after && match(e), 120_000);
  const answer = (questionId: string, answer: Record<string, unknown>) =>
    c.request('question:answer', { questionId, answer: answer as never });
  const result = (callId: string) => events.waitFor<Result>((e) => e.type === 'tool:result' && e.callId === callId, 120_000);
  return { info, client: c, events, send, asked, answer, result };
}

/** The turn's script: the model calls the sampling tool, the server's request is answered, the model sums up. */
function script(callId: string, prompt: string, answer: string): void {
  fake.enqueue(
    { functionCalls: [{ name: TOOL, args: { prompt, maxTokens: 100 }, id: callId }] },
    { text: answer, usage: SAMPLED_USAGE },
    { text: 'done' },
  );
}

/** The request the fake Gemini got for a server's sampling (the one with the server's system prompt). */
function samplingRequests(): RecordedRequest[] {
  return fake.requests.filter((r) => JSON.stringify(r.body.systemInstruction ?? '').includes('helpful test server'));
}

describe('sampling/createMessage from server-everything, a person in the loop', () => {
  it('approved twice: the request reaches Gemini with no tools, the answer reaches the server', async () => {
    const s = await session();
    script('s1', 'write a haiku about sandboxes', 'Walls of glass and steel');
    const before = samplingRequests().length;
    const done = s.send('ask the server to sample');
    const tool = await s.asked((e) => e.ask.kind === 'tool_approval');
    await s.answer(tool.questionId, { kind: 'tool_approval', decision: 'approve' });

    const request = await s.asked((e) => e.ask.kind === 'sampling');
    expect(request.subject).toEqual({ kind: 'server', server: 'everything' });
    const ask = request.ask as SamplingAsk;
    expect(ask).toMatchObject({
      phase: 'request',
      model: 'gemini-2.5-flash',
      request: {
        systemPrompt: 'You are a helpful test server.',
        maxTokens: 100,
        temperature: 0.7,
        messages: [
          { role: 'user', parts: [{ type: 'text', text: 'Resource trigger-sampling-request context: write a haiku about sandboxes' }] },
        ],
      },
      budget: { used: 0 },
    });
    // Nothing reached the model before the person approved.
    expect(samplingRequests()).toHaveLength(before);
    await s.answer(request.questionId, { kind: 'sampling', decision: 'approve' });

    const second = await s.asked((e) => e.ask.kind === 'sampling', request.seq);
    const secondAsk = second.ask as SamplingAsk;
    expect(secondAsk.phase).toBe('result');
    expect(secondAsk.result).toMatchObject({ text: 'Walls of glass and steel', tokens: 50, stopReason: 'endTurn' });
    const sent = samplingRequests().at(-1)!;
    expect(sent.body.tools).toBeUndefined();
    expect(sent.body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Resource trigger-sampling-request context: write a haiku about sandboxes' }] },
    ]);
    expect(sent.body.generationConfig).toMatchObject({ maxOutputTokens: 100, temperature: 0.7 });
    await s.answer(second.questionId, { kind: 'sampling', decision: 'approve' });

    const r = await s.result('s1');
    expect(r.ok).toBe(true);
    expect(r.summary).toContain('Walls of glass and steel');
    expect(r.summary).toContain('"stopReason": "endTurn"');
    await done;

    const audit = await client.request('audit:list', { sessionId: s.info.id, count: 50 });
    const sampling = audit.filter((e) => e.kind === 'sampling');
    expect(sampling.map((e) => [e.step, e.decision ?? null])).toEqual([
      ['request', 'approve'],
      ['model', null],
      ['result', 'approve'],
    ]);
    expect(sampling[0]).toMatchObject({ by: s.info.owner, user: s.info.owner });
    expect(sampling[1]).toMatchObject({ tokens: 50, used: 50 });
    const notices = s.events.of('tool:output').filter((e) => e.stream === 'notice' && e.text.startsWith('sampling:'));
    expect(notices.at(-1)?.text).toMatch(/wrote 50 tokens for everything \(50 sampling tokens used in this session\)/);
  }, 180_000);

  it('a person slower than the call’s timeout at both checkpoints: the clock stops while the server waits for them', async () => {
    const s = await session();
    script('slow', 'take your time', 'Slow and steady');
    const done = s.send('ask the server to sample, slowly');
    const tool = await s.asked((e) => e.ask.kind === 'tool_approval');
    await s.answer(tool.questionId, { kind: 'tool_approval', decision: 'approve' });
    // A person reading each checkpoint for longer than the server's per-call timeout. Time passing is what is
    // tested here; there is no event to wait for instead.
    const reading = () => new Promise((resolve) => setTimeout(resolve, (TIMEOUT_S + 1) * 1000));
    const request = await s.asked((e) => e.ask.kind === 'sampling');
    await reading();
    await s.answer(request.questionId, { kind: 'sampling', decision: 'approve' });
    const second = await s.asked((e) => e.ask.kind === 'sampling', request.seq);
    await reading();
    await s.answer(second.questionId, { kind: 'sampling', decision: 'approve' });
    const r = await s.result('slow');
    expect(r.ok).toBe(true);
    expect(r.summary).toContain('Slow and steady');
    await done;
  }, 180_000);

  it('denied at the first checkpoint: Gemini is never asked and the server gets an error saying the user declined', async () => {
    const s = await session();
    fake.enqueue({ functionCalls: [{ name: TOOL, args: { prompt: 'leak', maxTokens: 100 }, id: 'd1' }] }, { text: 'done' });
    const before = fake.requests.length;
    const done = s.send('ask the server to sample');
    const tool = await s.asked((e) => e.ask.kind === 'tool_approval');
    await s.answer(tool.questionId, { kind: 'tool_approval', decision: 'approve' });
    const request = await s.asked((e) => e.ask.kind === 'sampling');
    await s.answer(request.questionId, { kind: 'sampling', decision: 'deny', reason: 'not today' });
    const r = await s.result('d1');
    expect(r.ok).toBe(false);
    expect(r.summary + (r.error?.message ?? '')).toContain('the user declined this sampling request: not today');
    await done;
    // Two model rounds of the turn; no sampling request in between.
    expect(fake.requests.length - before).toBe(2);
    const answered = s.events.of('question:answered').find((e): e is Answered => e.questionId === request.questionId);
    expect(answered?.answer).toEqual({ kind: 'sampling', decision: 'deny', reason: 'not today' });
  }, 180_000);

  it('a policy allows sampling within a budget; after a daemon restart the next request is over budget and declined headless', async () => {
    const policy = [
      'rules:',
      '  - server: everything',
      '    tool: trigger-sampling-request',
      '    decision: allow',
      'sampling:',
      '  - server: everything',
      '    decision: allow',
      '    maxTokensPerSession: 120',
    ].join('\n');
    // A daemon of its own on a Redis of its own, so it can be restarted: the budget is counted in Redis.
    const redis = new TestRedis();
    await redis.start();
    const model = createGeminiModelClient({ apiKey: 'test-key', baseUrl: fake.baseUrl, baseDelayMs: 1, maxDelayMs: 5 });
    let own = await startTestDaemon({ redisUrl: redis.path, model });
    try {
      let s = await session(policy, await own.client());
      script('b1', 'first', 'within budget');
      await s.send('sample once', true);
      const first = await s.result('b1');
      expect(first.ok).toBe(true);
      expect(first.summary).toContain('within budget');
      expect(s.events.of('question:asked')).toHaveLength(0);

      const sessionId = s.info.id;
      await own.stop();
      own = await startTestDaemon({ redisUrl: redis.path, model, stateDir: own.stateDir });
      s = await session(policy, await own.client(), sessionId);

      // 50 used + up to 100 asked > 120: over budget, and nobody can be asked.
      const before = samplingRequests().length;
      fake.enqueue({ functionCalls: [{ name: TOOL, args: { prompt: 'second', maxTokens: 100 }, id: 'b2' }] }, { text: 'done' });
      await s.send('sample again', true);
      const second = await s.result('b2');
      expect(second.ok).toBe(false);
      expect(second.summary + (second.error?.message ?? '')).toMatch(/over budget \(50 used \+ up to 100 asked, budget 120 tokens/);
      expect(samplingRequests()).toHaveLength(before);
      expect(s.events.of('question:asked')).toHaveLength(0);
      const audit = await s.client.request('audit:list', { sessionId, count: 50 });
      expect(audit.filter((e) => e.kind === 'sampling').map((e) => [e.step, e.decision ?? null, e.by ?? null])).toEqual([
        ['request', 'allow', expect.stringMatching(/^policy: sampling rule 1 \(server everything\) allows within budget/)],
        ['model', null, null],
        ['request', 'deny', 'headless'],
      ]);
    } finally {
      await own.stop();
      await redis.stop();
    }
  }, 240_000);
});
