import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { RunningCalls } from '../../../daemon/calls/running.js';
import { PeerBounds } from '../../../daemon/peer/bounds.js';
import { elicitation, elicitationPeer } from '../../../daemon/peer/elicitation.js';
import { QuestionService } from '../../../daemon/questions/service.js';
import { SessionEventLog } from '../../../daemon/sessions/event-log.js';
import { MemoryStore } from '../../../daemon/store/memory.js';
import type { SessionEvent } from '../../../src/protocol/events.js';
import type { AuditRecord } from '../../../src/protocol/session.js';

/** A call's clock as the sandbox gives it: how many holds are open now. */
function clock() {
  const c = { open: 0, hold: () => (c.open++, () => void c.open--) };
  return c;
}

const params = {
  message: 'Your name?',
  requestedSchema: { type: 'object' as const, properties: { name: { type: 'string' as const, minLength: 2 } }, required: ['name'] },
};

function setup() {
  const store = new MemoryStore();
  const published: SessionEvent[] = [];
  let onPublish: (() => void) | undefined;
  const events = new SessionEventLog(store, (e) => {
    published.push(e);
    onPublish?.();
  });
  const questions = new QuestionService({ store, events, timeoutMs: 60_000 });
  const running = new RunningCalls();
  const audit: AuditRecord[] = [];
  const notices: string[] = [];
  const deps = {
    bounds: new PeerBounds(),
    questions: () => questions,
    ownerOf: async (id: string) => (id === 's1' ? 'alice' : undefined),
    running,
    audit: async (e: AuditRecord) => void audit.push(e),
    notice: async (_s: string, _server: string, text: string) => void notices.push(text),
  };
  const elicit = elicitation(deps);
  const ctx = { sessionId: 's1', server: 'everything', signal: new AbortController().signal };
  /** The next question asked (no sleeps: resolves on the event). */
  const asked = () =>
    new Promise<Extract<SessionEvent, { type: 'question:asked' }>>((resolve) => {
      const check = (): void => {
        const e = published.find((p): p is Extract<SessionEvent, { type: 'question:asked' }> => p.type === 'question:asked');
        if (e) resolve(e);
      };
      onPublish = check;
      check();
    });
  return { questions, running, audit, notices, elicit, ctx, asked, published, deps };
}

describe('a server’s elicitation', () => {
  it('asks the session’s owner about the one running call, checks the answer, sends it, and audits no values', async () => {
    const { questions, running, audit, elicit, ctx, asked } = setup();
    const call = clock();
    const leave = running.enter('s1', 'everything', { callId: 'c1', headless: false, hold: call.hold });
    const result = elicit(ctx, params);
    const q = await asked();
    // The call's timeout is stopped while the person answers.
    expect(call.open).toBe(1);
    expect(q.subject).toEqual({ kind: 'server', server: 'everything', callId: 'c1' });
    await expect(
      questions.answer('alice', { questionId: q.questionId, answer: { kind: 'elicitation', action: 'accept', content: { name: 'A' } } }),
    ).rejects.toThrow('the form does not fit: name needs at least 2 characters');
    await questions.answer('alice', {
      questionId: q.questionId,
      answer: { kind: 'elicitation', action: 'accept', content: { name: 'Ada' } },
    });
    expect(await result).toEqual({ action: 'accept', content: { name: 'Ada' } });
    expect(call.open).toBe(0);
    leave();
    expect(audit).toEqual([
      expect.objectContaining({
        kind: 'elicitation',
        server: 'everything',
        callId: 'c1',
        action: 'accept',
        by: 'user',
        answered: ['name'],
      }),
    ]);
    expect(JSON.stringify(audit)).not.toContain('Ada');
  });

  it('declines at once in a headless run, saying so to the session', async () => {
    const { running, audit, notices, elicit, ctx, published } = setup();
    running.enter('s1', 'everything', { callId: 'c1', headless: true, hold: clock().hold });
    expect(await elicit(ctx, params)).toEqual({ action: 'decline' });
    expect(published.some((e) => e.type === 'question:asked')).toBe(false);
    expect(notices).toEqual(['everything asked for input; the run is headless, so mcpgw declined (use --wait-for-approval to answer it)']);
    expect(audit).toEqual([expect.objectContaining({ action: 'decline', by: 'headless' })]);
  });

  it('cancels when the call it serves is cancelled, and names no call when two run', async () => {
    const { running, elicit, ctx, asked } = setup();
    const turn = new AbortController();
    running.enter('s1', 'everything', { callId: 'c1', headless: false, signal: turn.signal, hold: clock().hold });
    running.enter('s1', 'everything', { callId: 'c2', headless: false, signal: turn.signal, hold: clock().hold });
    const result = elicit(ctx, params);
    expect((await asked()).subject).toEqual({ kind: 'server', server: 'everything' });
    turn.abort();
    expect(await result).toEqual({ action: 'cancel' });
  });

  it('refuses a second open elicitation of the same server, and one for a session that is gone', async () => {
    const { elicit, ctx, asked } = setup();
    void elicit(ctx, params);
    await asked();
    await expect(elicit(ctx, params)).rejects.toThrow(McpError);
    await expect(elicit({ ...ctx, server: 'other', sessionId: 'gone' }, params)).rejects.toThrow(/the session is gone/);
  });

  it('shows a URL flow’s completion once, and only for a link the person accepted', async () => {
    const { questions, notices, ctx, asked, deps } = setup();
    const peer = elicitationPeer(deps);
    const result = peer.elicit(ctx, { mode: 'url', message: 'Sign in', elicitationId: 'e1', url: 'https://auth.example.com/' });
    const q = await asked();
    expect(q.ask).toMatchObject({ mode: 'url', url: { host: 'auth.example.com' } });
    peer.elicitationComplete(ctx, 'e1');
    expect(notices).toEqual([]);
    await questions.answer('alice', { questionId: q.questionId, answer: { kind: 'elicitation', action: 'accept' } });
    expect(await result).toEqual({ action: 'accept' });
    peer.elicitationComplete(ctx, 'other');
    peer.elicitationComplete({ ...ctx, server: 'another' }, 'e1');
    peer.elicitationComplete(ctx, 'e1');
    peer.elicitationComplete(ctx, 'e1');
    expect(notices).toEqual(['everything says the link flow you opened is complete']);
  });
});
