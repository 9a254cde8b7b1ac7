import { isOpen } from './items.js';
import type { AwaitingApprovalCall, ChatItem, QuestionView, SessionView, ToolCallItem } from './types.js';

/** The calls waiting for a person's approval, oldest first. */
export function pendingApprovals(view: SessionView): AwaitingApprovalCall[] {
  return view.questions.flatMap((q) => {
    const item = findCall(view, q.subject.callId);
    return item?.status === 'awaiting_approval' && item.approval.approvalId === q.questionId ? [item] : [];
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
