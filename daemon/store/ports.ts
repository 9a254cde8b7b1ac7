import type { SessionEvent, SessionEventName, SessionEventPayloads } from '../../src/protocol/events.js';
import type { QuestionAsk, QuestionSubject } from '../../src/protocol/questions.js';
import type { AuditRecord, SessionStatus } from '../../src/protocol/session.js';
import type { ToolPin } from '../pins/pin.js';

/**
 * What the daemon's logic needs from storage, in narrow slices: each service names the slices it uses, so it can be
 * run on the in-memory store in unit tests and on Redis (`store.ts`) everywhere else. Writes that matter across a
 * crash are atomic and safe to resend; `takeQuestion` is the one place where "the first answer wins" is decided.
 */

/** A session as stored in `session:{id}`. */
export interface SessionRecord {
  id: string;
  owner: string;
  title: string;
  status: SessionStatus;
  model: string;
  policyName: string;
  /** The policy document (JSON) the session runs under. */
  policy: string;
  servers: string[];
  createdAt: number;
  lastActive: number;
  seq: number;
}

/** A pending question: what clients were shown, plus whose it is and when it was asked. */
export interface StoredQuestion {
  questionId: string;
  sessionId: string;
  /** The session's owner: only they may answer. */
  owner: string;
  subject: QuestionSubject;
  ask: QuestionAsk;
  createdAt: number;
  expiresAt: number;
}

export type AuditEntry = AuditRecord;

/** Session records and the indexes over them. */
export interface SessionRecords {
  createSession(rec: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  getSessions(ids: string[]): Promise<SessionRecord[]>;
  /** The owner's sessions, newest first. */
  listSessions(owner: string): Promise<SessionRecord[]>;
  /** The owner's session by full id or by a unique prefix of its id. */
  findOwnedSession(owner: string, idOrPrefix: string): Promise<SessionRecord | undefined | 'ambiguous'>;
  updateSession(id: string, fields: Partial<Pick<SessionRecord, 'status' | 'title' | 'lastActive' | 'model'>>): Promise<void>;
  /** Removes a session and everything under it. */
  deleteSession(rec: SessionRecord): Promise<void>;
  /** Session ids whose last activity is at or before `ts`, oldest first. */
  sessionsInactiveSince(ts: number): Promise<string[]>;
  /** Every session id the daemon knows (for start-up recovery). */
  allSessionIds(): Promise<string[]>;
}

/** Which container runs each (session, server), so a restarted daemon can find what its predecessor left. */
export interface ContainerLedger {
  setContainer(sessionId: string, server: string, containerId: string, instance: string): Promise<void>;
  clearContainer(sessionId: string, server: string, containerId: string): Promise<void>;
  containersOf(sessionId: string): Promise<Record<string, string>>;
}

/** The session's capped event log; appending assigns the next seq (a payload over the per-event cap is cut). */
export interface EventStore {
  appendEvent<K extends SessionEventName>(sessionId: string, type: K, payload: SessionEventPayloads[K], ts?: number): Promise<SessionEvent>;
  /** Up to `count` events after `afterSeq` (and up to `untilSeq`), in order; trimmed ones are simply absent. */
  readEvents(sessionId: string, afterSeq: number, count: number, untilSeq?: number): Promise<SessionEvent[]>;
  /** Like readEvents, plus the seq of the newest event, read at the same moment of the log. */
  readEventsAndSeq(sessionId: string, afterSeq: number, count: number): Promise<{ events: SessionEvent[]; lastSeq: number }>;
}

/** The model conversation, and notes queued for the model's next turn. */
export interface HistoryStore {
  appendHistory(sessionId: string, contents: unknown[]): Promise<void>;
  readHistory(sessionId: string): Promise<unknown[]>;
  pushNote(sessionId: string, text: string): Promise<void>;
  /** Takes every queued note, atomically. */
  takeNotes(sessionId: string): Promise<string[]>;
}

/** Questions waiting for a human. */
export interface QuestionStore {
  putQuestion(question: StoredQuestion): Promise<void>;
  /** Removes a pending question; only the first caller gets it back (the first answer wins). */
  takeQuestion(sessionId: string, questionId: string): Promise<StoredQuestion | undefined>;
  listQuestions(sessionId: string): Promise<StoredQuestion[]>;
  countQuestions(sessionIds: string[]): Promise<number[]>;
}

/** Rules a human added to a session ("always allow this tool here"). */
export interface RuleStore {
  addSessionRule(sessionId: string, rule: unknown): Promise<void>;
  sessionRules(sessionId: string): Promise<unknown[]>;
}

/** Network grants "for this session": kept so a restarted daemon still honours them, never shared across sessions. */
export interface EgressGrantStore {
  addEgressGrant(sessionId: string, grant: unknown): Promise<void>;
  egressGrants(sessionId: string): Promise<unknown[]>;
}

/** The resources a session follows on its servers: kept so that after a restart the next sandbox follows them again. */
export interface SubscriptionStore {
  /** Records that the session follows `uri` on `server` (`on`), or no longer does. */
  setSubscription(sessionId: string, server: string, uri: string, on: boolean): Promise<void>;
  /** The URIs the session follows on a server, oldest first. */
  subscriptions(sessionId: string, server: string): Promise<string[]>;
  /** Forgets everything the session follows (it ended). */
  clearSubscriptions(sessionId: string): Promise<void>;
}

/** The tool definitions a session pinned (tool pinning: a changed tool is asked about again). */
export interface PinStore {
  /** The session's pins, in no particular order. */
  pins(sessionId: string): Promise<ToolPin[]>;
  pin(sessionId: string, server: string, tool: string): Promise<ToolPin | undefined>;
  /** Writes (or replaces) one pin. */
  putPin(sessionId: string, pin: ToolPin): Promise<void>;
}

/** Tokens each server used by sampling in a session: a policy's budget is counted here, so it survives a restart. */
export interface SamplingUsage {
  samplingTokens(sessionId: string, server: string): Promise<number>;
  /** Adds to the server's count (atomically) and returns the new total. */
  addSamplingTokens(sessionId: string, server: string, tokens: number): Promise<number>;
}

/** The append-only audit stream, indexed by session and by the session's owner. */
export interface AuditLog {
  audit(entry: AuditEntry): Promise<void>;
  /** The newest `count` entries of one session, or of all of an owner's sessions (also ended ones), oldest first. */
  readAudit(options: { owner: string; sessionId?: string | undefined; count: number }): Promise<AuditEntry[]>;
}

/** Everything the daemon keeps: what the Redis store and the in-memory store both implement. */
export type SessionStore = SessionRecords &
  ContainerLedger &
  EventStore &
  HistoryStore &
  QuestionStore &
  RuleStore &
  EgressGrantStore &
  SubscriptionStore &
  PinStore &
  AuditLog &
  SamplingUsage;
