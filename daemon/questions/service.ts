import { assertUnderQuota, type UserLimits } from '../../src/config/user-limits.js';
import { McpgwError } from '../../src/errors.js';
import type { Decider } from '../../src/protocol/events.js';
import type { QuestionAnswer, QuestionAnswerInput, QuestionAsk, QuestionSubject } from '../../src/protocol/questions.js';
import { describeDecider } from '../../src/view/format.js';
import type { EventSink } from '../sessions/event-log.js';
import { newId } from '../sessions/ids.js';
import type { QuestionStore, StoredQuestion } from '../store/ports.js';
import { acceptAnswer, answerForSilence, type Unanswered } from './kinds.js';

/** How a question closed: the first answer, who gave it (a person, or the clock), and whether a person did. */
export interface Answered {
  answer: QuestionAnswer;
  by: Decider;
  how: 'answered' | Unanswered;
}

/** A question that has been asked (persisted and announced): its id, and its answer to come. */
export interface Asked {
  questionId: string;
  expiresAt: number;
  answered: Promise<Answered>;
}

/** What asks questions need: the tool-call module (and, later, whatever else asks a human). */
export interface QuestionAsker {
  ask(owner: string, sessionId: string, subject: QuestionSubject, ask: QuestionAsk, signal: AbortSignal): Promise<Asked>;
}

export interface QuestionServiceOptions {
  store: QuestionStore;
  events: EventSink;
  /** How long a question waits for an answer before it closes as `expired`. */
  timeoutMs: number;
  /** Told when a session's open questions change, so its `session:updated` (pendingApprovals) stays current. */
  onChange?: (sessionId: string) => Promise<unknown>;
  /** A user's quotas: at `maxPendingQuestions` open questions a new one is refused (`capacity`), never queued. */
  limits?: (user: string) => UserLimits;
}

interface Waiter {
  question: StoredQuestion;
  settle: (answered: Answered) => void;
  timer: NodeJS.Timeout;
}

/**
 * Questions for a human, of any kind. Each is persisted in Redis before clients are told, may be answered by any
 * client of the session's owner, and closes at its first answer, its expiry, or when whatever asked it stops. Redis
 * decides which answer was first (an atomic take), so two sockets, or two daemons, can never both apply one.
 */
export class QuestionService implements QuestionAsker {
  private readonly waiting = new Map<string, Waiter>();
  /** Who closed recent questions, for answers that come too late ("bob answered first"). */
  private readonly closedBy = new Map<string, string>();

  constructor(private readonly opts: QuestionServiceOptions) {}

  /** Asks, and resolves once the question is persisted and announced; `answered` resolves at its first answer. */
  async ask(owner: string, sessionId: string, subject: QuestionSubject, ask: QuestionAsk, signal: AbortSignal): Promise<Asked> {
    if (this.opts.limits) assertUnderQuota(this.opts.limits(owner), 'questions', this.pendingFor(owner));
    const now = Date.now();
    const question: StoredQuestion = {
      questionId: newId('q'),
      sessionId,
      owner,
      subject,
      ask,
      createdAt: now,
      expiresAt: now + this.opts.timeoutMs,
    };
    const { questionId, expiresAt } = question;
    await this.opts.store.putQuestion(question);
    const answered = new Promise<Answered>((settle) => {
      const timer = setTimeout(() => void this.close(questionId, 'expired', { kind: 'timeout' }), this.opts.timeoutMs);
      timer.unref();
      this.waiting.set(questionId, { question, settle, timer });
    });
    const onAbort = (): void => void this.close(questionId, 'cancelled', { kind: 'user', name: owner });
    signal.addEventListener('abort', onAbort, { once: true });
    void answered.finally(() => signal.removeEventListener('abort', onAbort));
    await this.opts.events.emit(sessionId, 'question:asked', { questionId, subject, ask, expiresAt });
    if (signal.aborted) onAbort();
    await this.changed(sessionId);
    return { questionId, expiresAt, answered };
  }

  /** Open questions of one user, on this daemon. */
  pendingFor(owner: string): number {
    let n = 0;
    for (const w of this.waiting.values()) if (w.question.owner === owner) n++;
    return n;
  }

  /** A person's answer. Only the first answer is applied; a later one learns who answered first. */
  async answer(user: string, request: { questionId: string; answer: QuestionAnswerInput }): Promise<{ applied: boolean; by?: string }> {
    const waiter = this.waiting.get(request.questionId);
    if (!waiter || waiter.question.owner !== user) {
      const by = this.closedBy.get(request.questionId);
      if (by !== undefined && waiter === undefined) return { applied: false, by };
      throw new McpgwError('not_found', `no pending question "${request.questionId}"`);
    }
    const answer = acceptAnswer(waiter.question.ask, request.answer);
    const applied = await this.settle(request.questionId, { answer, by: { kind: 'user', name: user }, how: 'answered' });
    return applied ? { applied: true } : { applied: false, by: this.closedBy.get(request.questionId) ?? 'someone else' };
  }

  /** Questions left in Redis by a daemon that died: nobody waits for them any more, so they close as unanswered. */
  async expireOrphans(sessionId: string): Promise<StoredQuestion[]> {
    const expired: StoredQuestion[] = [];
    for (const question of await this.opts.store.listQuestions(sessionId)) {
      if (this.waiting.has(question.questionId)) continue;
      if (!(await this.opts.store.takeQuestion(sessionId, question.questionId))) continue;
      expired.push(question);
      await this.opts.events.emit(sessionId, 'question:answered', {
        questionId: question.questionId,
        subject: question.subject,
        answer: answerForSilence(question.ask, 'restarted'),
        by: { kind: 'timeout' },
      });
    }
    return expired;
  }

  private close(questionId: string, why: Unanswered, by: Decider): Promise<boolean> {
    const waiter = this.waiting.get(questionId);
    if (!waiter) return Promise.resolve(false);
    return this.settle(questionId, { answer: answerForSilence(waiter.question.ask, why), by, how: why });
  }

  private async settle(questionId: string, answered: Answered): Promise<boolean> {
    const waiter = this.waiting.get(questionId);
    if (!waiter) return false;
    const { sessionId, subject } = waiter.question;
    const taken = await this.opts.store.takeQuestion(sessionId, questionId);
    if (!taken || this.waiting.get(questionId) !== waiter) return false;
    this.waiting.delete(questionId);
    clearTimeout(waiter.timer);
    this.closedBy.set(questionId, describeDecider(answered.by));
    if (this.closedBy.size > 1000) this.closedBy.delete(this.closedBy.keys().next().value as string);
    await this.opts.events.emit(sessionId, 'question:answered', { questionId, subject, answer: answered.answer, by: answered.by });
    waiter.settle(answered);
    await this.changed(sessionId);
    return true;
  }

  private async changed(sessionId: string): Promise<void> {
    await this.opts.onChange?.(sessionId).catch(() => undefined);
  }
}
