import { McpgwError } from '../../src/errors.js';
import type { Decider } from '../../src/protocol/events.js';
import { describeDecider } from '../../src/view/format.js';
import type { SessionEventLog } from '../sessions/event-log.js';
import { newId } from '../sessions/ids.js';
import type { StoredApproval, Store } from '../store/store.js';

export type ApprovalAnswer =
  | { decision: 'approve'; scope: 'once' | 'session'; by: Decider; reason?: string }
  | { decision: 'deny'; scope: 'once'; by: Decider; reason: string };

interface Waiter {
  approval: StoredApproval;
  owner: string;
  settle: (answer: ApprovalAnswer) => void;
  timer: NodeJS.Timeout;
}

/**
 * Human approvals: each is persisted in Redis before clients are told, may be answered by any client of the
 * session's owner (the first answer wins, atomically in Redis), and is denied when it expires or the turn stops.
 */
export class ApprovalBroker {
  private readonly waiting = new Map<string, Waiter>();
  private readonly answeredBy = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly events: SessionEventLog,
    private readonly timeoutMs: number,
    /** Told when a session's pending approvals change, so its `session:updated` (pendingApprovals) is current. */
    private readonly onChange: (sessionId: string) => Promise<unknown> = async () => undefined,
  ) {}

  /** Asks for an approval and waits for the first answer, the expiry, or the signal. */
  async request(
    owner: string,
    fields: Omit<StoredApproval, 'approvalId' | 'createdAt' | 'expiresAt'>,
    signal: AbortSignal,
  ): Promise<ApprovalAnswer> {
    const now = Date.now();
    const approval: StoredApproval = { ...fields, approvalId: newId('a'), createdAt: now, expiresAt: now + this.timeoutMs };
    await this.store.putApproval(approval);
    const answer = new Promise<ApprovalAnswer>((resolve) => {
      const timer = setTimeout(
        () =>
          void this.settle(approval.approvalId, {
            decision: 'deny',
            scope: 'once',
            by: { kind: 'timeout' },
            reason: 'the approval expired',
          }),
        this.timeoutMs,
      );
      timer.unref();
      this.waiting.set(approval.approvalId, { approval, owner, settle: resolve, timer });
    });
    const onAbort = (): void =>
      void this.settle(approval.approvalId, {
        decision: 'deny',
        scope: 'once',
        by: { kind: 'user', name: owner },
        reason: 'the turn was cancelled',
      });
    signal.addEventListener('abort', onAbort, { once: true });
    await this.events.emit(approval.sessionId, 'tool:approval_required', {
      approvalId: approval.approvalId,
      callId: approval.callId,
      server: approval.server,
      tool: approval.tool,
      args: approval.args,
      annotations: approval.annotations,
      decisionReason: approval.decisionReason,
      expiresAt: approval.expiresAt,
    });
    if (signal.aborted) onAbort();
    await this.onChange(approval.sessionId).catch(() => undefined);
    try {
      return await answer;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** A user's answer. Only the first answer is applied; later ones learn who answered first. */
  async answer(
    user: string,
    request: { approvalId: string; decision: 'approve' | 'deny'; scope: 'once' | 'session'; reason?: string | undefined },
  ): Promise<{ applied: boolean; by?: string }> {
    const waiter = this.waiting.get(request.approvalId);
    if (!waiter || waiter.owner !== user) {
      const by = this.answeredBy.get(request.approvalId);
      if (by !== undefined && waiter === undefined) return { applied: false, by };
      throw new McpgwError('not_found', `no pending approval "${request.approvalId}"`);
    }
    const by: Decider = { kind: 'user', name: user };
    const answer: ApprovalAnswer =
      request.decision === 'approve'
        ? { decision: 'approve', scope: request.scope, by, ...(request.reason ? { reason: request.reason } : {}) }
        : { decision: 'deny', scope: 'once', by, reason: request.reason?.trim() || 'the user denied this call' };
    const applied = await this.settle(request.approvalId, answer);
    return applied ? { applied: true } : { applied: false, by: this.answeredBy.get(request.approvalId) ?? 'someone else' };
  }

  private async settle(approvalId: string, answer: ApprovalAnswer): Promise<boolean> {
    const waiter = this.waiting.get(approvalId);
    if (!waiter) return false;
    // Redis decides who was first, so two daemons' clients (or two sockets) can never both apply an answer.
    const taken = await this.store.takeApproval(waiter.approval.sessionId, approvalId);
    if (!taken || this.waiting.get(approvalId) !== waiter) return false;
    this.waiting.delete(approvalId);
    clearTimeout(waiter.timer);
    this.answeredBy.set(approvalId, describeDecider(answer.by));
    if (this.answeredBy.size > 1000) this.answeredBy.delete(this.answeredBy.keys().next().value as string);
    await this.events.emit(waiter.approval.sessionId, 'tool:approval_resolved', {
      approvalId,
      callId: waiter.approval.callId,
      server: waiter.approval.server,
      tool: waiter.approval.tool,
      decision: answer.decision,
      scope: answer.scope,
      by: answer.by,
      ...(answer.reason ? { reason: answer.reason } : {}),
    });
    waiter.settle(answer);
    await this.onChange(waiter.approval.sessionId).catch(() => undefined);
    return true;
  }

  /** Approvals left in Redis by a daemon that died: nobody waits for them any more. */
  async expireOrphans(sessionId: string): Promise<StoredApproval[]> {
    const expired: StoredApproval[] = [];
    for (const approval of await this.store.listApprovals(sessionId)) {
      if (this.waiting.has(approval.approvalId)) continue;
      if (!(await this.store.takeApproval(sessionId, approval.approvalId))) continue;
      expired.push(approval);
      await this.events.emit(sessionId, 'tool:approval_resolved', {
        approvalId: approval.approvalId,
        callId: approval.callId,
        server: approval.server,
        tool: approval.tool,
        decision: 'deny',
        scope: 'once',
        by: { kind: 'timeout' },
        reason: 'the daemon restarted while this approval was pending',
      });
    }
    return expired;
  }
}
