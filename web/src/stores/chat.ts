import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { assertNever } from '../../../src/checks.js';
import { approvalAnswer, SessionCore, type ApprovalChoice, type ClientNotice } from '../../../src/client/index.js';
import { errorMessage } from '../../../src/errors.js';
import type { QuestionAnswerInput } from '../../../src/protocol/questions.js';
import type { SessionInfo } from '../../../src/protocol/session.js';
import { pendingApprovals } from '../../../src/view/index.js';
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

export type ApprovalAnswer = ApprovalChoice;

/**
 * The open session, through the session core the terminal client uses too (src/client): its log folded into a view
 * by the shared reducer, live events and replays alike, so a reload, a reconnect and watching live all show the
 * same chat. Sends what the user does.
 */
export const useChat = defineStore('chat', () => {
  const connection = useConnection();
  // Views are immutable snapshots: a shallow ref re-renders on each new one without proxying the whole log.
  const view = shallowRef<SessionView>();
  const notes = ref<ChatNote[]>([]);
  const loading = ref(false);
  /** Approvals answered from this page (their resolution is not news); others' answers are told as such. */
  const answeredHere = shallowRef<ReadonlySet<string>>(new Set());
  /** Approvals someone else answered while this page showed them open (the card says so). */
  const answeredElsewhere = shallowRef<ReadonlySet<string>>(new Set());
  const answering = shallowRef<ReadonlySet<string>>(new Set());
  const sending = ref(false);
  let noteId = 0;

  const core = new SessionCore({
    request: (name, payload, timeoutMs) => connection.request(name, payload, timeoutMs),
    onChange: () => {
      view.value = core.state.view;
      answeredHere.value = core.state.answeredHere;
      answeredElsewhere.value = core.state.answeredElsewhere;
      answering.value = core.state.answering;
    },
    onNotice: tell,
  });

  const pending = computed(() => (view.value ? pendingApprovals(view.value) : []));

  connection.onEvent((event) => core.receive(event));
  connection.onGap((gap) => core.gap(gap));
  connection.onConnected(async ({ restarted }) => {
    try {
      await core.reconnected(restarted);
    } catch (err) {
      note('error', `Could not re-open this session: ${errorMessage(err)}`);
    }
  });

  /** Shows a session: replays its whole log into a fresh view, then follows it live. */
  async function open(sessionId: string, info?: SessionInfo): Promise<void> {
    if (view.value?.sessionId === sessionId) return;
    notes.value = [];
    core.show(sessionId, info);
    loading.value = true;
    try {
      await core.attach(sessionId, 0);
    } catch (err) {
      note('error', `Could not open session ${sessionId}: ${errorMessage(err)}`);
      throw err;
    } finally {
      loading.value = false;
    }
  }

  /** Closes the chat (the session goes on in mcpd). */
  function close(): void {
    core.clear();
    notes.value = [];
  }

  /** Sends a message to the model. */
  async function send(text: string): Promise<boolean> {
    const message = text.trim();
    if (!view.value || !message) return false;
    sending.value = true;
    try {
      return await core.send(message);
    } finally {
      sending.value = false;
    }
  }

  /** Cancels the running turn. */
  function cancel(): Promise<void> {
    return core.cancel();
  }

  /** Answers an approval; if another client was first, says who. */
  function answer(approvalId: string, reply: ApprovalAnswer): Promise<void> {
    return core.answer(approvalId, approvalAnswer(reply));
  }

  /** Answers a question of any other kind (a network grant, an elicitation form, a sampling request) as its card built it. */
  function answerQuestion(questionId: string, reply: QuestionAnswerInput): Promise<void> {
    return core.answer(questionId, reply);
  }

  /** What the session core reports, in the page's words (an answer given elsewhere is shown on its card). */
  function tell(notice: ClientNotice): void {
    switch (notice.kind) {
      case 'reconnected': {
        const { restarted, replayed } = notice;
        return note(
          'success',
          `Reconnected to mcpd${restarted ? ' (it restarted)' : ''}; ${replayed} missed event${replayed === 1 ? '' : 's'} replayed.`,
        );
      }
      case 'log_truncated':
        return note('warn', 'The start of this session is no longer in mcpd’s log; older events are not shown.');
      case 'busy':
        return note('error', 'The model is still working on the last message: wait, or cancel it.');
      case 'request_failed':
        return note('error', errorMessage(notice.error));
      case 'nothing_to_cancel':
        return note('info', 'Nothing to cancel.');
      case 'answered_first':
        return note('warn', `Someone answered first${notice.by ? `: ${notice.by}` : ''}.`);
      case 'answered_elsewhere':
        return;
      default:
        return assertNever(notice);
    }
  }

  /** Adds a line of the client's own to the chat. */
  function note(tone: ChatNote['tone'], text: string): void {
    notes.value = [...notes.value, { id: ++noteId, tone, text, position: view.value?.items.length ?? 0 }];
  }

  return {
    view,
    notes,
    loading,
    pending,
    answeredHere,
    answeredElsewhere,
    answering,
    sending,
    open,
    close,
    send,
    cancel,
    answer,
    answerQuestion,
    note,
  };
});
