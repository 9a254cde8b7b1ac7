import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { ModelClient, ModelEvent, ModelRequest } from '../../../daemon/agent/model/index.js';
import { RunningCalls } from '../../../daemon/calls/running.js';
import { PeerBounds } from '../../../daemon/peer/bounds.js';
import { Sampler } from '../../../daemon/peer/sampling.js';
import type { SamplingParams } from '../../../daemon/peer/sampling-map.js';
import { QuestionService } from '../../../daemon/questions/service.js';
import { SessionEventLog } from '../../../daemon/sessions/event-log.js';
import { MemoryStore } from '../../../daemon/store/memory.js';
import type { SessionRecord } from '../../../daemon/store/ports.js';
import { parsePolicy } from '../../../src/policy/index.js';
import type { SessionEvent } from '../../../src/protocol/events.js';
import type { SamplingAsk } from '../../../src/protocol/sampling.js';

type Asked = Extract<SessionEvent, { type: 'question:asked' }>;

const params: SamplingParams = {
  messages: [
    { role: 'user', content: { type: 'text', text: 'Summarise the file.' } },
    { role: 'assistant', content: { type: 'text', text: 'Which file?' } },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'This one.' },
        { type: 'image', mimeType: 'image/png', data: 'iVBORw0KGgo=' },
      ],
    },
  ],
  systemPrompt: 'Be brief.',
  maxTokens: 100,
  temperature: 0.2,
};

/** A model that answers every request with `text`, recording what it was asked. */
class ScriptedModel implements ModelClient {
  readonly requests: ModelRequest[] = [];
  constructor(private readonly text = 'A short summary.') {}
  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    this.requests.push(request);
    yield { type: 'text', text: this.text };
    yield {
      type: 'done',
      content: { role: 'model', parts: [{ text: this.text }] },
      functionCalls: [],
      finishReason: 'STOP',
      usage: { promptTokens: 30, outputTokens: 10, thoughtsTokens: 0, cachedTokens: 0, totalTokens: 40 },
    };
  }
}

function policyText(text: string): string {
  const parsed = parsePolicy(text, 'yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return JSON.stringify(parsed.policy);
}

async function setup(options: { policy?: string; headless?: boolean } = {}) {
  const store = new MemoryStore();
  const published: SessionEvent[] = [];
  const waiters: Array<(e: SessionEvent) => void> = [];
  const events = new SessionEventLog(store, (e) => {
    published.push(e);
    for (const w of waiters) w(e);
  });
  const questions = new QuestionService({ store, events, timeoutMs: 60_000 });
  const model = new ScriptedModel();
  const running = new RunningCalls();
  const sampler = new Sampler({
    running,
    store,
    questions,
    model,
    events,
    bounds: new PeerBounds(),
    turns: { isHeadless: () => options.headless ?? false, signalOf: () => undefined },
  });
  const rec: SessionRecord = {
    id: 's_1',
    owner: 'alice',
    title: '',
    status: 'active',
    model: 'gemini-test',
    policyName: 'test',
    policy: policyText(options.policy ?? 'default: ask'),
    servers: ['everything'],
    createdAt: 1,
    lastActive: 1,
    seq: 0,
  };
  await store.createSession(rec);
  const asked = (after = 0): Promise<Asked> =>
    new Promise((resolve) => {
      const match = (e: SessionEvent): boolean => e.type === 'question:asked' && e.seq > after;
      const seen = published.find(match);
      if (seen) resolve(seen as Asked);
      else waiters.push((e) => match(e) && resolve(e as Asked));
    });
  const answer = (questionId: string, decision: 'approve' | 'deny', reason?: string) =>
    questions.answer('alice', { questionId, answer: { kind: 'sampling', decision, ...(reason ? { reason } : {}) } });
  const ctx = (signal = new AbortController().signal) => ({ sessionId: rec.id, server: 'everything', signal });
  const notices = () => published.flatMap((e) => (e.type === 'tool:output' && e.stream === 'notice' ? [e.text] : []));
  return { store, model, sampler, asked, answer, ctx, notices, published, running };
}

describe('Sampler: a person approves the request, then the answer', () => {
  it('asks before the model sees anything, sends the messages with no tools, asks again before returning', async () => {
    const t = await setup();
    const result = t.sampler.sample(t.ctx(), params);
    const first = await t.asked();
    expect(first.subject).toEqual({ kind: 'server', server: 'everything' });
    expect(first.ask).toMatchObject({ kind: 'sampling', phase: 'request', model: 'gemini-test', budget: { used: 0 } });
    expect((first.ask as SamplingAsk).request.messages[2]!.parts[1]).toEqual({ type: 'image', mimeType: 'image/png', bytes: 8 });
    expect(t.model.requests).toHaveLength(0);
    await t.answer(first.questionId, 'approve');

    const second = await t.asked(first.seq);
    expect(second.ask).toMatchObject({
      phase: 'result',
      result: { text: 'A short summary.', tokens: 40, stopReason: 'endTurn', model: 'gemini-test' },
      budget: { used: 40 },
    });
    const sent = t.model.requests[0]!;
    expect(sent.functionDeclarations).toEqual([]);
    expect(sent.systemInstruction).toBe('Be brief.');
    expect(sent.generation).toEqual({ maxOutputTokens: 100, temperature: 0.2 });
    expect(sent.contents.map((c) => c.role)).toEqual(['user', 'model', 'user']);
    await t.answer(second.questionId, 'approve');

    await expect(result).resolves.toEqual({
      role: 'assistant',
      content: { type: 'text', text: 'A short summary.' },
      model: 'gemini-test',
      stopReason: 'endTurn',
    });
    expect(await t.store.samplingTokens('s_1', 'everything')).toBe(40);
    const audit = await t.store.readAudit({ owner: 'alice', sessionId: 's_1', count: 10 });
    expect(audit.map((e) => [e.step, e.decision ?? null, e.by ?? null])).toEqual([
      ['request', 'approve', 'alice'],
      ['model', null, null],
      ['result', 'approve', 'alice'],
    ]);
  });

  it('holds the per-call timeout of the server’s running calls while a person reads either checkpoint', async () => {
    const t = await setup();
    // A call of this server and one of another server in the same session: only the asking server's is held.
    let held = 0;
    let otherHeld = 0;
    const hold = (count: (d: number) => void) => () => {
      count(1);
      return () => count(-1);
    };
    t.running.enter('s_1', 'everything', { callId: 'c1', headless: false, hold: hold((d) => (held += d)) });
    t.running.enter('s_1', 'other', { callId: 'c2', headless: false, hold: hold((d) => (otherHeld += d)) });
    const result = t.sampler.sample(t.ctx(), params);
    const first = await t.asked();
    expect([held, otherHeld]).toEqual([1, 0]);
    await t.answer(first.questionId, 'approve');
    const second = await t.asked(first.seq);
    expect([held, otherHeld]).toEqual([1, 0]);
    await t.answer(second.questionId, 'approve');
    await result;
    expect([held, otherHeld]).toEqual([0, 0]);
  });

  it('a denied request never reaches the model; the server gets a "user declined" MCP error with the reason', async () => {
    const t = await setup();
    const result = t.sampler.sample(t.ctx(), params);
    await t.answer((await t.asked()).questionId, 'deny', 'not now');
    const err = await result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).code).toBe(-1);
    expect((err as McpError).message).toContain('the user declined this sampling request: not now');
    expect(t.model.requests).toHaveLength(0);
    expect(t.notices().at(-1)).toMatch(/declined: not now/);
  });

  it('a denied answer is not returned (the tokens still count)', async () => {
    const t = await setup();
    const result = t.sampler.sample(t.ctx(), params);
    const first = await t.asked();
    await t.answer(first.questionId, 'approve');
    await t.answer((await t.asked(first.seq)).questionId, 'deny');
    await expect(result).rejects.toThrow(/the user declined this sampling request: the user declined/);
    expect(await t.store.samplingTokens('s_1', 'everything')).toBe(40);
  });

  it('a request the server cancels closes its question as declined', async () => {
    const t = await setup();
    const abort = new AbortController();
    const result = t.sampler.sample(t.ctx(abort.signal), params);
    await t.asked();
    abort.abort();
    await expect(result).rejects.toThrow(/the request was cancelled/);
    expect(t.published.some((e) => e.type === 'question:answered')).toBe(true);
  });

  it('a headless run without a sampling rule declines without asking', async () => {
    const t = await setup({ headless: true });
    await expect(t.sampler.sample(t.ctx(), params)).rejects.toThrow(/headless/);
    expect(t.published.some((e) => e.type === 'question:asked')).toBe(false);
  });
});

describe('Sampler: policy and bounds', () => {
  const allow = 'sampling:\n  - server: every*\n    decision: allow\n    maxTokensPerSession: 150\n';

  it('a policy allows within the budget with no question; over budget it asks', async () => {
    const t = await setup({ policy: allow });
    await expect(t.sampler.sample(t.ctx(), params)).resolves.toMatchObject({ role: 'assistant' });
    expect(t.published.some((e) => e.type === 'question:asked')).toBe(false);
    expect(t.notices().at(-1)).toMatch(/40 of 150 sampling tokens used/);
    // 40 used + up to 100 asked fits 150; then 80 + 100 does not.
    await t.sampler.sample(t.ctx(), params);
    const over = t.sampler.sample(t.ctx(), params);
    const asked = await t.asked();
    expect(asked.ask).toMatchObject({ phase: 'request', budget: { used: 80, max: 150 } });
    expect((asked.ask as SamplingAsk).decisionReason).toMatch(/over budget \(80 used \+ up to 100 asked, budget 150/);
    await t.answer(asked.questionId, 'deny');
    await expect(over).rejects.toThrow(McpError);
  });

  it('over budget in a headless run declines', async () => {
    const t = await setup({ policy: allow, headless: true });
    await expect(t.sampler.sample(t.ctx(), { ...params, maxTokens: 200 })).rejects.toThrow(/over budget.*headless/);
    expect(t.model.requests).toHaveLength(0);
  });

  it('a deny rule declines with its message', async () => {
    const t = await setup({ policy: 'sampling:\n  - server: everything\n    decision: deny\n    message: no model for you\n' });
    await expect(t.sampler.sample(t.ctx(), params)).rejects.toThrow(/declined this sampling request: no model for you/);
  });

  it('refuses tools, a second open request of the same server, and a pooled sandbox', async () => {
    const t = await setup();
    await expect(
      t.sampler.sample(t.ctx(), { ...params, tools: [{ name: 'x', inputSchema: { type: 'object' } }] } as SamplingParams),
    ).rejects.toThrow(/no tools/);
    const first = t.sampler.sample(t.ctx(), params);
    await t.asked();
    await expect(t.sampler.sample(t.ctx(), params)).rejects.toThrow(/already wait for a person/);
    await expect(t.sampler.sample({ ...t.ctx(), sessionId: 'pool' }, params)).rejects.toThrow(/no session/);
    await t.answer((await t.asked()).questionId, 'deny');
    await expect(first).rejects.toThrow(McpError);
  });
});
