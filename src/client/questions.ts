import type { QuestionAnswerInput } from '../protocol/questions.js';

/** A person's choice on a tool approval (keys y/a/n, the card's buttons): once, for the session, or no with a reason. */
export type ApprovalChoice = { decision: 'approve'; scope: 'once' | 'session' } | { decision: 'deny'; scope: 'once'; reason?: string };

/** The answer to a tool-approval question that a choice makes. */
export function approvalAnswer(choice: ApprovalChoice): QuestionAnswerInput {
  return { kind: 'tool_approval', ...choice };
}

/** The answer to a sampling question that a choice makes (keys y/n, the card's buttons): approve, or decline with a reason. */
export function samplingAnswer(decision: 'approve' | 'deny', reason?: string): QuestionAnswerInput {
  return { kind: 'sampling', decision, ...(reason ? { reason } : {}) };
}
