import type { Decider, SessionEvent } from '../protocol/events.js';
import type { SessionInfo } from '../protocol/session.js';

/** One line a tool's sandbox wrote while a call ran (stderr, a progress notification, a log message, a notice). */
export interface OutputLine {
  seq: number;
  ts: number;
  server: string;
  stream: 'stderr' | 'progress' | 'log' | 'notice';
  text: string;
}

/**
 * Where a tool call is (a discriminated state machine, like gemini-cli's scheduler): a call the policy sends to a
 * human waits for approval; an approved call runs; every call ends succeeded, failed, denied or interrupted.
 */
export type ToolCallStatus = 'awaiting_approval' | 'approved' | 'running' | 'succeeded' | 'failed' | 'denied' | 'interrupted';

/** What the daemon asked a human about a call. */
export interface ApprovalRequestView {
  approvalId: string;
  /** The server's claims about the tool (readOnlyHint etc.): show them as claims, never as facts. */
  annotations: Record<string, unknown>;
  /** Why the policy asks (the rule or the default that matched). */
  decisionReason: string;
  expiresAt: number;
  requestedAt: number;
}

/** How a call was decided: by a person, the policy, the clock, or a headless run. */
export interface DecisionView {
  approvalId: string;
  decision: 'approve' | 'deny';
  scope: 'once' | 'session';
  by: Decider;
  reason?: string;
  at: number;
}

export interface ToolResultView {
  ok: boolean;
  summary: string;
  error?: { code: string; message: string };
  durationMs: number;
  at: number;
}

interface ItemBase {
  /** Stable across renders and replays: derived from ids in the events, never from arrival order. */
  key: string;
  /** The seq of the event that created the item. */
  seq: number;
  ts: number;
}

export interface UserItem extends ItemBase {
  kind: 'user';
  messageId: string;
  text: string;
  from: string;
}

/** Text the model wrote in one round of a turn; a turn with tool calls in between has several blocks. */
export interface AssistantItem extends ItemBase {
  kind: 'assistant';
  turnId: string;
  text: string;
  /** No more text will be added to this block (the turn ended, or something came after it). */
  done: boolean;
}

export interface ToolCallItem extends ItemBase {
  kind: 'tool';
  callId: string;
  /** The turn the call belongs to; undefined for a call the user made directly. */
  turnId: string | undefined;
  origin: 'agent' | 'user';
  /** Empty while only a policy decision is known (that event names the call, not the tool). */
  server: string;
  tool: string;
  args: Record<string, unknown>;
  status: ToolCallStatus;
  approval?: ApprovalRequestView;
  decision?: DecisionView;
  startedAt?: number;
  /** The newest output lines (bounded); `droppedOutput` counts older ones let go. */
  output: OutputLine[];
  droppedOutput: number;
  result?: ToolResultView;
  interruptedReason?: string;
}

/** Something the daemon told the session outside a call: a sandbox crash, unavailable tools, a model retry. */
export interface NoticeItem extends ItemBase {
  kind: 'notice';
  server: string;
  text: string;
}

export interface ErrorItem extends ItemBase {
  kind: 'error';
  code: string;
  message: string;
}

export interface EndedItem extends ItemBase {
  kind: 'ended';
  reason: string;
}

export type ChatItem = UserItem | AssistantItem | ToolCallItem | NoticeItem | ErrorItem | EndedItem;

/** The turn in progress, for "thinking…" indicators. */
export interface TurnView {
  /** Unknown until the daemon's first `agent:thinking` of the turn. */
  turnId: string | undefined;
  startedAt: number;
  round: number;
  phase: 'thinking' | 'answering' | 'tools';
}

/** Everything a client shows of one session, built from its event log by `applyEvent` alone. */
export interface SessionView {
  sessionId: string;
  /** The highest seq applied; events at or below it are duplicates. */
  lastSeq: number;
  session: SessionInfo | undefined;
  items: ChatItem[];
  /** Approval ids waiting for an answer, oldest first. */
  pending: string[];
  busy: boolean;
  turn: TurnView | undefined;
  ended: { reason: string } | undefined;
  /** Sandbox output that belongs to no single call (start-up chatter, lines while several calls ran). */
  serverLog: OutputLine[];
  /** Events that arrived ahead of a gap, held until the gap is filled (or accepted with `acceptGap`). */
  early: SessionEvent[];
  /** Events the view never saw because the daemon's capped log had already dropped them (see `acceptGap`). */
  skipped: number;
}
