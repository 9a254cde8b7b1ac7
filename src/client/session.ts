import type { Decider, ReplayGap, ReplyOf, RequestName, RequestOf, SessionEvent } from '../protocol/events.js';
import type { QuestionAnswer, QuestionAnswerInput } from '../protocol/questions.js';
import { subjectCallId } from '../protocol/subjects.js';
import type { SessionInfo } from '../protocol/session.js';
import { acceptGap, applyEvent, applySessionInfo, createSessionView, hasGap, interruptOpen, skipGap } from '../view/reduce.js';
import { findCall, findQuestion } from '../view/select.js';
import type { QuestionView, SessionView, ToolCallItem } from '../view/types.js';

/** Sends one request to mcpd and resolves with its value; a failure is thrown with the wire error's `code`. */
export type RequestFn = <K extends RequestName>(name: K, payload: RequestOf<K>, timeoutMs?: number) => Promise<ReplyOf<K>>;

/** Something the person should be told; each client words it its own way (a switch over `kind`). */
export type ClientNotice =
  | { kind: 'reconnected'; restarted: boolean; replayed: number }
  | { kind: 'log_truncated' }
  /** A message was refused because a turn is still running. */
  | { kind: 'busy' }
  | { kind: 'request_failed'; error: unknown }
  | { kind: 'nothing_to_cancel' }
  /** This client's answer came after another one. */
  | { kind: 'answered_first'; by: string | undefined }
  /** A question open here was closed by someone else (another client, the expiry). */
  | { kind: 'answered_elsewhere'; question: QuestionView; answer: QuestionAnswer; by: Decider; call: ToolCallItem | undefined };

/** What a client shows of the open session, besides its own notes. */
export interface SessionState {
  view: SessionView | undefined;
  /** Questions whose answer from here is on its way to mcpd. */
  answering: ReadonlySet<string>;
  /** Questions answered from here (their closing is not news). */
  answeredHere: ReadonlySet<string>;
  /** Questions a person answered elsewhere while this client showed them open. */
  answeredElsewhere: ReadonlySet<string>;
}

export interface SessionCoreOptions {
  request: RequestFn;
  /** Called after every change of `state`. */
  onChange: () => void;
  onNotice: (notice: ClientNotice) => void;
}

/** A replay of a long session may take a while to send. */
const ATTACH_TIMEOUT_MS = 120_000;

const EMPTY: ReadonlySet<string> = new Set();

/**
 * The session logic both clients share (the terminal chat and the web store): it opens a session by replaying its
 * log into a view (the pure reducer in src/view), follows it live, re-attaches from the last seq after a
 * reconnect (closing what a restarted daemon will never report), and sends messages, cancels and answers. It
 * tells answers given here from answers given elsewhere, and a busy session by the wire's `busy` code.
 */
export class SessionCore {
  private current: SessionState = { view: undefined, answering: EMPTY, answeredHere: EMPTY, answeredElsewhere: EMPTY };
  private replaying = false;
  /** While > 0, changes are made but not announced (a reconnect is one change, not a flicker of states). */
  private quiet = 0;

  constructor(private readonly opts: SessionCoreOptions) {}

  get state(): SessionState {
    return this.current;
  }

  get view(): SessionView | undefined {
    return this.current.view;
  }

  /** Shows a session afresh (nothing of it applied yet); `attach` fills it. */
  show(sessionId: string, info?: SessionInfo): void {
    this.set({ view: createSessionView(sessionId, info), answering: EMPTY, answeredHere: EMPTY, answeredElsewhere: EMPTY });
  }

  /** Stops showing a session (it goes on in mcpd). */
  clear(): void {
    this.set({ view: undefined, answering: EMPTY, answeredHere: EMPTY, answeredElsewhere: EMPTY });
  }

  /** Attaches from `sinceSeq`; the replayed events arrive (through `receive`) before the answer does. */
  async attach(sessionId: string, sinceSeq: number): Promise<{ replayed: number; truncated: boolean }> {
    this.replaying = true;
    let reply: ReplyOf<'session:attach'>;
    try {
      reply = await this.opts.request('session:attach', { sessionId, sinceSeq }, ATTACH_TIMEOUT_MS);
    } finally {
      this.replaying = false;
    }
    let view = this.current.view;
    if (!view || view.sessionId !== sessionId) return reply;
    // What is still held behind a gap after the replay is gone from the daemon's capped log: show what is left.
    if (hasGap(view)) view = acceptGap(view);
    this.set({ view: applySessionInfo(view, reply.session) });
    if (reply.truncated) this.opts.onNotice({ kind: 'log_truncated' });
    return reply;
  }

  /**
   * After a new connection: replays what was missed; when mcpd restarted, first closes what it will never report.
   * The whole catch-up is one change: a terminal prints settled items once, so it must never see the calls closed
   * as interrupted that the replay then shows were denied or finished.
   */
  async reconnected(restarted: boolean): Promise<void> {
    const view = this.current.view;
    if (!view) return;
    let replayed: number;
    this.quiet++;
    try {
      // Whatever was open when mcpd went down will never report back, unless the log it kept says otherwise: close
      // it first, then let the replay of what was missed settle it (and show what a new turn is doing).
      if (restarted) this.set({ view: interruptOpen(view, 'mcpd restarted while this call was running') });
      ({ replayed } = await this.attach(view.sessionId, this.current.view?.lastSeq ?? view.lastSeq));
    } finally {
      this.quiet--;
      this.opts.onChange();
    }
    this.opts.onNotice({ kind: 'reconnected', restarted, replayed });
  }

  /** Applies a session event (live or replayed); says so when someone else closed a question shown open here. */
  receive(event: SessionEvent): void {
    const view = this.current.view;
    if (!view || event.sessionId !== view.sessionId) return;
    const next = applyEvent(view, event);
    if (next === view) return;
    if (event.type === 'question:answered' && !this.replaying && !this.current.answeredHere.has(event.questionId)) {
      const question = findQuestion(view, event.questionId);
      if (question) {
        if (event.by.kind === 'user') this.set({ answeredElsewhere: add(this.current.answeredElsewhere, event.questionId) });
        const call = findCall(next, subjectCallId(question.subject) ?? '');
        this.opts.onNotice({ kind: 'answered_elsewhere', question, answer: event.answer, by: event.by, call });
      }
    }
    this.set({ view: next });
  }

  /** A replay's news that events are gone from mcpd's capped log: stop waiting for them. */
  gap(gap: ReplayGap): void {
    const view = this.current.view;
    if (view) this.set({ view: skipGap(view, gap) });
  }

  /** Sends a message to the model; false when mcpd did not take it (the person is told why). */
  async send(text: string): Promise<boolean> {
    const view = this.current.view;
    if (!view) return false;
    try {
      await this.opts.request('message', { sessionId: view.sessionId, text });
      return true;
    } catch (err) {
      this.opts.onNotice(errorCode(err) === 'busy' ? { kind: 'busy' } : { kind: 'request_failed', error: err });
      return false;
    }
  }

  /** Cancels the running turn. */
  async cancel(): Promise<void> {
    const view = this.current.view;
    if (!view) return;
    try {
      const { cancelled } = await this.opts.request('agent:cancel', { sessionId: view.sessionId });
      if (!cancelled) this.opts.onNotice({ kind: 'nothing_to_cancel' });
    } catch (err) {
      this.opts.onNotice({ kind: 'request_failed', error: err });
    }
  }

  /** Answers a question; if another answer was first, says whose. */
  async answer(questionId: string, answer: QuestionAnswerInput): Promise<void> {
    this.set({ answeredHere: add(this.current.answeredHere, questionId), answering: add(this.current.answering, questionId) });
    try {
      const reply = await this.opts.request('question:answer', { questionId, answer });
      if (!reply.applied) {
        this.set({ answeredHere: remove(this.current.answeredHere, questionId) });
        this.opts.onNotice({ kind: 'answered_first', by: reply.by });
      }
    } catch (err) {
      this.set({ answeredHere: remove(this.current.answeredHere, questionId) });
      this.opts.onNotice({ kind: 'request_failed', error: err });
    } finally {
      this.set({ answering: remove(this.current.answering, questionId) });
    }
  }

  private set(change: Partial<SessionState>): void {
    this.current = { ...this.current, ...change };
    if (this.quiet === 0) this.opts.onChange();
  }
}

/** The wire code of a failed request (`busy`, `not_found`…), or undefined for anything else. */
export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function add(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  return set.has(id) ? set : new Set([...set, id]);
}

function remove(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  if (!set.has(id)) return set;
  const next = new Set(set);
  next.delete(id);
  return next;
}
