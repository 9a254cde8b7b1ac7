import { describe, expect, it } from 'vitest';
import { acceptAnswer, answerForSilence } from '../../../daemon/questions/kinds.js';
import type { SamplingAsk } from '../../../src/protocol/sampling.js';

const ask: SamplingAsk = {
  kind: 'sampling',
  phase: 'request',
  model: 'gemini-2.5-flash',
  decisionReason: 'no sampling rule matches this server',
  request: { messages: [], maxTokens: 10 },
};

describe('sampling answers', () => {
  it('a denial always carries a reason; silence declines, saying why', () => {
    expect(acceptAnswer(ask, { kind: 'sampling', decision: 'approve' })).toEqual({ kind: 'sampling', decision: 'approve' });
    expect(acceptAnswer(ask, { kind: 'sampling', decision: 'deny', reason: '  ' })).toEqual({
      kind: 'sampling',
      decision: 'deny',
      reason: 'the user declined',
    });
    expect(() => acceptAnswer(ask, { kind: 'tool_approval', decision: 'approve' })).toThrow(/sampling answer/);
    expect(answerForSilence(ask, 'expired')).toEqual({ kind: 'sampling', decision: 'deny', reason: 'nobody answered in time' });
    expect(answerForSilence(ask, 'restarted')).toMatchObject({ decision: 'deny' });
  });
});
