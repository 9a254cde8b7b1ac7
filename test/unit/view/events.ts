import type { SessionEvent, SessionEventName, SessionEventPayloads } from '../../../src/protocol/events.js';
import type { ApprovalRequestView, ToolCallItem } from '../../../src/view/types.js';
import type { SessionInfo } from '../../../src/protocol/session.js';

/** Builds a session's events with contiguous seqs, the way the daemon's log numbers them. */
export class EventLog {
  readonly events: SessionEvent[] = [];
  private ts = 1_700_000_000_000;

  constructor(readonly sessionId = 's_test') {}

  add<K extends SessionEventName>(type: K, payload: SessionEventPayloads[K]): SessionEvent {
    this.ts += 100;
    const event = { type, sessionId: this.sessionId, seq: this.events.length + 1, ts: this.ts, ...payload } as unknown as SessionEvent;
    this.events.push(event);
    return event;
  }
}

/** A session's live facts as the daemon describes them. */
export function sessionInfo(overrides: Partial<SessionInfo> = {}): SessionInfo {
  return {
    id: 's_test',
    owner: 'alice',
    title: 'list the files',
    status: 'active',
    model: 'gemini-2.5-flash',
    policy: 'ask',
    policyAssessment: { level: 'safe', reasons: [] },
    servers: [{ name: 'testsrv', state: 'running' }],
    createdAt: 1_700_000_000_000,
    lastActive: 1_700_000_000_000,
    pendingApprovals: 0,
    busy: false,
    lastSeq: 0,
    ...overrides,
  };
}

/** A whole turn: text, a call a human approves (with output), more text; `approve: false` denies it instead. */
export function turnWithApprovedCall(log: EventLog, options: { approve?: boolean; by?: string } = {}): void {
  const approve = options.approve ?? true;
  log.add('user:message', { messageId: 'm1', text: 'echo hi please', from: 'alice' });
  log.add('session:updated', { session: sessionInfo({ busy: true }) });
  log.add('agent:thinking', { turnId: 't1', round: 1 });
  log.add('agent:response', { turnId: 't1', delta: 'Let me ', done: false });
  log.add('agent:response', { turnId: 't1', delta: 'check.', done: false });
  log.add('question:asked', {
    questionId: 'a1',
    subject: { kind: 'call', callId: 'c1', server: 'testsrv', tool: 'echo' },
    ask: {
      kind: 'tool_approval',
      args: { message: 'hi' },
      annotations: { readOnlyHint: true },
      decisionReason: 'no rule matched; the default is ask',
    },
    expiresAt: 1_700_000_600_000,
  });
  log.add('question:answered', {
    questionId: 'a1',
    subject: { kind: 'call', callId: 'c1', server: 'testsrv', tool: 'echo' },
    answer: { kind: 'tool_approval', decision: approve ? 'approve' : 'deny', scope: 'once', ...(approve ? {} : { reason: 'not now' }) },
    by: { kind: 'user', name: options.by ?? 'alice' },
  });
  if (approve) {
    log.add('tool:started', { callId: 'c1', server: 'testsrv', tool: 'echo', args: { message: 'hi' }, origin: 'agent' });
    log.add('tool:output', { callId: 'c1', server: 'testsrv', stream: 'stderr', text: 'echoing' });
    log.add('tool:output', { callId: 'c1', server: 'testsrv', stream: 'progress', text: '1/1' });
    log.add('tool:result', { callId: 'c1', server: 'testsrv', tool: 'echo', ok: true, summary: 'echo: hi', durationMs: 12 });
  }
  log.add('agent:thinking', { turnId: 't1', round: 2 });
  log.add('agent:response', { turnId: 't1', delta: approve ? 'It said hi.' : 'You denied it.', done: false });
  log.add('agent:response', {
    turnId: 't1',
    delta: '',
    done: true,
    text: approve ? 'Let me check.It said hi.' : 'Let me check.You denied it.',
  });
  log.add('session:updated', { session: sessionInfo({ busy: false }) });
}

/** A call waiting for a person's approval, as clients render it; tests override the fields they are about. */
export function awaitingApproval(
  fields: Partial<Omit<ToolCallItem, 'approval'>> = {},
  approval: Partial<ApprovalRequestView> = {},
): ToolCallItem & { approval: ApprovalRequestView } {
  return {
    kind: 'tool',
    key: 'call:c1',
    seq: 5,
    ts: 1,
    callId: 'c1',
    turnId: 't1',
    origin: 'agent',
    server: 'filesystem',
    tool: 'read_file',
    args: { path: '/data/hello.txt' },
    status: 'awaiting_approval',
    output: [],
    droppedOutput: 0,
    ...fields,
    approval: {
      approvalId: 'a1',
      annotations: {},
      decisionReason: 'no rule matched; default is ask',
      expiresAt: Date.now() + 300_000,
      requestedAt: 1,
      ...approval,
    },
  } as ToolCallItem & { approval: ApprovalRequestView };
}
