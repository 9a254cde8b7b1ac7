import type { SessionEventOf } from '../protocol/events.js';
import type { CallBase, ChatItem, InterruptedCall, OutputLine, SessionView, ToolCallItem } from './types.js';

/** Output lines kept per call and for the session's unattributed log; older ones are counted, not kept. */
export const MAX_OUTPUT_LINES = 200;
export const MAX_SERVER_LOG = 200;

/** True while an item may still change: text still streaming, a call not yet finished. */
export function isOpen(item: ChatItem): boolean {
  if (item.kind === 'assistant') return !item.done;
  if (item.kind === 'tool') return item.status === 'awaiting_approval' || item.status === 'approved' || item.status === 'running';
  return false;
}

/** Closes an open item: text is done, a call that never finished is interrupted. */
export function closeItem(item: ChatItem, reason: string): ChatItem {
  if (!isOpen(item)) return item;
  if (item.kind === 'assistant') return { ...item, done: true };
  if (item.kind === 'tool') return interruptCall(item, reason);
  return item;
}

/** A call without the fields of its state, ready to be given another state. */
export function callBase(item: ToolCallItem): CallBase {
  const { status: _status, decision: _decision, startedAt: _startedAt, result: _result, interruptedReason: _reason, ...base } = item;
  return base;
}

/** The call, interrupted: it was open when its turn or session ended, or mcpd restarted. */
export function interruptCall(item: ToolCallItem, reason: string): InterruptedCall {
  return {
    ...callBase(item),
    status: 'interrupted',
    interruptedReason: reason,
    ...(item.decision ? { decision: item.decision } : {}),
    ...(item.startedAt === undefined ? {} : { startedAt: item.startedAt }),
  };
}

/** Appends an item; text streaming before it is settled, since nothing is added to a block once it is not last. */
export function push(view: SessionView, item: ChatItem): SessionView {
  const last = view.items.at(-1);
  const items =
    last?.kind === 'assistant' && !last.done ? [...view.items.slice(0, -1), { ...last, done: true }, item] : [...view.items, item];
  return { ...view, items };
}

/** Adds a line to its call's console (bounded), or to the session's server log; notices also join the conversation. */
export function addOutput(view: SessionView, event: SessionEventOf<'tool:output'>): SessionView {
  const line: OutputLine = { seq: event.seq, ts: event.ts, server: event.server, stream: event.stream, text: event.text };
  const index =
    event.callId === undefined
      ? soleRunningCall(view, event)
      : view.items.findIndex((item) => item.kind === 'tool' && item.callId === event.callId);
  if (index >= 0) {
    const item = view.items[index] as ToolCallItem;
    const over = Math.max(0, item.output.length + 1 - MAX_OUTPUT_LINES);
    const items = [...view.items];
    items[index] = { ...item, output: [...item.output.slice(over), line], droppedOutput: item.droppedOutput + over };
    return { ...view, items };
  }
  const next = { ...view, serverLog: [...view.serverLog.slice(Math.max(0, view.serverLog.length + 1 - MAX_SERVER_LOG)), line] };
  // Notices (a crashed sandbox, tools left out, a model retry) matter to the conversation; other chatter does not.
  return event.stream === 'notice'
    ? push(next, { kind: 'notice', key: `notice:${event.seq}`, seq: event.seq, ts: event.ts, server: event.server, text: event.text })
    : next;
}

/**
 * The daemon names the call a line belongs to only when it can tell; a line without a call id that arrives while
 * exactly one call of that server runs is that call's (notices are the session's, not a call's).
 */
function soleRunningCall(view: SessionView, event: SessionEventOf<'tool:output'>): number {
  if (event.stream === 'notice') return -1;
  let found = -1;
  for (let i = 0; i < view.items.length; i++) {
    const item = view.items[i];
    if (item?.kind !== 'tool' || item.server !== event.server || item.status !== 'running') continue;
    if (found !== -1) return -1;
    found = i;
  }
  return found;
}
