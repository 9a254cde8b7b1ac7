import { isOpen } from './items.js';
import type { ChatItem, SessionView, ToolCallItem } from './types.js';

/** The calls waiting for a human, oldest first, each with the approval it waits on. */
export function pendingApprovals(view: SessionView): Array<ToolCallItem & { approval: NonNullable<ToolCallItem['approval']> }> {
  return view.pending.flatMap((id) => {
    const item = view.items.find((i): i is ToolCallItem => i.kind === 'tool' && i.approval?.approvalId === id);
    return item?.approval ? [{ ...item, approval: item.approval }] : [];
  });
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
