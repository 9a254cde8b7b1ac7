import type { QuestionStore } from '../store/ports.js';

/**
 * Removes a session's pending questions without answering them (the session ended: nothing will act on an answer).
 * Its turn was cancelled first, so no one waits for them; each is taken like an answer, so none is applied later.
 */
export async function discardQuestions(store: Pick<QuestionStore, 'listQuestions' | 'takeQuestion'>, sessionId: string): Promise<void> {
  for (const question of await store.listQuestions(sessionId)) await store.takeQuestion(sessionId, question.questionId);
}
