import { subjectCallId } from '../protocol/subjects.js';
import { assertNever } from '../checks.js';
import { isOpen } from './items.js';
import type { AwaitingApprovalCall, ChatItem, QuestionView, SessionView, ToolCallItem } from './types.js';

/** The calls waiting for a person's approval, oldest first. */
export function pendingApprovals(view: SessionView): AwaitingApprovalCall[] {
  return view.questions.flatMap((q) => {
    const item = findCall(view, subjectCallId(q.subject) ?? '');
    return item?.status === 'awaiting_approval' && item.approval.approvalId === q.questionId ? [item] : [];
  });
}

/** The open questions a person can answer now, oldest first (a tool approval: while its call still waits for it). */
export function answerableQuestions(view: SessionView): QuestionView[] {
  return view.questions.filter((q) => {
    switch (q.ask.kind) {
      case 'tool_approval':
        return findCall(view, subjectCallId(q.subject) ?? '')?.status === 'awaiting_approval';
      case 'network_grant':
        // Outlives the call that raised it (that call failed at once): answerable until it closes.
        return true;
      case 'elicitation':
      case 'sampling':
        return true;
      default:
        return assertNever(q.ask);
    }
  });
}

/** The open question with this id, if any. */
export function findQuestion(view: SessionView, questionId: string): QuestionView | undefined {
  return view.questions.find((q) => q.questionId === questionId);
}

/** The call with this id, if the view has seen it. */
export function findCall(view: SessionView, callId: string): ToolCallItem | undefined {
  return view.items.find((i): i is ToolCallItem => i.kind === 'tool' && i.callId === callId);
}

/** How many leading items are settled: a terminal prints these once, above whatever is still changing. */
export function settledCount(items: readonly ChatItem[]): number {
  const firstOpen = items.findIndex(isOpen);
  return firstOpen === -1 ? items.length : firstOpen;
}

/** Calls that are running now (approved or started, no result yet). */
export function runningCalls(view: SessionView): ToolCallItem[] {
  return view.items.filter((i): i is ToolCallItem => i.kind === 'tool' && (i.status === 'running' || i.status === 'approved'));
}
