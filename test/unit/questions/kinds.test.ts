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

describe('network-grant answers', () => {
  const grant = { kind: 'network_grant', host: 'api.example.com', port: 443, via: 'tls', reason: 'not in the allowlist' } as const;

  it('keep once and session, and give a denial a reason', () => {
    expect(acceptAnswer(grant, { kind: 'network_grant', decision: 'once' })).toEqual({ kind: 'network_grant', decision: 'once' });
    expect(acceptAnswer(grant, { kind: 'network_grant', decision: 'session' })).toEqual({ kind: 'network_grant', decision: 'session' });
    expect(acceptAnswer(grant, { kind: 'network_grant', decision: 'deny' })).toEqual({
      kind: 'network_grant',
      decision: 'deny',
      reason: 'the user denied this access',
    });
    expect(() => acceptAnswer(grant, { kind: 'tool_approval', decision: 'approve' })).toThrow(/network_grant answer/);
    expect(() => acceptAnswer(grant, { kind: 'network_grant', decision: 'always' } as never)).toThrow();
  });

  it('deny when nobody answers', () => {
    expect(answerForSilence(grant, 'expired')).toEqual({ kind: 'network_grant', decision: 'deny', reason: 'nobody answered in time' });
    expect(answerForSilence(grant, 'restarted')).toMatchObject({ decision: 'deny' });
  });
});
