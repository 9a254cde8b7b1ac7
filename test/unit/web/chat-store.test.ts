// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_EARLY } from '../../../src/view/index.js';
import { useChat } from '../../../web/src/stores/chat.js';
import { useConnection } from '../../../web/src/stores/connection.js';
import { useSessions } from '../../../web/src/stores/sessions.js';
import { daemonStatus, FakeLog, FakeSocket, sessionInfo, turnAwaitingApproval } from './fake-socket.js';

let fake: FakeSocket;
let log: FakeLog;

/** A connected page: the stores exist (they subscribe on creation), then the link comes up. */
async function connect(): Promise<ReturnType<typeof useChat>> {
  const chat = useChat();
  useSessions();
  useConnection().start('mcpgw_test-token-0123456789', () => fake.socket);
  fake.accept();
  await flushPromises();
  return chat;
}

beforeEach(() => {
  setActivePinia(createPinia());
  fake = new FakeSocket();
  log = new FakeLog();
  log.serve(fake);
});

describe('the chat store', () => {
  it('replays the session log on open and then follows live events, ignoring duplicates and other sessions', async () => {
    turnAwaitingApproval(log);
    const chat = await connect();
    await chat.open('s_web');
    expect(fake.sent('session:attach')).toContainEqual({ sessionId: 's_web', sinceSeq: 0 });
    expect(chat.view?.lastSeq).toBe(4);
    expect(chat.view?.items.map((i) => i.kind)).toEqual(['user', 'assistant', 'tool']);
    expect(chat.pending.map((p) => p.approval.approvalId)).toEqual(['a1']);

    // The same events again (a second attach, a watcher's replay) change nothing.
    const before = chat.view;
    fake.push(...log.events);
    expect(chat.view).toBe(before);

    // Live: the answer, the result and the end of the turn; an event of another session is not this chat's.
    fake.push(
      log.add('tool:approval_resolved', {
        approvalId: 'a1',
        callId: 'c1',
        server: 'testsrv',
        tool: 'echo',
        decision: 'approve',
        scope: 'once',
        by: { kind: 'user', name: 'bob' },
      }),
      { ...log.events[0]!, sessionId: 's_other', seq: 6 },
      log.add('tool:started', { callId: 'c1', server: 'testsrv', tool: 'echo', args: { message: 'hi' }, origin: 'agent' }),
      log.add('tool:result', { callId: 'c1', server: 'testsrv', tool: 'echo', ok: true, summary: 'echo: hi', durationMs: 3 }),
      log.add('agent:response', { turnId: 't1', delta: 'It said hi.', done: false }),
      log.add('agent:response', { turnId: 't1', delta: '', done: true, text: 'Let me check.It said hi.' }),
    );
    expect(chat.view?.lastSeq).toBe(9);
    expect(chat.view?.busy).toBe(false);
    expect(chat.pending).toEqual([]);
    expect(chat.view?.items.map((i) => i.kind)).toEqual(['user', 'assistant', 'tool', 'assistant']);
  });

  it('holds an event that arrives ahead of a gap until the gap is filled', async () => {
    turnAwaitingApproval(log);
    const chat = await connect();
    await chat.open('s_web');
    const resolved = log.add('tool:approval_resolved', {
      approvalId: 'a1',
      callId: 'c1',
      server: 'testsrv',
      tool: 'echo',
      decision: 'deny',
      scope: 'once',
      by: { kind: 'user', name: 'bob' },
    });
    const result = log.add('tool:result', { callId: 'c1', server: 'testsrv', tool: 'echo', ok: false, summary: 'denied', durationMs: 0 });
    fake.push(result);
    expect(chat.view?.lastSeq).toBe(4);
    fake.push(resolved);
    expect(chat.view?.lastSeq).toBe(6);
  });

  it('opens a long log mcpd trimmed: skips the announced gap, shows the rest at once and says the start is gone', async () => {
    for (let i = 0; i < MAX_EARLY + 2000; i++) log.add('agent:thinking', { turnId: 't0', round: i });
    log.add('user:message', { messageId: 'm_last', text: 'the newest message', from: 'bob' });
    log.trimmedThrough = 1000;
    const chat = await connect();
    await chat.open('s_web');
    expect(chat.view).toMatchObject({ lastSeq: log.events.length, skipped: 1000, early: [] });
    expect(chat.view?.items.at(-1)).toMatchObject({ kind: 'user', text: 'the newest message' });
    expect(chat.notes.map((n) => n.text)).toContain('The start of this session is no longer in mcpd’s log; older events are not shown.');
  });

  it('after a reconnect re-attaches from the last applied seq and replays only what was missed', async () => {
    turnAwaitingApproval(log);
    const chat = await connect();
    await chat.open('s_web');
    fake.drop();
    expect(useConnection().state).toMatchObject({ kind: 'reconnecting', reason: 'mcpd went away' });
    // Events mcpd logged while the page was away.
    log.add('tool:approval_resolved', {
      approvalId: 'a1',
      callId: 'c1',
      server: 'testsrv',
      tool: 'echo',
      decision: 'deny',
      scope: 'once',
      by: { kind: 'user', name: 'alice' },
      reason: 'no',
    });
    log.add('agent:response', { turnId: 't1', delta: '', done: true, text: 'Let me check.' });
    fake.accept();
    await flushPromises();
    expect(fake.sent('session:attach').at(-1)).toEqual({ sessionId: 's_web', sinceSeq: 4 });
    expect(chat.view?.lastSeq).toBe(6);
    expect(chat.view?.items.find((i) => i.kind === 'tool')).toMatchObject({ status: 'denied' });
    expect(chat.notes.at(-1)?.text).toBe('Reconnected to mcpd; 2 missed events replayed.');
    // Answered while this page was away: not "in another client" (the page never showed it open then).
    expect([...chat.answeredElsewhere]).toEqual([]);
    expect(useConnection().state.kind).toBe('connected');
  });

  it('closes calls left open when mcpd restarted (they will never report back)', async () => {
    turnAwaitingApproval(log);
    const chat = await connect();
    await chat.open('s_web');
    fake.drop();
    log.info = { busy: false, pendingApprovals: 0 };
    fake.handle('daemon:status', () => daemonStatus({ startedAt: 1_800_000_000_000 }));
    fake.accept();
    await flushPromises();
    expect(chat.view?.items.find((i) => i.kind === 'tool')).toMatchObject({
      status: 'interrupted',
      interruptedReason: 'mcpd restarted while this call was running',
    });
    expect(chat.pending).toEqual([]);
    expect(chat.notes.at(-1)?.text).toBe('Reconnected to mcpd (it restarted); 0 missed events replayed.');
  });

  it('marks an approval another client answered while this page showed it', async () => {
    turnAwaitingApproval(log);
    const chat = await connect();
    await chat.open('s_web');
    fake.push(
      log.add('tool:approval_resolved', {
        approvalId: 'a1',
        callId: 'c1',
        server: 'testsrv',
        tool: 'echo',
        decision: 'approve',
        scope: 'once',
        by: { kind: 'user', name: 'alice' },
      }),
    );
    expect([...chat.answeredElsewhere]).toEqual(['a1']);
  });

  it('sends an answer as a tool:approval request, and does not count its own answer as another client’s', async () => {
    turnAwaitingApproval(log);
    fake.handle('tool:approval', () => {
      fake.push(
        log.add('tool:approval_resolved', {
          approvalId: 'a1',
          callId: 'c1',
          server: 'testsrv',
          tool: 'echo',
          decision: 'approve',
          scope: 'session',
          by: { kind: 'user', name: 'bob' },
        }),
      );
      return { applied: true };
    });
    const chat = await connect();
    await chat.open('s_web');
    await chat.answer('a1', { decision: 'approve', scope: 'session' });
    expect(fake.sent('tool:approval')).toEqual([{ approvalId: 'a1', decision: 'approve', scope: 'session' }]);
    expect([...chat.answeredElsewhere]).toEqual([]);
    expect(chat.pending).toEqual([]);
  });
});

describe('the sessions store', () => {
  it('lists the sessions, follows the live ones from their newest event, and takes their updates', async () => {
    fake.handle('session:list', () => [
      sessionInfo({ id: 's_live', lastSeq: 7 }),
      sessionInfo({ id: 's_done', status: 'ended', lastSeq: 3 }),
    ]);
    fake.handle('session:attach', (p) => ({
      session: sessionInfo({ id: String(p.sessionId), lastSeq: 7 }),
      replayed: 0,
      truncated: false,
    }));
    await connect();
    const sessions = useSessions();
    expect(fake.sent('session:attach')).toEqual([{ sessionId: 's_live', sinceSeq: 7 }]);
    expect(sessions.list.map((s) => s.id)).toEqual(['s_live', 's_done']);
    fake.push({
      type: 'session:updated',
      sessionId: 's_live',
      seq: 8,
      ts: 1,
      session: sessionInfo({ id: 's_live', busy: true, lastSeq: 8 }),
    });
    expect(sessions.get('s_live')?.busy).toBe(true);
  });
});
