import { describe, expect, it } from 'vitest';
import { replyFor } from '../../../daemon/calls/reply.js';
import {
  canMove,
  isTerminal,
  type CallDecision,
  type CallState,
  type CallStatus,
  type TerminalState,
} from '../../../daemon/calls/state.js';
import { McpgwError } from '../../../src/errors.js';

const ALL: CallStatus[] = ['proposed', 'decided', 'awaiting_human', 'running', 'succeeded', 'failed', 'denied', 'expired', 'cancelled'];
const approved: CallDecision = { decision: 'approve', scope: 'once', by: { kind: 'user', name: 'alice' } };

describe('the tool call state machine', () => {
  it('moves only forward, along the documented edges', () => {
    const edges = ALL.flatMap((from) => ALL.filter((to) => canMove(from, to)).map((to) => `${from}→${to}`));
    expect(edges).toEqual([
      'proposed→decided',
      'proposed→running',
      'decided→awaiting_human',
      'decided→running',
      'decided→denied',
      'awaiting_human→running',
      'awaiting_human→denied',
      'awaiting_human→expired',
      'awaiting_human→cancelled',
      'running→succeeded',
      'running→failed',
      'running→cancelled',
    ]);
  });

  it('ends in exactly the five terminal states', () => {
    const states: CallState[] = [
      { status: 'proposed' },
      { status: 'running', decision: approved, startedAt: 1 },
      { status: 'succeeded', decision: approved, result: { content: [] }, text: '', durationMs: 1 },
      { status: 'failed', decision: approved, error: new McpgwError('sandbox_oom', 'oom'), durationMs: 1 },
      { status: 'denied', decision: { ...approved, decision: 'deny' } },
      { status: 'expired', decision: { ...approved, decision: 'deny', by: { kind: 'timeout' } } },
      { status: 'cancelled', reason: 'the turn was cancelled' },
    ];
    expect(states.filter(isTerminal).map((s) => s.status)).toEqual(['succeeded', 'failed', 'denied', 'expired', 'cancelled']);
  });
});

describe('what the model is told about a call that ended', () => {
  it('gets the output, cut head and tail past the limit, or the tool’s own error', () => {
    const ok: TerminalState = { status: 'succeeded', decision: approved, result: { content: [] }, text: 'x'.repeat(50), durationMs: 1 };
    expect(replyFor(ok, 100)).toEqual({ output: 'x'.repeat(50) });
    expect(replyFor(ok, 20)).toEqual({
      output: expect.stringMatching(/omitted by mcpgw[\s\S]*\[mcpgw cut this output to 20 characters\]$/),
    });
    expect(replyFor({ ...ok, result: { content: [], isError: true }, text: 'bad input' }, 100)).toEqual({ error: 'bad input' });
  });

  it('says why a call did not run or did not finish', () => {
    const deny = (by: CallDecision['by'], reason: string) =>
      replyFor({ status: 'denied', decision: { decision: 'deny', scope: 'once', by, reason } }, 100);
    expect(deny({ kind: 'policy', rule: 'rule 1' }, 'No deletes.')).toEqual({ error: 'Denied by policy: No deletes.' });
    expect(deny({ kind: 'headless' }, 'nobody is there')).toEqual({ error: 'Not run: nobody is there.' });
    expect(deny({ kind: 'user', name: 'bob' }, 'not now')).toEqual({ error: 'The user denied this call: not now' });
    expect(replyFor({ status: 'expired', decision: { ...approved, decision: 'deny', by: { kind: 'timeout' } } }, 100)).toEqual({
      error: 'Not run: nobody approved this call before the approval expired.',
    });
    expect(replyFor({ status: 'cancelled', reason: 'x' }, 100)).toEqual({ error: 'The user cancelled this call.' });
    expect(
      replyFor({ status: 'failed', decision: approved, error: new McpgwError('sandbox_timeout', '"s" timed out'), durationMs: 1 }, 100),
    ).toEqual({ error: 'sandbox_timeout: "s" timed out' });
  });
});
