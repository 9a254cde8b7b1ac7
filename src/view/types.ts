import type { ContentChange } from '../protocol/content.js';
import type { Decider, SessionEvent } from '../protocol/events.js';
import type { QuestionAsk, QuestionSubject } from '../protocol/questions.js';
import type { ResultItem } from '../protocol/rich.js';
import type { SessionInfo } from '../protocol/session.js';

/** One line a tool's sandbox wrote while a call ran (stderr, a progress notification, a log message, a notice). */
export interface OutputLine {
  seq: number;
  ts: number;
  server: string;
  stream: 'stderr' | 'progress' | 'log' | 'notice';
  text: string;
}

/** What the daemon asked a human about a call: the open (or answered) tool-approval question. */
export interface ApprovalRequestView {
  /** The id of the question that asks for this approval (answered with `question:answer`). */
  approvalId: string;
  /** The server's claims about the tool (readOnlyHint etc.): show them as claims, never as facts. */
  annotations: Record<string, unknown>;
  /** Why the policy asks (the rule or the default that matched). */
  decisionReason: string;
  /** Set when the server changed the tool since the session pinned it: the fields and a line diff (see tool pinning). */
  changed?: { fields: string[]; diff: string };
  expiresAt: number;
  requestedAt: number;
}

/** How a call was decided: by a person, the policy, the clock, or a headless run. */
export interface DecisionView {
  /** The question a person answered, when one was asked. */
  approvalId?: string;
  decision: 'approve' | 'deny';
  scope: 'once' | 'session';
  by: Decider;
  reason?: string;
  at: number;
}

/** An item of a result; `n` numbers the ones a person can open (media with data, resources with text) in the session. */
export type ResultItemView = ResultItem & { n?: number };

export interface ToolResultView {
  ok: boolean;
  summary: string;
  error?: { code: string; message: string };
  durationMs: number;
  at: number;
  /** Images, clips, embedded resources and resource links, as mcpd checked them. */
  items?: ResultItemView[];
  /** Items mcpd left out to keep the event small. */
  moreItems?: number;
  /** The tool's structured content as JSON. */
  structured?: string;
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

/** What every state of a call has: which call, which tool with which arguments, and its output so far. */
export interface CallBase extends ItemBase {
  kind: 'tool';
  callId: string;
  /** The turn the call belongs to; undefined for a call the user made directly. */
  turnId: string | undefined;
  origin: 'agent' | 'user';
  /** Empty while the view has seen only output of the call (the events that name the tool came before a gap). */
  server: string;
  tool: string;
  args: Record<string, unknown>;
  /** The approval a person was asked for, if one was (kept once answered, to show what was asked). */
  approval?: ApprovalRequestView;
  /** The newest output lines (bounded); `droppedOutput` counts older ones let go. */
  output: OutputLine[];
  droppedOutput: number;
}

/** Waiting for a person to answer its approval. */
export interface AwaitingApprovalCall extends CallBase {
  status: 'awaiting_approval';
  approval: ApprovalRequestView;
  decision?: undefined;
  startedAt?: undefined;
  result?: undefined;
  interruptedReason?: undefined;
}

/** Approved (or only just seen) and not started yet. */
export interface ApprovedCall extends CallBase {
  status: 'approved';
  decision?: DecisionView;
  startedAt?: undefined;
  result?: undefined;
  interruptedReason?: undefined;
}

export interface RunningCall extends CallBase {
  status: 'running';
  decision?: DecisionView;
  startedAt: number;
  result?: undefined;
  interruptedReason?: undefined;
}

/** The tool answered (`succeeded`), or reported an error or could not run (`failed`). */
export interface FinishedCall extends CallBase {
  status: 'succeeded' | 'failed';
  decision?: DecisionView;
  startedAt?: number;
  result: ToolResultView;
  interruptedReason?: undefined;
}

/** Denied by a person, the policy, the expiry of its approval, or a headless run: it never ran. */
export interface DeniedCall extends CallBase {
  status: 'denied';
  decision: DecisionView;
  startedAt?: undefined;
  result?: undefined;
  interruptedReason?: undefined;
}

/** Open when its turn or session ended, or mcpd restarted: it will never report. */
export interface InterruptedCall extends CallBase {
  status: 'interrupted';
  decision?: DecisionView;
  startedAt?: number;
  result?: undefined;
  interruptedReason: string;
}

/**
 * A tool call as a client shows it: a discriminated union on `status` (like gemini-cli's scheduler), where each
 * state has exactly its own fields. A call the policy sends to a human waits for approval; an approved call runs;
 * every call ends succeeded, failed, denied or interrupted. (The daemon's own machine is daemon/calls/state.ts.)
 */
export type ToolCallItem = AwaitingApprovalCall | ApprovedCall | RunningCall | FinishedCall | DeniedCall | InterruptedCall;

export type ToolCallStatus = ToolCallItem['status'];

/** A question for a human that is still open, as the view keeps it; its `ask.kind` says how to show it. */
export interface QuestionView {
  questionId: string;
  subject: QuestionSubject;
  ask: QuestionAsk;
  expiresAt: number;
  askedAt: number;
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
  /** Questions waiting for an answer, oldest first. */
  questions: QuestionView[];
  busy: boolean;
  turn: TurnView | undefined;
  ended: { reason: string } | undefined;
  /** Sandbox output that belongs to no single call (start-up chatter, lines while several calls ran). */
  serverLog: OutputLine[];
  /** Events that arrived ahead of a gap, held until the gap is filled (or accepted with `acceptGap`). */
  early: SessionEvent[];
  /** Events the view never saw because the daemon's capped log had already dropped them (see `acceptGap`). */
  skipped: number;
  /** What servers said changed in their resources and prompts, newest last (the last MAX_CONTENT_CHANGES). */
  contentChanges: ContentChangeView[];
}

/** A server's list change or resource update, as the UI refreshes on it. */
export type ContentChangeView = { seq: number; ts: number; server: string } & ContentChange;
