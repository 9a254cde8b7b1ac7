import type { Decider, SessionEvent, SessionEventOf } from '../protocol/events.js';
import type { CallSubject, ToolApprovalAnswer, ToolApprovalAsk } from '../protocol/questions.js';
import { callBase, push } from './items.js';
import type { DecisionView, ResultItemView, SessionView, ToolCallItem } from './types.js';
import { lastAttachment, openable } from './attachments.js';

/** Updates the call with this id, creating it first (placed as of this event) when the view has not seen it. */
export function upsertCall(
  view: SessionView,
  callId: string,
  event: SessionEvent,
  update: (item: ToolCallItem) => ToolCallItem,
): SessionView {
  const index = view.items.findIndex((item) => item.kind === 'tool' && item.callId === callId);
  if (index >= 0) {
    const items = [...view.items];
    items[index] = update(items[index] as ToolCallItem);
    return { ...view, items };
  }
  const origin = event.type === 'tool:started' ? event.origin : view.turn ? 'agent' : 'user';
  const fresh: ToolCallItem = {
    kind: 'tool',
    key: `call:${callId}`,
    seq: event.seq,
    ts: event.ts,
    callId,
    turnId: origin === 'agent' ? view.turn?.turnId : undefined,
    origin,
    server: '',
    tool: '',
    args: {},
    status: 'approved',
    output: [],
    droppedOutput: 0,
  };
  return push(view, update(fresh));
}

/** A person is asked to approve the call. */
export function approvalAsked(
  view: SessionView,
  event: SessionEventOf<'question:asked'>,
  subject: CallSubject,
  ask: ToolApprovalAsk,
): SessionView {
  const next = upsertCall(view, subject.callId, event, (item) => ({
    ...callBase(item),
    server: subject.server,
    tool: subject.tool,
    args: ask.args,
    status: 'awaiting_approval',
    approval: {
      approvalId: event.questionId,
      annotations: ask.annotations,
      decisionReason: ask.decisionReason,
      ...(ask.changed ? { changed: { fields: ask.changed.fields, diff: ask.changed.diff } } : {}),
      expiresAt: event.expiresAt,
      requestedAt: event.ts,
    },
  }));
  return { ...next, turn: next.turn && { ...next.turn, phase: 'tools' } };
}

/** The approval was answered (by a person, the expiry, or the end of the turn). */
export function approvalAnswered(
  view: SessionView,
  event: SessionEventOf<'question:answered'>,
  subject: CallSubject,
  answer: ToolApprovalAnswer,
): SessionView {
  return decide(view, event, subject, {
    approvalId: event.questionId,
    decision: answer.decision,
    scope: answer.scope,
    by: event.by,
    at: event.ts,
    ...(answer.reason ? { reason: answer.reason } : {}),
  });
}

/** The policy (or a headless run) decided the call without asking anyone. */
export function callDecided(view: SessionView, event: SessionEventOf<'tool:decided'>): SessionView {
  const decision: DecisionView = {
    decision: event.decision,
    scope: 'once',
    by: event.by,
    at: event.ts,
    ...(event.reason ? { reason: event.reason } : {}),
  };
  return decide(view, event, { kind: 'call', callId: event.callId, server: event.server, tool: event.tool }, decision);
}

function decide(view: SessionView, event: SessionEvent, subject: CallSubject, decision: DecisionView & { by: Decider }): SessionView {
  return upsertCall(view, subject.callId, event, (item): ToolCallItem => {
    const named = { ...item, server: item.server || subject.server, tool: item.tool || subject.tool };
    if (decision.decision === 'deny') return { ...callBase(named), status: 'denied', decision };
    if (named.status === 'awaiting_approval' || named.status === 'approved') return { ...callBase(named), status: 'approved', decision };
    return { ...named, decision };
  });
}

/** The call started running in its sandbox. */
export function callStarted(view: SessionView, event: SessionEventOf<'tool:started'>): SessionView {
  const next = upsertCall(view, event.callId, event, (item) => ({
    ...callBase(item),
    server: event.server,
    tool: event.tool,
    args: event.args,
    origin: event.origin,
    turnId: event.origin === 'user' ? undefined : item.turnId,
    status: 'running',
    startedAt: event.ts,
    ...(item.decision ? { decision: item.decision } : {}),
  }));
  return event.origin === 'agent' && next.turn ? { ...next, turn: { ...next.turn, phase: 'tools' } } : next;
}

/** The call's result (or why it has none). */
export function callFinished(view: SessionView, event: SessionEventOf<'tool:result'>): SessionView {
  let n = lastAttachment(view);
  const items = event.items?.map((item): ResultItemView => (openable(item) ? { ...item, n: ++n } : item));
  return upsertCall(view, event.callId, event, (item) => ({
    ...callBase(item),
    server: event.server,
    tool: event.tool,
    status: event.ok ? 'succeeded' : 'failed',
    result: {
      ok: event.ok,
      summary: event.summary,
      durationMs: event.durationMs,
      at: event.ts,
      ...(event.error ? { error: event.error } : {}),
      ...(items && items.length > 0 ? { items } : {}),
      ...(event.moreItems ? { moreItems: event.moreItems } : {}),
      ...(event.structured === undefined ? {} : { structured: event.structured }),
    },
    ...(item.decision ? { decision: item.decision } : {}),
    ...(item.startedAt === undefined ? {} : { startedAt: item.startedAt }),
  }));
}
