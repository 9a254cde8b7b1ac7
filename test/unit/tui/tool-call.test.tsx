import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { OutputLine, ToolCallItem } from '../../../src/view/types.js';
import { ToolCall } from '../../../tui/components/ToolCall.js';
import { ToolConsole } from '../../../tui/components/ToolConsole.js';
import { plain } from './helpers.js';

const lines = (n: number): OutputLine[] =>
  Array.from(
    { length: n },
    (_, i) => ({ seq: i + 1, ts: 1, server: 'testsrv', stream: i % 2 ? 'progress' : 'stderr', text: `line ${i}` }) as OutputLine,
  );

/** A call in any state: the overrides pick it (the union's per-state fields are the test's to get right). */
function call(overrides: Partial<ToolCallItem> = {}): ToolCallItem {
  return {
    kind: 'tool',
    key: 'call:c1',
    seq: 1,
    ts: Date.now(),
    callId: 'c1',
    turnId: 't1',
    origin: 'agent',
    server: 'testsrv',
    tool: 'noisy',
    args: { lines: 3 },
    status: 'running',
    startedAt: Date.now(),
    output: lines(3),
    droppedOutput: 0,
    ...overrides,
  } as ToolCallItem;
}

describe('ToolConsole', () => {
  it('shows the newest lines within its height (auto-scroll) and says how many are above', () => {
    const frame = plain(render(<ToolConsole lines={lines(10)} dropped={5} open height={3} />).lastFrame());
    expect(frame.split('\n')).toEqual(['  ▾ 12 earlier lines · ctrl-o to hide', '  ⋯ line 7', '  │ line 8', '  ⋯ line 9']);
  });

  it('collapses to a count', () => {
    expect(plain(render(<ToolConsole lines={lines(4)} open={false} />).lastFrame())).toBe('  ▸ 4 lines of output · ctrl-o to show');
  });

  it('draws nothing for a call without output', () => {
    expect(plain(render(<ToolConsole lines={[]} open />).lastFrame())).toBe('');
  });
});

describe('ToolCall', () => {
  it('a running call shows its live output when the console is open', () => {
    const frame = plain(render(<ToolCall call={call()} consoleOpen />).lastFrame());
    expect(frame).toMatch(/^▶ testsrv\.noisy \{"lines":3\}\s+running \d+s/);
    expect(frame).toContain('│ line 0');
    expect(frame).toContain('⋯ line 1');
  });

  it('the console toggle hides the lines behind a count', () => {
    const frame = plain(render(<ToolCall call={call()} consoleOpen={false} />).lastFrame());
    expect(frame).toContain('▸ 3 lines of output · ctrl-o to show');
    expect(frame).not.toContain('line 0');
  });

  it('summarises a result: ok or failed, duration, and who approved', () => {
    const ok = call({
      status: 'succeeded',
      result: { ok: true, summary: 'survived the noise', durationMs: 1234, at: 1 },
      decision: { approvalId: 'a1', decision: 'approve', scope: 'session', by: { kind: 'user', name: 'alice' }, at: 1 },
    });
    expect(plain(render(<ToolCall call={ok} consoleOpen={false} me="alice" />).lastFrame())).toContain(
      '✓ testsrv.noisy {"lines":3}  ok · 1.23 s · approved by you for this session',
    );
    expect(plain(render(<ToolCall call={ok} consoleOpen={false} me="alice" />).lastFrame())).toContain('⎿ survived the noise');
    const failed = call({
      status: 'failed',
      result: {
        ok: false,
        summary: 'sandbox "testsrv" exited with code 3',
        error: { code: 'sandbox_crashed', message: 'x' },
        durationMs: 40,
        at: 1,
      },
    });
    expect(plain(render(<ToolCall call={failed} consoleOpen={false} />).lastFrame())).toContain(
      '✗ testsrv.noisy {"lines":3}  failed (sandbox_crashed) · 40 ms',
    );
  });

  it('says who denied a call and why, and what interrupted one', () => {
    const denied = call({
      status: 'denied',
      output: [],
      decision: { approvalId: 'a1', decision: 'deny', scope: 'once', by: { kind: 'user', name: 'bob' }, reason: 'not today', at: 1 },
    });
    expect(plain(render(<ToolCall call={denied} consoleOpen me="alice" />).lastFrame())).toBe(
      '⊘ testsrv.noisy {"lines":3}  denied by bob: not today',
    );
    const policy = call({
      server: '',
      tool: '',
      status: 'denied',
      output: [],
      decision: { approvalId: 'p', decision: 'deny', scope: 'once', by: { kind: 'policy', rule: 'no deletes' }, at: 1 },
    });
    expect(plain(render(<ToolCall call={policy} consoleOpen />).lastFrame())).toBe('⊘ a tool call  denied by policy (no deletes)');
    const cut = call({ status: 'interrupted', interruptedReason: 'mcpd restarted while this call was running', output: [] });
    expect(plain(render(<ToolCall call={cut} consoleOpen />).lastFrame())).toContain(
      '◌ testsrv.noisy {"lines":3}  interrupted: mcpd restarted while this call was running',
    );
  });

  it('marks calls the user ran directly', () => {
    expect(plain(render(<ToolCall call={call({ origin: 'user', output: [] })} consoleOpen />).lastFrame())).toContain('(run by you)');
  });
});
