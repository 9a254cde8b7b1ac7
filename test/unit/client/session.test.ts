import { describe, expect, it } from 'vitest';
import { SessionCore, type ClientNotice, type RequestFn } from '../../../src/client/index.js';
import { McpgwError } from '../../../src/errors.js';
import type { Decider, SessionEvent } from '../../../src/protocol/events.js';
import type { SessionView } from '../../../src/view/index.js';
import { EventLog, sessionInfo } from '../view/events.js';

/** A session core over a scripted daemon: `attach` replays the log through `receive`, as mcpd does before it answers. */
function harness(log = new EventLog()) {
  const notices: ClientNotice[] = [];
  /** Every state the client was told about (a terminal prints settled items from these once). */
  const shown: Array<SessionView | undefined> = [];
  const sent: Array<{ name: string; payload: unknown }> = [];
  const replies: Record<string, (payload: Record<string, unknown>) => unknown> = {};
  const request = (async (name: string, payload: Record<string, unknown>) => {
    sent.push({ name, payload });
    if (name === 'session:attach') {
      const since = Number(payload.sinceSeq ?? 0);
      const replay = log.events.filter((e) => e.seq > since);
      for (const event of replay) core.receive(event);
      // A turn runs until its final answer is logged.
      const busy = log.events.some((e) => e.type === 'user:message') && !log.events.some((e) => e.type === 'agent:response' && e.done);
      return { session: sessionInfo({ lastSeq: log.events.length, busy }), replayed: replay.length, truncated: false };
    }
    const reply = replies[name];
    if (!reply) throw new McpgwError('bad_request', `no reply for ${name}`);
    return reply(payload);
  }) as RequestFn;
  const core = new SessionCore({ request, onChange: () => shown.push(core.view), onNotice: (n) => notices.push(n) });
  return { core, log, notices, sent, replies, shown };
}

/** A turn that waits for approval a1 of call c1 (testsrv.echo). */
function asking(log: EventLog): void {
  log.add('user:message', { messageId: 'm1', text: 'echo', from: 'alice' });
  log.add('agent:thinking', { turnId: 't1', round: 1 });
  log.add('question:asked', {
    questionId: 'a1',
    subject: { kind: 'call', callId: 'c1', server: 'testsrv', tool: 'echo' },
    ask: { kind: 'tool_approval', args: {}, annotations: {}, decisionReason: 'default is ask' },
    expiresAt: 1,
  });
}

const answered = (log: EventLog, by: Extract<Decider, { kind: 'user' | 'timeout' }>, decision?: 'approve' | 'deny'): SessionEvent =>
  log.add('question:answered', {
    questionId: 'a1',
    subject: { kind: 'call', callId: 'c1', server: 'testsrv', tool: 'echo' },
    answer: { kind: 'tool_approval', decision: decision ?? (by.kind === 'timeout' ? 'deny' : 'approve'), scope: 'once' },
    by,
  });

describe('the session core', () => {
  it('opens a session by replaying its log, then follows it live', async () => {
    const { core, log } = harness();
    asking(log);
    core.show('s_test');
    expect(await core.attach('s_test', 0)).toMatchObject({ replayed: 3 });
    expect(core.view?.questions.map((q) => q.questionId)).toEqual(['a1']);
    core.receive(log.add('agent:response', { turnId: 't1', delta: 'hi', done: false }));
    expect(core.view?.lastSeq).toBe(4);
    // Another session's event is not this one's.
    core.receive({ ...log.events[0]!, sessionId: 's_other', seq: 5 });
    expect(core.view?.lastSeq).toBe(4);
  });

  it('tells an answer given elsewhere from its own, and says nothing of one that was only replayed', async () => {
    const { core, log, notices } = harness();
    asking(log);
    core.show('s_test');
    await core.attach('s_test', 0);
    core.receive(answered(log, { kind: 'user', name: 'bob' }));
    expect([...core.state.answeredElsewhere]).toEqual(['a1']);
    expect(notices).toEqual([
      expect.objectContaining({
        kind: 'answered_elsewhere',
        by: { kind: 'user', name: 'bob' },
        call: expect.objectContaining({ callId: 'c1' }),
      }),
    ]);

    // Its own answer: the event that follows is not news.
    const own = harness();
    asking(own.log);
    own.core.show('s_test');
    await own.core.attach('s_test', 0);
    own.replies['question:answer'] = () => {
      own.core.receive(answered(own.log, { kind: 'user', name: 'alice' }));
      return { applied: true };
    };
    await own.core.answer('a1', { kind: 'tool_approval', decision: 'approve' });
    expect(own.sent.at(-1)).toEqual({
      name: 'question:answer',
      payload: { questionId: 'a1', answer: { kind: 'tool_approval', decision: 'approve' } },
    });
    expect(own.notices).toEqual([]);
    expect([...own.core.state.answeredElsewhere]).toEqual([]);
    expect([...own.core.state.answering]).toEqual([]);

    // Replayed after a reconnect: the page never showed it open then.
    const late = harness();
    asking(late.log);
    answered(late.log, { kind: 'user', name: 'bob' });
    late.core.show('s_test');
    await late.core.attach('s_test', 0);
    expect(late.notices).toEqual([]);
  });

  it('an expiry is told, but not counted as another person’s answer', async () => {
    const { core, log, notices } = harness();
    asking(log);
    core.show('s_test');
    await core.attach('s_test', 0);
    core.receive(answered(log, { kind: 'timeout' }));
    expect([...core.state.answeredElsewhere]).toEqual([]);
    expect(notices).toEqual([expect.objectContaining({ kind: 'answered_elsewhere', by: { kind: 'timeout' } })]);
  });

  it('a late answer learns who was first', async () => {
    const { core, log, notices, replies } = harness();
    asking(log);
    core.show('s_test');
    await core.attach('s_test', 0);
    replies['question:answer'] = () => ({ applied: false, by: 'bob' });
    await core.answer('a1', { kind: 'tool_approval', decision: 'deny', scope: 'once' });
    expect(notices).toEqual([{ kind: 'answered_first', by: 'bob' }]);
    expect([...core.state.answeredHere]).toEqual([]);
  });

  it('knows a busy session by the wire code, whatever the message says', async () => {
    const { core, notices, replies } = harness();
    core.show('s_test');
    replies.message = () => {
      throw new McpgwError('busy', 'anything at all');
    };
    expect(await core.send('again')).toBe(false);
    replies.message = () => {
      throw new McpgwError('conflict', 'a turn is already running in this session');
    };
    expect(await core.send('again')).toBe(false);
    expect(notices.map((n) => n.kind)).toEqual(['busy', 'request_failed']);
  });

  it('after mcpd restarted, closes what is open, then lets the replay of what it missed settle it', async () => {
    const { core, log, notices, shown } = harness();
    asking(log);
    core.show('s_test');
    await core.attach('s_test', 0);
    shown.length = 0;
    // The daemon was stopped: it closed the question as the turn was cancelled, then ended the turn.
    answered(log, { kind: 'user', name: 'alice' }, 'deny');
    log.add('agent:response', { turnId: 't1', delta: '', done: true, text: '[cancelled]' });
    await core.reconnected(true);
    const call = core.view?.items.find((i) => i.kind === 'tool');
    expect(call).toMatchObject({ status: 'denied', decision: { by: { kind: 'user', name: 'alice' } } });
    expect(core.view?.questions).toEqual([]);
    expect(notices).toEqual([{ kind: 'reconnected', restarted: true, replayed: 2 }]);
    // One change: the call was never shown interrupted on its way to denied.
    expect(shown.map((v) => v?.items.find((i) => i.kind === 'tool')?.status)).toEqual(['denied']);
  });

  it('accepts a gap the daemon can no longer fill and says the log was cut', async () => {
    const { core, log, notices } = harness();
    asking(log);
    core.show('s_test');
    core.receive(log.events[2]!);
    expect(core.view?.lastSeq).toBe(0);
    const { replayed } = await core.attach('s_test', 3);
    expect(replayed).toBe(0);
    expect(core.view?.lastSeq).toBe(3);
    expect(core.view?.skipped).toBe(2);
    expect(notices).toEqual([]);
  });

  it('stops waiting for events mcpd says are gone (a session:gap during a replay)', () => {
    const { core, log } = harness();
    asking(log);
    core.show('s_test');
    core.receive(log.events[2]!);
    expect(core.view?.lastSeq).toBe(0);
    core.gap({ sessionId: 's_test', fromSeq: 1, toSeq: 2 });
    expect(core.view?.lastSeq).toBe(3);
    expect(core.view?.skipped).toBe(2);
    expect(core.view?.questions.map((q) => q.questionId)).toEqual(['a1']);
  });
});
