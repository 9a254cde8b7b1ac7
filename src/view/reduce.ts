import { subjectCallId } from '../protocol/subjects.js';
import type { ReplayGap, SessionEvent, SessionEventOf } from '../protocol/events.js';
import type { SessionInfo } from '../protocol/session.js';
import { assertNever } from '../checks.js';
import { approvalAnswered, approvalAsked, callDecided, callFinished, callStarted } from './calls.js';
import { elicitationAnswered } from './elicitation.js';
import { addOutput, closeItem, isOpen, push } from './items.js';
import type { AssistantItem, SessionView } from './types.js';

/** Content changes a view keeps (the UI only needs the newest per server to refresh). */
export const MAX_CONTENT_CHANGES = 20;

/** Events held ahead of a gap; past this the client should re-attach from `lastSeq` instead. */
export const MAX_EARLY = 5000;

/** An empty view of a session, before any of its events. */
export function createSessionView(sessionId: string, session?: SessionInfo): SessionView {
  return {
    sessionId,
    lastSeq: 0,
    session,
    items: [],
    questions: [],
    busy: session?.busy ?? false,
    turn: undefined,
    ended: session?.status === 'ended' ? { reason: 'the session has ended' } : undefined,
    serverLog: [],
    early: [],
    skipped: 0,
    contentChanges: [],
  };
}

/**
 * Applies one session event. Idempotent by seq: a replayed or duplicated event returns the same object, and an
 * event ahead of a gap is held until the gap fills, so replaying a log and watching it live give the same view.
 */
export function applyEvent(view: SessionView, event: SessionEvent): SessionView {
  if (event.sessionId !== view.sessionId || event.seq <= view.lastSeq) return view;
  if (event.seq !== view.lastSeq + 1) return hold(view, event);
  return drain(reduce({ ...view, lastSeq: event.seq }, event));
}

/** Applies events in order (a replay, or a batch received together). */
export function applyEvents(view: SessionView, events: readonly SessionEvent[]): SessionView {
  return events.reduce(applyEvent, view);
}

/** True when events are held behind a gap: the client should re-attach with `sinceSeq: lastSeq`. */
export function hasGap(view: SessionView): boolean {
  return view.early.length > 0;
}

/**
 * Gives up on the events of a gap (the daemon's capped log no longer has them) and applies what was held. The
 * number of events lost is kept in `skipped` so the UI can say so.
 */
export function acceptGap(view: SessionView): SessionView {
  const first = view.early[0];
  if (!first) return view;
  return drain({ ...view, skipped: view.skipped + (first.seq - view.lastSeq - 1), lastSeq: first.seq - 1 });
}

/**
 * Gives up on events the daemon said are gone (a `session:gap` during a replay): they count as skipped and the
 * view goes on after them, so what follows is applied at once instead of being held behind the gap.
 */
export function skipGap(view: SessionView, gap: ReplayGap): SessionView {
  if (gap.sessionId !== view.sessionId || gap.toSeq <= view.lastSeq) return view;
  const skipped = gap.toSeq - Math.max(view.lastSeq, gap.fromSeq - 1);
  return drain({ ...view, skipped: view.skipped + skipped, lastSeq: gap.toSeq, early: view.early.filter((e) => e.seq > gap.toSeq) });
}

/** Takes the live facts an attach or a `session:get` answered with (they are not in the event log). */
export function applySessionInfo(view: SessionView, info: SessionInfo): SessionView {
  if (info.id !== view.sessionId) return view;
  const next = { ...view, session: info, busy: info.busy };
  return !info.busy && view.turn ? closeTurn(next, 'the turn ended before this call finished') : next;
}

/**
 * Closes every call still open, e.g. after mcpd restarted: calls in flight then never report a result, and their
 * approvals can no longer be answered.
 */
export function interruptOpen(view: SessionView, reason: string): SessionView {
  if (!view.items.some(isOpen) && view.questions.length === 0) return view;
  return { ...view, items: view.items.map((item) => closeItem(item, reason)), questions: [] };
}

function hold(view: SessionView, event: SessionEvent): SessionView {
  if (view.early.some((e) => e.seq === event.seq) || view.early.length >= MAX_EARLY) return view;
  return { ...view, early: [...view.early, event].sort((a, b) => a.seq - b.seq) };
}

function drain(view: SessionView): SessionView {
  let next = view;
  for (let first = next.early[0]; first && first.seq <= next.lastSeq + 1; first = next.early[0]) {
    next = { ...next, early: next.early.slice(1) };
    if (first.seq === next.lastSeq + 1) next = reduce({ ...next, lastSeq: first.seq }, first);
  }
  return next;
}

function reduce(view: SessionView, event: SessionEvent): SessionView {
  switch (event.type) {
    case 'session:updated':
      return applySessionInfo(view, event.session);
    case 'session:ended': {
      const closed = interruptOpen(closeTurn(view, `the session ended: ${event.reason}`), `the session ended: ${event.reason}`);
      return {
        ...push(closed, { kind: 'ended', key: `ended:${event.seq}`, seq: event.seq, ts: event.ts, reason: event.reason }),
        ended: { reason: event.reason },
        busy: false,
      };
    }
    case 'user:message': {
      // A new turn starts only after the previous one ended, even if its end was never logged (a daemon restart).
      const closed = closeTurn(view, 'the turn ended before this call finished');
      const next = push(closed, {
        kind: 'user',
        key: `user:${event.messageId}`,
        seq: event.seq,
        ts: event.ts,
        messageId: event.messageId,
        text: event.text,
        from: event.from,
      });
      return { ...next, busy: true, turn: { turnId: undefined, startedAt: event.ts, round: 0, phase: 'thinking' } };
    }
    case 'agent:thinking': {
      const turn = { startedAt: event.ts, ...view.turn, turnId: event.turnId, round: event.round, phase: 'thinking' as const };
      return {
        ...view,
        busy: true,
        turn,
        items: view.items.map((item) => (item.kind === 'assistant' && !item.done ? { ...item, done: true } : item)),
      };
    }
    case 'agent:response':
      return event.done ? finishTurn(view, event) : streamText(view, event);
    case 'question:asked': {
      const known = view.questions.some((q) => q.questionId === event.questionId);
      const { questionId, subject, ask, expiresAt } = event;
      const next = known ? view : { ...view, questions: [...view.questions, { questionId, subject, ask, expiresAt, askedAt: event.ts }] };
      // Each kind is shown its own way; a tool approval is shown on its call.
      switch (ask.kind) {
        case 'tool_approval':
          return subject.kind === 'call' ? approvalAsked(next, event, subject, ask) : next;
        case 'elicitation':
        case 'network_grant':
          // Shown as the question itself (its answer lands in the call's console as an [egress] line).
          return next;
        case 'sampling':
          // Shown from `questions` while open; the daemon's notices tell the transcript what came of it.
          return next;
        default:
          return assertNever(ask);
      }
    }
    case 'question:answered': {
      const next = { ...view, questions: view.questions.filter((q) => q.questionId !== event.questionId) };
      switch (event.answer.kind) {
        case 'tool_approval':
          return event.subject.kind === 'call' ? approvalAnswered(next, event, event.subject, event.answer) : next;
        case 'network_grant':
        case 'sampling':
          return next;
        case 'elicitation':
          return elicitationAnswered(next, view, event, event.answer);
        default:
          return assertNever(event.answer);
      }
    }
    case 'tool:decided':
      return callDecided(view, event);
    case 'tool:started':
      return callStarted(view, event);
    case 'tool:output':
      return addOutput(view, event);
    case 'tool:result':
      return callFinished(view, event);
    case 'error':
      return push(view, {
        kind: 'error',
        key: `error:${event.seq}`,
        seq: event.seq,
        ts: event.ts,
        code: event.code,
        message: event.message,
      });
    case 'server:changed': {
      const { seq, ts, type: _type, sessionId: _id, ...change } = event;
      return { ...view, contentChanges: [...view.contentChanges, { seq, ts, ...change }].slice(-MAX_CONTENT_CHANGES) };
    }
    default:
      return assertNever(event);
  }
}

function streamText(view: SessionView, event: SessionEventOf<'agent:response'>): SessionView {
  if (event.delta === '') return view;
  const turn = view.turn && { ...view.turn, turnId: event.turnId, phase: 'answering' as const };
  const last = view.items.at(-1);
  if (last?.kind === 'assistant' && last.turnId === event.turnId && !last.done) {
    return { ...view, turn, items: [...view.items.slice(0, -1), { ...last, text: last.text + event.delta }] };
  }
  const block: AssistantItem = {
    kind: 'assistant',
    key: `text:${event.turnId}:${event.seq}`,
    seq: event.seq,
    ts: event.ts,
    turnId: event.turnId,
    text: event.delta,
    done: false,
  };
  return { ...push(view, block), turn };
}

/** The turn's last event: its full text settles the blocks (adding what no delta carried, e.g. "[cancelled]"). */
function finishTurn(view: SessionView, event: SessionEventOf<'agent:response'>): SessionView {
  let next = view;
  const blocks = view.items.filter((item): item is AssistantItem => item.kind === 'assistant' && item.turnId === event.turnId);
  const joined = blocks.map((b) => b.text).join('');
  const full = event.text ?? joined;
  if (full !== joined && full.startsWith(joined)) {
    const rest = full.slice(joined.length);
    const last = next.items.at(-1);
    if (last?.kind === 'assistant' && last.turnId === event.turnId)
      next = { ...next, items: [...next.items.slice(0, -1), { ...last, text: last.text + rest }] };
    else
      next = push(next, {
        kind: 'assistant',
        key: `text:${event.turnId}:${event.seq}`,
        seq: event.seq,
        ts: event.ts,
        turnId: event.turnId,
        text: rest.replace(/^\n+/, ''),
        done: true,
      });
  }
  return closeTurn(next, 'the turn ended before this call finished');
}

/** Ends the turn in progress: its text is done and its calls that never finished are marked interrupted. */
function closeTurn(view: SessionView, reason: string): SessionView {
  if (!view.turn && !view.busy && !view.items.some(isOpen)) return view;
  const items = view.items.map((item) => (item.kind === 'tool' && item.origin === 'user' ? item : closeItem(item, reason)));
  const closed = new Set(items.flatMap((item) => (item.kind === 'tool' && item.status === 'interrupted' ? [item.callId] : [])));
  return {
    ...view,
    items,
    turn: undefined,
    busy: false,
    questions: view.questions.filter((q) => !closed.has(subjectCallId(q.subject) ?? '')),
  };
}
