import { describe, expect, it } from 'vitest';
import {
  acceptGap,
  applyEvent,
  applyEvents,
  applySessionInfo,
  createSessionView,
  hasGap,
  interruptOpen,
  MAX_OUTPUT_LINES,
  pendingApprovals,
  settledCount,
  skipGap,
  MAX_EARLY,
  MAX_CONTENT_CHANGES,
  type SessionView,
  type ToolCallItem,
} from '../../../src/view/index.js';
import { EventLog, sessionInfo, turnWithApprovedCall } from './events.js';

const fresh = (): SessionView => createSessionView('s_test');
const call = (view: SessionView, callId = 'c1'): ToolCallItem =>
  view.items.find((i): i is ToolCallItem => i.kind === 'tool' && i.callId === callId)!;

describe('applyEvent: a turn', () => {
  it('builds user, assistant and tool items from a whole turn, in order', () => {
    const log = new EventLog();
    turnWithApprovedCall(log);
    const view = applyEvents(fresh(), log.events);
    expect(view.lastSeq).toBe(log.events.length);
    expect(view.items.map((i) => i.kind)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(view.items[0]).toMatchObject({ kind: 'user', text: 'echo hi please', from: 'alice' });
    expect(view.items[1]).toMatchObject({ kind: 'assistant', text: 'Let me check.', done: true });
    expect(view.items[3]).toMatchObject({ kind: 'assistant', text: 'It said hi.', done: true });
    expect(call(view)).toMatchObject({
      status: 'succeeded',
      server: 'testsrv',
      tool: 'echo',
      args: { message: 'hi' },
      origin: 'agent',
      turnId: 't1',
      approval: { approvalId: 'a1', annotations: { readOnlyHint: true }, decisionReason: 'no rule matched; the default is ask' },
      decision: { decision: 'approve', scope: 'once', by: { kind: 'user', name: 'alice' } },
      result: { ok: true, summary: 'echo: hi', durationMs: 12 },
    });
    expect(call(view).output.map((l) => `${l.stream}:${l.text}`)).toEqual(['stderr:echoing', 'progress:1/1']);
    expect(view).toMatchObject({ busy: false, turn: undefined, questions: [] });
    expect(settledCount(view.items)).toBe(4);
  });

  it('tracks the approval while it is pending, and the busy turn while it runs', () => {
    const log = new EventLog();
    turnWithApprovedCall(log);
    const upToPrompt = log.events.findIndex((e) => e.type === 'question:asked') + 1;
    const view = applyEvents(fresh(), log.events.slice(0, upToPrompt));
    expect(view.busy).toBe(true);
    expect(view.turn).toMatchObject({ turnId: 't1', round: 1, phase: 'tools' });
    expect(view.questions.map((q) => q.questionId)).toEqual(['a1']);
    expect(pendingApprovals(view)).toEqual([
      expect.objectContaining({ callId: 'c1', status: 'awaiting_approval', approval: expect.objectContaining({ approvalId: 'a1' }) }),
    ]);
    // The text before the call is settled; the call is not, so only the first two items are final.
    expect(settledCount(view.items)).toBe(2);
  });

  it('streams text into one block per round and settles it when the turn ends', () => {
    const log = new EventLog();
    log.add('user:message', { messageId: 'm1', text: 'hi', from: 'alice' });
    log.add('agent:thinking', { turnId: 't1', round: 1 });
    log.add('agent:response', { turnId: 't1', delta: '# Title\n', done: false });
    let view = applyEvents(fresh(), log.events);
    expect(view.items.at(-1)).toMatchObject({ kind: 'assistant', text: '# Title\n', done: false });
    expect(view.turn).toMatchObject({ phase: 'answering' });
    log.add('agent:response', { turnId: 't1', delta: 'Some **bold** text.', done: false });
    log.add('agent:response', { turnId: 't1', delta: '', done: true, text: '# Title\nSome **bold** text.' });
    view = applyEvents(view, log.events);
    expect(view.items).toHaveLength(2);
    expect(view.items[1]).toMatchObject({ text: '# Title\nSome **bold** text.', done: true });
    expect(view.busy).toBe(false);
  });

  it('adds what only the final text carries, such as "[cancelled]"', () => {
    const log = new EventLog();
    log.add('user:message', { messageId: 'm1', text: 'hi', from: 'alice' });
    log.add('agent:thinking', { turnId: 't1', round: 1 });
    log.add('agent:response', { turnId: 't1', delta: 'Working', done: false });
    log.add('agent:response', { turnId: 't1', delta: '', done: true, text: 'Working\n[cancelled]' });
    const view = applyEvents(fresh(), log.events);
    expect(view.items[1]).toMatchObject({ text: 'Working\n[cancelled]', done: true });
  });

  it('a cancelled turn closes its pending approval as denied', () => {
    const log = new EventLog();
    turnWithApprovedCall(log);
    const upToPrompt = log.events.findIndex((e) => e.type === 'question:asked') + 1;
    const cancel = new EventLog();
    cancel.events.push(...log.events.slice(0, upToPrompt));
    cancel.add('question:answered', {
      questionId: 'a1',
      subject: { kind: 'call', callId: 'c1', server: 'testsrv', tool: 'echo' },
      answer: { kind: 'tool_approval', decision: 'deny', scope: 'once', reason: 'the turn was cancelled' },
      by: { kind: 'user', name: 'alice' },
    });
    cancel.add('agent:response', { turnId: 't1', delta: '', done: true, text: 'Let me check.\n[cancelled]' });
    const view = applyEvents(fresh(), cancel.events);
    expect(call(view)).toMatchObject({ status: 'denied', decision: { reason: 'the turn was cancelled' } });
    // The text after the call is a block of its own, below the call.
    expect(view.items.map((i) => (i.kind === 'assistant' ? i.text : i.kind))).toEqual(['user', 'Let me check.', 'tool', '[cancelled]']);
    expect(view.questions).toEqual([]);
  });

  it('records a denial with its reason and who gave it (another client answering first)', () => {
    const log = new EventLog();
    turnWithApprovedCall(log, { approve: false, by: 'bob' });
    const view = applyEvents(fresh(), log.events);
    expect(call(view)).toMatchObject({
      status: 'denied',
      decision: { decision: 'deny', by: { kind: 'user', name: 'bob' }, reason: 'not now' },
    });
    expect(call(view).result).toBeUndefined();
    expect(settledCount(view.items)).toBe(view.items.length);
  });

  it('shows policy decisions: an allowed call runs without a prompt, a denied one is recorded', () => {
    const log = new EventLog();
    log.add('user:message', { messageId: 'm1', text: 'go', from: 'alice' });
    log.add('agent:thinking', { turnId: 't1', round: 1 });
    log.add('tool:decided', {
      callId: 'c1',
      server: 'testsrv',
      tool: 'echo',
      decision: 'approve',
      by: { kind: 'policy', rule: 'read-only' },
    });
    log.add('tool:decided', {
      callId: 'c2',
      server: 'memory',
      tool: 'delete_entities',
      decision: 'deny',
      by: { kind: 'policy', rule: 'no deletes' },
      reason: 'Deleting is not allowed here.',
    });
    let view = applyEvents(fresh(), log.events);
    // The decision names the call's tool, so a call the policy denied (which never starts) is shown by name.
    expect(call(view, 'c1')).toMatchObject({ status: 'approved', server: 'testsrv', tool: 'echo' });
    expect(call(view, 'c2')).toMatchObject({
      status: 'denied',
      server: 'memory',
      tool: 'delete_entities',
      decision: { by: { kind: 'policy', rule: 'no deletes' }, reason: 'Deleting is not allowed here.' },
    });
    expect(view.questions).toEqual([]);
    log.add('tool:started', { callId: 'c1', server: 'testsrv', tool: 'echo', args: { message: 'x' }, origin: 'agent' });
    view = applyEvents(view, log.events);
    expect(call(view, 'c1')).toMatchObject({ status: 'running', server: 'testsrv', tool: 'echo', decision: { by: { kind: 'policy' } } });
  });

  it('a call the user makes directly is not part of any turn and survives "not busy" updates', () => {
    const log = new EventLog();
    log.add('tool:started', { callId: 'c9', server: 'testsrv', tool: 'sleep', args: { ms: 10 }, origin: 'user' });
    log.add('session:updated', { session: sessionInfo({ busy: false }) });
    let view = applyEvents(fresh(), log.events);
    expect(call(view, 'c9')).toMatchObject({ origin: 'user', turnId: undefined, status: 'running' });
    log.add('tool:result', {
      callId: 'c9',
      server: 'testsrv',
      tool: 'sleep',
      ok: false,
      summary: 'timed out',
      error: { code: 'sandbox_timeout', message: 'timed out' },
      durationMs: 10,
    });
    view = applyEvents(view, log.events);
    expect(call(view, 'c9')).toMatchObject({ status: 'failed', result: { ok: false, error: { code: 'sandbox_timeout' } } });
  });
});

describe('applyEvent: sequence numbers', () => {
  it('is idempotent: a duplicate returns the very same view', () => {
    const log = new EventLog();
    turnWithApprovedCall(log);
    const view = applyEvents(fresh(), log.events);
    for (const event of log.events) expect(applyEvent(view, event)).toBe(view);
  });

  it('replay equals live, even when a reconnect replays events the client already had', () => {
    const log = new EventLog();
    turnWithApprovedCall(log);
    turnWithApprovedCall(log, { approve: false });
    const live = log.events.reduce(applyEvent, fresh());
    const replayed = applyEvents(fresh(), log.events);
    // A client that saw the first 9 live, lost the connection, and re-attached with sinceSeq 5 (overlap).
    const reconnected = applyEvents(applyEvents(fresh(), log.events.slice(0, 9)), log.events.slice(5));
    expect(replayed).toEqual(live);
    expect(reconnected).toEqual(live);
  });

  it('holds an event that arrives ahead of a gap and applies it once the gap fills', () => {
    const log = new EventLog();
    turnWithApprovedCall(log);
    const [e1, e2, e3, e4, ...rest] = log.events;
    let view = applyEvents(fresh(), [e1!, e2!, e4!]);
    expect(view.lastSeq).toBe(2);
    expect(hasGap(view)).toBe(true);
    view = applyEvents(view, [e4!, e3!]);
    expect(view.lastSeq).toBe(4);
    expect(hasGap(view)).toBe(false);
    expect(applyEvents(view, rest)).toEqual(applyEvents(fresh(), log.events));
  });

  it('accepts a gap the daemon cannot fill (a capped log) and counts what was lost', () => {
    const log = new EventLog();
    turnWithApprovedCall(log);
    let view = applyEvents(fresh(), log.events.slice(3));
    expect(view.lastSeq).toBe(0);
    view = acceptGap(view);
    expect(view.lastSeq).toBe(log.events.length);
    expect(view.skipped).toBe(3);
    expect(view.items.map((i) => i.kind)).toEqual(['assistant', 'tool', 'assistant']);
  });

  it('skips a gap the daemon announces, so a long log after it is applied at once, not held', () => {
    const log = new EventLog();
    for (let i = 0; i < MAX_EARLY + 3000; i++) log.add('agent:thinking', { turnId: 't1', round: i });
    log.add('user:message', { messageId: 'm_last', text: 'the newest', from: 'alice' });
    // The daemon trimmed the first 2000 events; the replay says so before event 2001.
    let view = skipGap(fresh(), { sessionId: 's_test', fromSeq: 1, toSeq: 2000 });
    view = applyEvents(view, log.events.slice(2000));
    expect(view.lastSeq).toBe(log.events.length);
    expect(view.skipped).toBe(2000);
    expect(hasGap(view)).toBe(false);
    expect(view.items.at(-1)).toMatchObject({ kind: 'user', text: 'the newest' });
    // Without the notice, the same replay is held behind the gap (up to MAX_EARLY events) instead.
    expect(applyEvents(fresh(), log.events.slice(2000)).lastSeq).toBe(0);
  });

  it('applies what was held once a gap is announced, and ignores a gap it has already passed or another session’s', () => {
    const log = new EventLog();
    turnWithApprovedCall(log);
    const held = applyEvents(fresh(), log.events.slice(3));
    const view = skipGap(held, { sessionId: 's_test', fromSeq: 1, toSeq: 3 });
    expect(view).toEqual(acceptGap(held));
    expect(skipGap(view, { sessionId: 's_test', fromSeq: 1, toSeq: 3 })).toBe(view);
    expect(skipGap(fresh(), { sessionId: 's_other', fromSeq: 1, toSeq: 3 })).toEqual(fresh());
  });

  it('ignores events of another session', () => {
    const other = new EventLog('s_other');
    other.add('user:message', { messageId: 'm1', text: 'not mine', from: 'alice' });
    const view = fresh();
    expect(applyEvent(view, other.events[0]!)).toBe(view);
  });
});

describe('output, notices, errors and endings', () => {
  it('keeps the newest output lines of a call and counts the rest', () => {
    const log = new EventLog();
    log.add('tool:started', { callId: 'c1', server: 'testsrv', tool: 'noisy', args: {}, origin: 'user' });
    for (let i = 0; i < MAX_OUTPUT_LINES + 5; i++)
      log.add('tool:output', { callId: 'c1', server: 'testsrv', stream: 'stderr', text: `line ${i}` });
    const item = call(applyEvents(fresh(), log.events), 'c1');
    expect(item.output).toHaveLength(MAX_OUTPUT_LINES);
    expect(item.droppedOutput).toBe(5);
    expect(item.output[0]!.text).toBe('line 5');
  });

  it('gives a line without a call id to the only running call of its server, and no other', () => {
    const log = new EventLog();
    log.add('tool:started', { callId: 'c1', server: 'testsrv', tool: 'noisy', args: {}, origin: 'user' });
    log.add('tool:output', { server: 'testsrv', stream: 'stderr', text: 'mine' });
    log.add('tool:output', { server: 'memory', stream: 'stderr', text: 'another server' });
    log.add('tool:started', { callId: 'c2', server: 'testsrv', tool: 'sleep', args: {}, origin: 'user' });
    log.add('tool:output', { server: 'testsrv', stream: 'stderr', text: 'whose?' });
    const view = applyEvents(fresh(), log.events);
    expect(call(view, 'c1').output.map((l) => l.text)).toEqual(['mine']);
    expect(call(view, 'c2').output).toEqual([]);
    expect(view.serverLog.map((l) => l.text)).toEqual(['another server', 'whose?']);
  });

  it('shows notices in the conversation and keeps unattributed chatter in the server log', () => {
    const log = new EventLog();
    log.add('tool:output', { server: 'testsrv', stream: 'stderr', text: 'server listening on stdio' });
    log.add('tool:output', { server: 'testsrv', stream: 'notice', text: 'sandbox "testsrv" exited with code 3; it restarts on next use' });
    log.add('error', { code: 'model_error', message: 'quota exceeded' });
    const view = applyEvents(fresh(), log.events);
    expect(view.serverLog.map((l) => l.text)).toEqual([
      'server listening on stdio',
      'sandbox "testsrv" exited with code 3; it restarts on next use',
    ]);
    expect(view.items).toEqual([
      expect.objectContaining({ kind: 'notice', server: 'testsrv', text: expect.stringContaining('exited with code 3') }),
      expect.objectContaining({ kind: 'error', code: 'model_error', message: 'quota exceeded' }),
    ]);
  });

  it('a session that ends closes everything still open', () => {
    const log = new EventLog();
    log.add('user:message', { messageId: 'm1', text: 'go', from: 'alice' });
    log.add('tool:started', { callId: 'c1', server: 'testsrv', tool: 'sleep', args: {}, origin: 'user' });
    log.add('session:ended', { reason: 'killed by its owner' });
    const view = applyEvents(fresh(), log.events);
    expect(view.ended).toEqual({ reason: 'killed by its owner' });
    expect(call(view)).toMatchObject({ status: 'interrupted' });
    expect(view.items.at(-1)).toMatchObject({ kind: 'ended', reason: 'killed by its owner' });
    expect(view.busy).toBe(false);
  });
});

describe('after mcpd restarts', () => {
  it('the attach answer (not busy) closes the turn that never ended and its running call', () => {
    const log = new EventLog();
    turnWithApprovedCall(log);
    const upToStart = log.events.findIndex((e) => e.type === 'tool:started') + 1;
    let view = applyEvents(fresh(), log.events.slice(0, upToStart));
    expect(call(view).status).toBe('running');
    view = applySessionInfo(view, sessionInfo({ busy: false }));
    expect(call(view)).toMatchObject({ status: 'interrupted', interruptedReason: expect.any(String) });
    expect(view).toMatchObject({ busy: false, turn: undefined });
    expect(settledCount(view.items)).toBe(view.items.length);
  });

  it('interruptOpen closes a direct call that will never report, and no-ops when nothing is open', () => {
    const log = new EventLog();
    log.add('tool:started', { callId: 'c1', server: 'testsrv', tool: 'sleep', args: {}, origin: 'user' });
    const view = interruptOpen(applyEvents(fresh(), log.events), 'mcpd restarted while this call ran');
    expect(call(view)).toMatchObject({ status: 'interrupted', interruptedReason: 'mcpd restarted while this call ran' });
    expect(interruptOpen(view, 'again')).toBe(view);
  });

  it('a new message closes a turn whose end was never logged', () => {
    const log = new EventLog();
    log.add('user:message', { messageId: 'm1', text: 'one', from: 'alice' });
    log.add('agent:thinking', { turnId: 't1', round: 1 });
    log.add('agent:response', { turnId: 't1', delta: 'partial', done: false });
    log.add('user:message', { messageId: 'm2', text: 'two', from: 'alice' });
    const view = applyEvents(fresh(), log.events);
    expect(view.items.map((i) => i.kind)).toEqual(['user', 'assistant', 'user']);
    expect(view.items[1]).toMatchObject({ done: true });
    expect(view.turn).toMatchObject({ turnId: undefined, phase: 'thinking' });
  });
});

describe('applyEvent: server content changes', () => {
  it('keeps the newest changes, bounded, for the UI to refresh on', () => {
    const log = new EventLog();
    for (let i = 0; i < MAX_CONTENT_CHANGES + 5; i++)
      log.add('server:changed', { server: 'everything', what: 'resource', uri: `x://${i}` });
    log.add('server:changed', { server: 'everything', what: 'prompts' });
    const view = applyEvents(fresh(), log.events);
    expect(view.contentChanges).toHaveLength(MAX_CONTENT_CHANGES);
    expect(view.contentChanges.at(-1)).toMatchObject({ server: 'everything', what: 'prompts', seq: log.events.length });
    expect(view.items).toEqual([]);
  });
});
