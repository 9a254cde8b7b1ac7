import { describe, expect, it } from 'vitest';
import { acceptAnswer, answerForSilence } from '../../../daemon/questions/kinds.js';
import type { ToolApprovalAsk } from '../../../src/protocol/questions.js';

const ask: ToolApprovalAsk = { kind: 'tool_approval', args: {}, annotations: {}, decisionReason: 'default is ask' };

describe('tool-approval answers', () => {
  it('keep the scope of an approval, and make every denial once-only with a reason', () => {
    expect(acceptAnswer(ask, { kind: 'tool_approval', decision: 'approve' })).toEqual({
      kind: 'tool_approval',
      decision: 'approve',
      scope: 'once',
    });
    expect(acceptAnswer(ask, { kind: 'tool_approval', decision: 'approve', scope: 'session' })).toMatchObject({ scope: 'session' });
    expect(acceptAnswer(ask, { kind: 'tool_approval', decision: 'deny', scope: 'session', reason: '  no ' })).toEqual({
      kind: 'tool_approval',
      decision: 'deny',
      scope: 'once',
      reason: 'no',
    });
    expect(acceptAnswer(ask, { kind: 'tool_approval', decision: 'deny' })).toMatchObject({ reason: 'the user denied this call' });
  });

  it('refuse what is not an answer of the question’s kind', () => {
    expect(() => acceptAnswer(ask, { kind: 'network_grant' } as never)).toThrow();
    expect(() => acceptAnswer(ask, { kind: 'tool_approval', decision: 'maybe' } as never)).toThrow();
  });

  it('mean "no" when nobody answers, saying why', () => {
    expect(answerForSilence(ask, 'expired')).toEqual({
      kind: 'tool_approval',
      decision: 'deny',
      scope: 'once',
      reason: 'the approval expired',
    });
    expect(answerForSilence(ask, 'cancelled')).toMatchObject({ reason: 'the turn was cancelled' });
    expect(answerForSilence(ask, 'restarted')).toMatchObject({ reason: 'the daemon restarted while this approval was pending' });
  });
});
