import { describe, expect, it } from 'vitest';
import type { SamplingAsk } from '../../../src/protocol/sampling.js';
import { answerableQuestions, applyEvents, createSessionView, samplingHeadline, samplingRows } from '../../../src/view/index.js';
import { EventLog } from './events.js';

const ask: SamplingAsk = {
  kind: 'sampling',
  phase: 'request',
  model: 'gemini-2.5-flash',
  decisionReason: 'no sampling rule matches this server; sampling asks unless a policy allows it',
  budget: { used: 40, max: 2000 },
  request: {
    systemPrompt: 'You are a helpful test server.',
    messages: [
      { role: 'user', parts: [{ type: 'text', text: 'Write a haiku\nabout walls' }] },
      { role: 'assistant', parts: [{ type: 'image', mimeType: 'image/png', bytes: 2048 }] },
    ],
    maxTokens: 100,
    temperature: 0.7,
    modelPreferences: { hints: ['claude-3-sonnet'], speedPriority: 0.5 },
    includeContext: 'thisServer',
  },
};

describe('sampling questions in the session view', () => {
  it('are answerable while open, leave when answered, and the daemon notices reach the transcript', () => {
    const log = new EventLog();
    log.add('question:asked', { questionId: 'q1', subject: { kind: 'server', server: 'everything' }, ask, expiresAt: 1 });
    const open = applyEvents(createSessionView('s_test'), log.events);
    expect(answerableQuestions(open).map((q) => [q.questionId, q.ask.kind])).toEqual([['q1', 'sampling']]);
    log.add('question:answered', {
      questionId: 'q1',
      subject: { kind: 'server', server: 'everything' },
      answer: { kind: 'sampling', decision: 'deny', reason: 'no' },
      by: { kind: 'user', name: 'alice' },
    });
    log.add('tool:output', { server: 'everything', stream: 'notice', text: 'sampling: everything asked the model to write; declined: no' });
    const closed = applyEvents(open, log.events);
    expect(closed.questions).toEqual([]);
    expect(closed.items.at(-1)).toMatchObject({ kind: 'notice', server: 'everything', text: expect.stringContaining('declined: no') });
  });
});

describe('samplingRows: what both clients show', () => {
  it('shows every field: prompt and messages in full, media by size, preferences as not obeyed, the budget', () => {
    expect(samplingHeadline(ask)).toBe('A server asks the model to write (sampling)');
    expect(samplingRows(ask)).toEqual([
      { label: 'system prompt', text: 'You are a helpful test server.', prose: true },
      { label: '1. user', text: 'Write a haiku\nabout walls', prose: true },
      { label: '2. assistant', text: '[image image/png, 2.0 KiB]', prose: true },
      { label: 'limits', text: 'maxTokens 100, temperature 0.7' },
      { label: 'model preferences', text: 'hints claude-3-sonnet, speedPriority 0.5 (not obeyed: gemini-2.5-flash answers)' },
      { label: 'context asked for', text: 'thisServer (mcpgw adds no context)' },
      { label: 'used so far', text: '40 sampling tokens in this session of a 2000-token budget' },
      { label: 'asked because', text: ask.decisionReason },
    ]);
  });

  it("adds the model's answer at the second checkpoint", () => {
    const result = { text: 'Glass walls', model: 'gemini-2.5-flash', stopReason: 'endTurn', tokens: 12 };
    const rows = samplingRows({ ...ask, phase: 'result', result });
    expect(samplingHeadline({ ...ask, phase: 'result' })).toBe("Return the model's answer to the server?");
    expect(rows.slice(0, 2)).toEqual([
      { label: 'the answer', text: 'Glass walls', prose: true },
      { label: 'answer by', text: 'gemini-2.5-flash, 12 tokens, stop: endTurn' },
    ]);
  });
});
