import type { SessionEvent, SessionEventName, SessionEventPayloads } from '../../src/protocol/events.js';
import { fitPayload } from './event-fit.js';
import { DEFAULT_EVENT_LOG_LIMITS, ENVELOPE_BYTES, type EventLogLimits } from './event-stream.js';
import type { ToolPin } from '../pins/pin.js';
import type { AuditEntry, SessionRecord, SessionStore, StoredQuestion } from './ports.js';

/**
 * The store ports in memory, for fast unit tests of the logic above them (turns, questions, tool calls, sessions).
 * Same contract as the Redis store: seqs count up per session, the event log is capped (by count, and each event by
 * size; not by total bytes), `takeQuestion` and `takeNotes` hand each item to exactly one caller. Values are copied in
 * and out, as a round trip through JSON would.
 * Only tests may import it (lint): mcpd keeps its state in Redis.
 */
export class MemoryStore implements SessionStore {
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly containers = new Map<string, Record<string, string>>();
  private readonly events = new Map<string, SessionEvent[]>();
  private readonly history = new Map<string, unknown[]>();
  private readonly notes = new Map<string, string[]>();
  private readonly questions = new Map<string, Map<string, StoredQuestion>>();
  private readonly rules = new Map<string, unknown[]>();
  private readonly grants = new Map<string, unknown[]>();
  /** Per session, `[server, uri]` as JSON, in the order first followed (a Set keeps insertion order). */
  private readonly follows = new Map<string, Set<string>>();
  private readonly pinMaps = new Map<string, Map<string, ToolPin>>();
  private readonly sessionAudit = new Map<string, AuditEntry[]>();
  private readonly sampling = new Map<string, Map<string, number>>();
  private readonly ownerAudit = new Map<string, AuditEntry[]>();

  constructor(private readonly limits: Pick<EventLogLimits, 'maxEvents' | 'maxEventBytes'> = DEFAULT_EVENT_LOG_LIMITS) {}

  async createSession(rec: SessionRecord): Promise<void> {
    this.sessions.set(rec.id, copy(rec));
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const rec = this.sessions.get(id);
    return rec && copy(rec);
  }

  async getSessions(ids: string[]): Promise<SessionRecord[]> {
    return ids.flatMap((id) => {
      const rec = this.sessions.get(id);
      return rec ? [copy(rec)] : [];
    });
  }

  async listSessions(owner: string): Promise<SessionRecord[]> {
    return [...this.sessions.values()]
      .filter((r) => r.owner === owner)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map(copy);
  }

  async findOwnedSession(owner: string, idOrPrefix: string): Promise<SessionRecord | undefined | 'ambiguous'> {
    const exact = this.sessions.get(idOrPrefix);
    if (exact) return exact.owner === owner ? copy(exact) : undefined;
    const matches = [...this.sessions.values()].filter((r) => r.owner === owner && r.id.startsWith(idOrPrefix));
    if (matches.length > 1) return 'ambiguous';
    return matches[0] && copy(matches[0]);
  }

  async updateSession(id: string, fields: Partial<Pick<SessionRecord, 'status' | 'title' | 'lastActive' | 'model'>>): Promise<void> {
    const rec = this.sessions.get(id);
    if (rec) Object.assign(rec, Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
  }

  async deleteSession(rec: SessionRecord): Promise<void> {
    const perSession = [
      this.sessions,
      this.containers,
      this.events,
      this.history,
      this.notes,
      this.questions,
      this.rules,
      this.grants,
      this.follows,
      this.pinMaps,
      this.sessionAudit,
      this.sampling,
    ];
    for (const map of perSession) map.delete(rec.id);
  }

  async sessionsInactiveSince(ts: number): Promise<string[]> {
    return [...this.sessions.values()]
      .filter((r) => r.lastActive <= ts)
      .sort((a, b) => a.lastActive - b.lastActive)
      .map((r) => r.id);
  }

  async allSessionIds(): Promise<string[]> {
    return [...this.sessions.keys()];
  }

  async setContainer(sessionId: string, server: string, containerId: string): Promise<void> {
    this.containers.set(sessionId, { ...this.containers.get(sessionId), [server]: containerId });
  }

  async clearContainer(sessionId: string, server: string, containerId: string): Promise<void> {
    const map = this.containers.get(sessionId);
    if (map?.[server] === containerId) delete map[server];
  }

  async containersOf(sessionId: string): Promise<Record<string, string>> {
    return { ...this.containers.get(sessionId) };
  }

  async appendEvent<K extends SessionEventName>(
    sessionId: string,
    type: K,
    payload: SessionEventPayloads[K],
    ts = Date.now(),
  ): Promise<SessionEvent> {
    const rec = this.sessions.get(sessionId);
    const seq = rec ? ++rec.seq : (this.events.get(sessionId)?.at(-1)?.seq ?? 0) + 1;
    if (rec) rec.lastActive = ts;
    // As in Redis: a payload over the per-event cap has its longest strings cut (the envelope's room kept).
    const event = {
      ...copy(fitPayload(payload, this.limits.maxEventBytes - ENVELOPE_BYTES)),
      type,
      sessionId,
      seq,
      ts,
    } as unknown as SessionEvent;
    const log = [...(this.events.get(sessionId) ?? []), event];
    this.events.set(sessionId, log.slice(Math.max(0, log.length - this.limits.maxEvents)));
    return copy(event);
  }

  async readEvents(sessionId: string, afterSeq: number, count: number, untilSeq = Infinity): Promise<SessionEvent[]> {
    return (this.events.get(sessionId) ?? [])
      .filter((e) => e.seq > afterSeq && e.seq <= untilSeq)
      .slice(0, count)
      .map(copy);
  }

  async readEventsAndSeq(sessionId: string, afterSeq: number, count: number): Promise<{ events: SessionEvent[]; lastSeq: number }> {
    const lastSeq = this.sessions.get(sessionId)?.seq ?? this.events.get(sessionId)?.at(-1)?.seq ?? 0;
    return { events: await this.readEvents(sessionId, afterSeq, count), lastSeq };
  }

  async appendHistory(sessionId: string, contents: unknown[]): Promise<void> {
    this.history.set(sessionId, [...(this.history.get(sessionId) ?? []), ...contents.map(copy)]);
  }

  async readHistory(sessionId: string): Promise<unknown[]> {
    return (this.history.get(sessionId) ?? []).map(copy);
  }

  async pushNote(sessionId: string, text: string): Promise<void> {
    this.notes.set(sessionId, [...(this.notes.get(sessionId) ?? []), text]);
  }

  async takeNotes(sessionId: string): Promise<string[]> {
    const notes = this.notes.get(sessionId) ?? [];
    this.notes.delete(sessionId);
    return notes;
  }

  async putQuestion(question: StoredQuestion): Promise<void> {
    const map = this.questions.get(question.sessionId) ?? new Map<string, StoredQuestion>();
    map.set(question.questionId, copy(question));
    this.questions.set(question.sessionId, map);
  }

  async takeQuestion(sessionId: string, questionId: string): Promise<StoredQuestion | undefined> {
    const map = this.questions.get(sessionId);
    const question = map?.get(questionId);
    map?.delete(questionId);
    return question;
  }

  async listQuestions(sessionId: string): Promise<StoredQuestion[]> {
    return [...(this.questions.get(sessionId)?.values() ?? [])].map(copy);
  }

  async countQuestions(sessionIds: string[]): Promise<number[]> {
    return sessionIds.map((id) => this.questions.get(id)?.size ?? 0);
  }

  async samplingTokens(sessionId: string, server: string): Promise<number> {
    return this.sampling.get(sessionId)?.get(server) ?? 0;
  }

  async addSamplingTokens(sessionId: string, server: string, tokens: number): Promise<number> {
    const map = this.sampling.get(sessionId) ?? new Map<string, number>();
    const total = (map.get(server) ?? 0) + tokens;
    map.set(server, total);
    this.sampling.set(sessionId, map);
    return total;
  }

  async addSessionRule(sessionId: string, rule: unknown): Promise<void> {
    this.rules.set(sessionId, [...(this.rules.get(sessionId) ?? []), copy(rule)]);
  }

  async sessionRules(sessionId: string): Promise<unknown[]> {
    return (this.rules.get(sessionId) ?? []).map(copy);
  }

  async addEgressGrant(sessionId: string, grant: unknown): Promise<void> {
    this.grants.set(sessionId, [...(this.grants.get(sessionId) ?? []), copy(grant)]);
  }

  async egressGrants(sessionId: string): Promise<unknown[]> {
    return (this.grants.get(sessionId) ?? []).map(copy);
  }

  async setSubscription(sessionId: string, server: string, uri: string, on: boolean): Promise<void> {
    const set = this.follows.get(sessionId) ?? new Set<string>();
    if (on) set.add(JSON.stringify([server, uri]));
    else set.delete(JSON.stringify([server, uri]));
    if (set.size > 0) this.follows.set(sessionId, set);
    else this.follows.delete(sessionId);
  }

  async subscriptions(sessionId: string, server: string): Promise<string[]> {
    return [...(this.follows.get(sessionId) ?? [])].flatMap((m) => {
      const [s, uri] = JSON.parse(m) as [string, string];
      return s === server ? [uri] : [];
    });
  }

  async clearSubscriptions(sessionId: string): Promise<void> {
    this.follows.delete(sessionId);
  }

  async pins(sessionId: string): Promise<ToolPin[]> {
    return [...(this.pinMaps.get(sessionId)?.values() ?? [])].map(copy);
  }

  async pin(sessionId: string, server: string, tool: string): Promise<ToolPin | undefined> {
    const pin = this.pinMaps.get(sessionId)?.get(`${server}\u0000${tool}`);
    return pin && copy(pin);
  }

  async putPin(sessionId: string, pin: ToolPin): Promise<void> {
    const map = this.pinMaps.get(sessionId) ?? new Map<string, ToolPin>();
    map.set(`${pin.server}\u0000${pin.tool}`, copy(pin));
    this.pinMaps.set(sessionId, map);
  }

  async audit(entry: AuditEntry): Promise<void> {
    // As in Redis: the entry goes to its session's index and to its owner's, which outlives the session.
    const owner = this.sessions.get(entry.sessionId)?.owner ?? entry.user;
    this.sessionAudit.set(entry.sessionId, [...(this.sessionAudit.get(entry.sessionId) ?? []), copy(entry)]);
    this.ownerAudit.set(owner, [...(this.ownerAudit.get(owner) ?? []), copy(entry)]);
  }

  async readAudit(options: { owner: string; sessionId?: string | undefined; count: number }): Promise<AuditEntry[]> {
    const entries = (options.sessionId ? this.sessionAudit.get(options.sessionId) : this.ownerAudit.get(options.owner)) ?? [];
    return entries.slice(Math.max(0, entries.length - options.count)).map(copy);
  }
}

/** What a JSON round trip does: the caller's object and the stored one never share state. */
function copy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
