import type { Ack } from './result.js';
import type { AuditRecord, DaemonStatus, ServerSummary, SessionInfo, ToolCallResult, ToolSummary } from './session.js';
import type {
  AgentCancelRequest,
  ApprovalRequest,
  AuditListRequest,
  MessageRequest,
  SessionAttachRequest,
  SessionCreateRequest,
  SessionIdRequest,
  ToolCallRequest,
  ToolsListRequest,
} from './requests.js';

/** Who answered an approval: a user (by name), the policy, or the clock. */
export type Decider = { kind: 'user'; name: string } | { kind: 'policy'; rule: string } | { kind: 'timeout' } | { kind: 'headless' };

/** The payload of each session event, by name (DESIGN §3). Every one is logged in Redis before it is emitted. */
export interface SessionEventPayloads {
  'session:updated': { session: SessionInfo };
  'session:ended': { reason: string };
  'user:message': { messageId: string; text: string; from: string };
  'agent:thinking': { turnId: string; round: number };
  /** Streamed text: deltas while `done` is false; the final event has `done: true` and the whole text. */
  'agent:response': { turnId: string; delta: string; done: boolean; text?: string };
  'tool:approval_required': {
    approvalId: string;
    callId: string;
    server: string;
    tool: string;
    args: Record<string, unknown>;
    /** The server's claims about the tool (readOnlyHint etc.), shown as claims, not facts. */
    annotations: Record<string, unknown>;
    decisionReason: string;
    expiresAt: number;
  };
  'tool:approval_resolved': {
    approvalId: string;
    callId: string;
    server: string;
    tool: string;
    decision: 'approve' | 'deny';
    scope: 'once' | 'session';
    by: Decider;
    reason?: string;
  };
  'tool:started': { callId: string; server: string; tool: string; args: Record<string, unknown>; origin: 'agent' | 'user' };
  'tool:output': { callId?: string; server: string; stream: 'stderr' | 'progress' | 'log' | 'notice'; text: string };
  'tool:result': {
    callId: string;
    server: string;
    tool: string;
    ok: boolean;
    /** A short, human-readable summary of the result (or the error). */
    summary: string;
    error?: { code: string; message: string };
    durationMs: number;
  };
  error: { code: string; message: string };
}

export type SessionEventName = keyof SessionEventPayloads;

export const SESSION_EVENT_NAMES = [
  'session:updated',
  'session:ended',
  'user:message',
  'agent:thinking',
  'agent:response',
  'tool:approval_required',
  'tool:approval_resolved',
  'tool:started',
  'tool:output',
  'tool:result',
  'error',
] as const satisfies readonly SessionEventName[];

/** The envelope every session event travels in: which session, its place in the log, and when. */
export interface EventEnvelope<K extends SessionEventName = SessionEventName> {
  type: K;
  sessionId: string;
  seq: number;
  ts: number;
}

export type SessionEvent = { [K in SessionEventName]: EventEnvelope<K> & SessionEventPayloads[K] }[SessionEventName];

export type SessionEventOf<K extends SessionEventName> = Extract<SessionEvent, { type: K }>;

/**
 * Sent during an attach's replay, before the first event after a stretch that mcpd's capped log no longer has:
 * events `fromSeq`..`toSeq` are gone for good, so a client stops waiting for them. Not itself a logged event.
 */
export interface ReplayGap {
  sessionId: string;
  fromSeq: number;
  toSeq: number;
}

/** Daemon → client. */
export type ServerToClientEvents = { [K in SessionEventName]: (event: SessionEventOf<K>) => void } & {
  'session:gap': (gap: ReplayGap) => void;
};

/** Client → daemon; every event is acknowledged with a Result. */
export interface ClientToServerEvents {
  'session:create': (request: SessionCreateRequest, ack: Ack<SessionInfo>) => void;
  /** Replays the log after `sinceSeq` as events (in pages, with a `session:gap` before any trimmed stretch), then follows it live. */
  'session:attach': (request: SessionAttachRequest, ack: Ack<{ session: SessionInfo; replayed: number; truncated: boolean }>) => void;
  'session:detach': (request: SessionIdRequest, ack: Ack<null>) => void;
  'session:list': (request: Record<string, never>, ack: Ack<SessionInfo[]>) => void;
  'session:get': (request: SessionIdRequest, ack: Ack<SessionInfo>) => void;
  'session:kill': (request: SessionIdRequest, ack: Ack<SessionInfo>) => void;
  message: (request: MessageRequest, ack: Ack<{ messageId: string; turnId: string }>) => void;
  'tool:approval': (request: ApprovalRequest, ack: Ack<{ applied: boolean; by?: string }>) => void;
  'agent:cancel': (request: AgentCancelRequest, ack: Ack<{ cancelled: boolean }>) => void;
  'servers:list': (request: Record<string, never>, ack: Ack<ServerSummary[]>) => void;
  'tools:list': (request: ToolsListRequest, ack: Ack<{ tools: ToolSummary[]; failed: Array<{ server: string; error: string }> }>) => void;
  'tools:call': (request: ToolCallRequest, ack: Ack<ToolCallResult>) => void;
  'daemon:status': (request: Record<string, never>, ack: Ack<DaemonStatus>) => void;
  'audit:list': (request: AuditListRequest, ack: Ack<AuditRecord[]>) => void;
  /** A one-time code (single use, about a minute) for the web link; see `mcpgw web`. User tokens only. */
  'web:code': (request: Record<string, never>, ack: Ack<{ code: string; expiresAt: number }>) => void;
}

export type RequestName = keyof ClientToServerEvents;
