import type {
  AttachedContext,
  CompleteRequest,
  CompletionView,
  ContentChange,
  ContentListRequest,
  ContentPage,
  ContextAttachRequest,
  LogLevelRequest,
  PromptGetRequest,
  PromptSummary,
  PromptView,
  ResourceContents,
  ResourceReadRequest,
  ResourceSubscribeRequest,
  ResourceSummary,
  ResourceTemplateSummary,
} from './content.js';
import type { QuestionAnswer, QuestionAsk, QuestionSubject } from './questions.js';
import type { ResultItem } from './rich.js';
import type { Ack, Result } from './result.js';
import type { AuditRecord, DaemonStatus, ServerSummary, SessionInfo, ToolCallResult, ToolPinSummary, ToolSummary } from './session.js';
import type {
  AgentCancelRequest,
  AuditListRequest,
  MessageRequest,
  QuestionAnswerRequest,
  SessionAttachRequest,
  SessionCreateRequest,
  SessionIdRequest,
  ToolCallRequest,
  ToolMediaRequest,
  ToolsListRequest,
} from './requests.js';

/** Who decided a call or answered a question: a user (by name), the policy, the clock, or a headless run. */
export type Decider = { kind: 'user'; name: string } | { kind: 'policy'; rule: string } | { kind: 'timeout' } | { kind: 'headless' };

/** The payload of each session event, by name (docs/architecture.md, path 1). Every one is logged in Redis before it is emitted. */
export interface SessionEventPayloads {
  'session:updated': { session: SessionInfo };
  'session:ended': { reason: string };
  'user:message': { messageId: string; text: string; from: string };
  'agent:thinking': { turnId: string; round: number };
  /** Streamed text: deltas while `done` is false; the final event has `done: true` and the whole text. */
  'agent:response': { turnId: string; delta: string; done: boolean; text?: string };
  /** A question for a human (see questions.ts); until it is answered, `question:answered` has not been logged. */
  'question:asked': { questionId: string; subject: QuestionSubject; ask: QuestionAsk; expiresAt: number };
  /** The first answer (or the expiry, or the end of what asked it); later answers change nothing. */
  'question:answered': { questionId: string; subject: QuestionSubject; answer: QuestionAnswer; by: Decider };
  /** A call decided without asking anyone: by the policy, or denied because the run is headless. */
  'tool:decided': { callId: string; server: string; tool: string; decision: 'approve' | 'deny'; by: Decider; reason?: string };
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
    /** Images, clips, embedded resources and resource links in the result, checked and bounded (see rich.ts). */
    items?: ResultItem[];
    /** Items left out of `items` to keep the event small. */
    moreItems?: number;
    /** The tool's structured content as JSON (checked against its outputSchema), cut to fit. */
    structured?: string;
  };
  error: { code: string; message: string };
  /** A server said its resources or prompts changed, or a subscribed resource was updated (rate-limited by mcpd). */
  'server:changed': { server: string } & ContentChange;
}

export type SessionEventName = keyof SessionEventPayloads;

export const SESSION_EVENT_NAMES = [
  'session:updated',
  'session:ended',
  'user:message',
  'agent:thinking',
  'agent:response',
  'question:asked',
  'question:answered',
  'tool:decided',
  'tool:started',
  'tool:output',
  'tool:result',
  'error',
  'server:changed',
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
  /** Answers a question; `applied: false` when another answer was first (`by` says whose). */
  'question:answer': (request: QuestionAnswerRequest, ack: Ack<{ applied: boolean; by?: string }>) => void;
  'agent:cancel': (request: AgentCancelRequest, ack: Ack<{ cancelled: boolean }>) => void;
  'servers:list': (request: Record<string, never>, ack: Ack<ServerSummary[]>) => void;
  'tools:list': (request: ToolsListRequest, ack: Ack<{ tools: ToolSummary[]; failed: Array<{ server: string; error: string }> }>) => void;
  'tools:call': (request: ToolCallRequest, ack: Ack<ToolCallResult>) => void;
  /** The session's tool pins (see tool pinning), by server and tool. */
  'tools:pins': (request: SessionIdRequest, ack: Ack<ToolPinSummary[]>) => void;
  /** The bytes of an image or clip of a result that mcpd holds (its item says `held`); `not_found` once let go. */
  'tools:media': (request: ToolMediaRequest, ack: Ack<{ mimeType: string; data: string }>) => void;
  'daemon:status': (request: Record<string, never>, ack: Ack<DaemonStatus>) => void;
  'audit:list': (request: AuditListRequest, ack: Ack<AuditRecord[]>) => void;
  /** A one-time code (single use, about a minute) for the web link; see `mcpgw web`. User tokens only. */
  'web:code': (request: Record<string, never>, ack: Ack<{ code: string; expiresAt: number }>) => void;
  'resources:list': (request: ContentListRequest, ack: Ack<ContentPage<ResourceSummary>>) => void;
  'resources:templates': (request: ContentListRequest, ack: Ack<ContentPage<ResourceTemplateSummary>>) => void;
  'resources:read': (request: ResourceReadRequest, ack: Ack<ResourceContents>) => void;
  /** Subscribes to (or unsubscribes from) a resource's updates; they arrive as `server:changed` events. */
  'resources:subscribe': (request: ResourceSubscribeRequest, ack: Ack<{ subscribed: boolean }>) => void;
  'prompts:list': (request: ContentListRequest, ack: Ack<ContentPage<PromptSummary>>) => void;
  'prompts:get': (request: PromptGetRequest, ack: Ack<PromptView>) => void;
  'completion:complete': (request: CompleteRequest, ack: Ack<CompletionView>) => void;
  /** Reads a resource (or gets a prompt) in mcpd and queues it, marked as the server's, for the model's next message. */
  'context:attach': (request: ContextAttachRequest, ack: Ack<AttachedContext>) => void;
  'logging:setLevel': (request: LogLevelRequest, ack: Ack<null>) => void;
}

export type RequestName = keyof ClientToServerEvents;

/** The payload a request takes. */
export type RequestOf<K extends RequestName> = Parameters<ClientToServerEvents[K]>[0];

/** The value a request's acknowledgement carries when it succeeds. */
export type ReplyOf<K extends RequestName> = Parameters<ClientToServerEvents[K]>[1] extends (result: Result<infer T>) => void ? T : never;
