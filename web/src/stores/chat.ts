import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { errorMessage } from '../../../src/errors.js';
import type { SessionEvent } from '../../../src/protocol/events.js';
import type { SessionInfo } from '../../../src/protocol/session.js';
import {
  acceptGap,
  applyEvent,
  applySessionInfo,
  createSessionView,
  hasGap,
  interruptOpen,
  pendingApprovals,
  skipGap,
} from '../../../src/view/index.js';
import type { SessionView } from '../../../src/view/index.js';
import { useConnection } from './connection.js';

/** A line the client adds to the chat (not from the session's log): reconnects, errors of requests. */
export interface ChatNote {
  id: number;
  tone: 'info' | 'success' | 'warn' | 'error';
  text: string;
  /** Shown after this many chat items. */
  position: number;
}

export type ApprovalAnswer = { decision: 'approve'; scope: 'once' | 'session' } | { decision: 'deny'; scope: 'once'; reason?: string };

/**
 * The open session: its log folded into a view by the shared reducer (`src/view`), live events and replays alike,
 * so a reload, a reconnect and watching live all show the same chat. Sends what the user does.
 */
export const useChat = defineStore('chat', () => {
  const connection = useConnection();
  // Views are immutable snapshots: a shallow ref re-renders on each new one without proxying the whole log.
  const view = shallowRef<SessionView>();
  const notes = ref<ChatNote[]>([]);
  const loading = ref(false);
  /** Approvals answered from this page (their resolution is not news); others' answers are told as such. */
  const answeredHere = ref(new Set<string>());
  /** Approvals someone else answered while this page showed them open (the card says so). */
  const answeredElsewhere = ref(new Set<string>());
  const answering = ref(new Set<string>());
  const sending = ref(false);
  let noteId = 0;
  let replaying = false;

  const pending = computed(() => (view.value ? pendingApprovals(view.value) : []));

  connection.onEvent(onEvent);
  connection.onGap((gap) => {
    if (view.value) view.value = skipGap(view.value, gap);
  });
  connection.onConnected(async ({ restarted }) => {
    const current = view.value;
    if (!current) return;
    try {
      // Whatever was open when mcpd went down will never report back, unless the log it kept says otherwise:
      // close it first, then let the replay of what was missed settle it.
      if (restarted) view.value = interruptOpen(current, 'mcpd restarted while this call was running');
      const { replayed } = await attach(current.sessionId, current.lastSeq);
      note(
        'success',
        `Reconnected to mcpd${restarted ? ' (it restarted)' : ''}; ${replayed} missed event${replayed === 1 ? '' : 's'} replayed.`,
      );
    } catch (err) {
      note('error', `Could not re-open this session: ${errorMessage(err)}`);
    }
  });

  /** Shows a session: replays its whole log into a fresh view, then follows it live. */
  async function open(sessionId: string, info?: SessionInfo): Promise<void> {
    const previous = view.value?.sessionId;
    if (previous === sessionId) return;
    view.value = createSessionView(sessionId, info);
    notes.value = [];
    answeredHere.value = new Set();
    answeredElsewhere.value = new Set();
    loading.value = true;
    try {
      await attach(sessionId, 0);
    } catch (err) {
      note('error', `Could not open session ${sessionId}: ${errorMessage(err)}`);
      throw err;
    } finally {
      loading.value = false;
    }
  }

  /** Closes the chat (the session goes on in mcpd). */
  function close(): void {
    view.value = undefined;
    notes.value = [];
  }

  /** Attaches; the replayed events arrive through onEvent before the answer does. */
  async function attach(sessionId: string, sinceSeq: number): Promise<{ replayed: number }> {
    replaying = true;
    let reply;
    try {
      reply = await connection.request('session:attach', { sessionId, sinceSeq }, 120_000);
    } finally {
      replaying = false;
    }
    let current = view.value;
    if (!current || current.sessionId !== sessionId) return reply;
    // Events still held behind a gap after a replay are gone from mcpd's capped log: show what is left.
    if (hasGap(current)) current = acceptGap(current);
    view.value = applySessionInfo(current, reply.session);
    if (reply.truncated) note('warn', 'The start of this session is no longer in mcpd’s log; older events are not shown.');
    return reply;
  }

  function onEvent(event: SessionEvent): void {
    const current = view.value;
    if (!current || event.sessionId !== current.sessionId) return;
    const next = applyEvent(current, event);
    if (next === current) return;
    // Told live while the card was open here, and not by this page: the card says another client answered.
    if (
      event.type === 'tool:approval_resolved' &&
      !replaying &&
      event.by.kind === 'user' &&
      current.pending.includes(event.approvalId) &&
      !answeredHere.value.has(event.approvalId)
    ) {
      answeredElsewhere.value = new Set([...answeredElsewhere.value, event.approvalId]);
    }
    view.value = next;
  }

  /** Sends a message to the model. */
  async function send(text: string): Promise<boolean> {
    const current = view.value;
    const message = text.trim();
    if (!current || !message) return false;
    sending.value = true;
    try {
      await connection.request('message', { sessionId: current.sessionId, text: message });
      return true;
    } catch (err) {
      const busy = /turn is already running/.test(errorMessage(err));
      note('error', busy ? 'The model is still working on the last message: wait, or cancel it.' : errorMessage(err));
      return false;
    } finally {
      sending.value = false;
    }
  }

  /** Cancels the running turn. */
  async function cancel(): Promise<void> {
    const current = view.value;
    if (!current) return;
    try {
      const { cancelled } = await connection.request('agent:cancel', { sessionId: current.sessionId });
      if (!cancelled) note('info', 'Nothing to cancel.');
    } catch (err) {
      note('error', errorMessage(err));
    }
  }

  /** Answers an approval; if another client was first, says who. */
  async function answer(approvalId: string, reply: ApprovalAnswer): Promise<void> {
    answeredHere.value = new Set([...answeredHere.value, approvalId]);
    answering.value = new Set([...answering.value, approvalId]);
    try {
      const result = await connection.request('tool:approval', { approvalId, ...reply });
      if (!result.applied) {
        answeredHere.value = new Set([...answeredHere.value].filter((id) => id !== approvalId));
        note('warn', `Someone answered first${result.by ? `: ${result.by}` : ''}.`);
      }
    } catch (err) {
      answeredHere.value = new Set([...answeredHere.value].filter((id) => id !== approvalId));
      note('error', errorMessage(err));
    } finally {
      answering.value = new Set([...answering.value].filter((id) => id !== approvalId));
    }
  }

  /** Adds a line of the client's own to the chat. */
  function note(tone: ChatNote['tone'], text: string): void {
    notes.value = [...notes.value, { id: ++noteId, tone, text, position: view.value?.items.length ?? 0 }];
  }

  return { view, notes, loading, pending, answeredHere, answeredElsewhere, answering, sending, open, close, send, cancel, answer, note };
});
