import { describe, expect, it } from 'vitest';
import { answerableQuestions, applyEvents, createSessionView } from '../../../src/view/index.js';
import { EventLog } from './events.js';

describe('a network_grant question in the view', () => {
  it('is answerable while open, outlives the call that raised it, and goes when answered', () => {
    const log = new EventLog();
    log.add('question:asked', {
      questionId: 'q1',
      subject: { kind: 'server', server: 'web', callId: 'c1' },
      ask: { kind: 'network_grant', host: 'api.example.com', port: 443, via: 'tls', reason: 'not in the allowlist' },
      expiresAt: 1_800_000_000_000,
    });
    log.add('tool:result', { callId: 'c1', server: 'web', tool: 'fetch', ok: false, summary: 'ENOTFOUND', durationMs: 3 });
    const open = applyEvents(createSessionView('s_test'), log.events);
    expect(answerableQuestions(open)).toEqual([
      expect.objectContaining({ questionId: 'q1', ask: expect.objectContaining({ kind: 'network_grant', host: 'api.example.com' }) }),
    ]);
    log.add('question:answered', {
      questionId: 'q1',
      subject: { kind: 'server', server: 'web', callId: 'c1' },
      answer: { kind: 'network_grant', decision: 'session' },
      by: { kind: 'user', name: 'alice' },
    });
    const answered = applyEvents(createSessionView('s_test'), log.events);
    expect(answered.questions).toEqual([]);
    expect(answerableQuestions(answered)).toEqual([]);
  });
});
