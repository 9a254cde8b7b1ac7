import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SessionEvent, SessionEventName, SessionEventPayloads } from '../../src/protocol/events.js';
import { DEFAULT_EVENT_LOG_LIMITS, EventStream, type EventLogLimits } from './event-stream.js';
import { refusedWhenFull } from './full.js';
import { checkMulti } from './multi.js';
import { keys, type Keys } from './keys.js';
import { RedisSubscriptions } from './subscriptions.js';
import { fromHash, toHash } from './session-hash.js';
import { AuditLog } from './audit-log.js';
import type { AuditEntry, SessionRecord, SessionStore, StoredQuestion } from './ports.js';
import type { ToolPin } from '../pins/pin.js';
import { withScripts, type ScriptedRedis } from './scripts.js';

export type { AuditEntry, SessionRecord, StoredQuestion } from './ports.js';

/** Everything mcpd keeps in Redis, behind the store ports; related writes are atomic (MULTI or a script). */
export class Store implements SessionStore {
  readonly k: Keys;
  private readonly redis: ScriptedRedis;
  private readonly eventStream: EventStream;
  private readonly follows: RedisSubscriptions;
  private readonly auditLog: AuditLog;

  constructor(redis: Redis, prefix = 'mcpgw:', eventLimits: Partial<EventLogLimits> = {}) {
    this.k = keys(prefix);
    this.redis = withScripts(redis);
    this.eventStream = new EventStream(this.redis, this.k, { ...DEFAULT_EVENT_LOG_LIMITS, ...eventLimits });
    this.follows = new RedisSubscriptions(this.redis, this.k);
    this.auditLog = new AuditLog(this.redis, this.k);
  }

  async createSession(rec: SessionRecord): Promise<void> {
    this.auditLog.rememberOwner(rec.id, rec.owner);
    await this.redis
      .multi()
      .hset(this.k.session(rec.id), toHash(rec))
      .zadd(this.k.active(), rec.lastActive, rec.id)
      .zadd(this.k.owned(rec.owner), rec.createdAt, rec.id)
      .exec()
      .then(checkMulti)
      .catch(refusedWhenFull('the new session'));
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const hash = await this.redis.hgetall(this.k.session(id));
    return hash.id ? fromHash(hash) : undefined;
  }

  /** The owner's sessions, newest first. */
  async listSessions(owner: string): Promise<SessionRecord[]> {
    const ids = await this.redis.zrevrange(this.k.owned(owner), 0, -1);
    return this.getSessions(ids);
  }

  async getSessions(ids: string[]): Promise<SessionRecord[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.k.session(id));
    const replies = (await pipeline.exec()) ?? [];
    return replies.flatMap(([err, hash]) =>
      !err && (hash as Record<string, string>).id ? [fromHash(hash as Record<string, string>)] : [],
    );
  }

  /** The owner's session by full id (one read, the common case) or by a unique prefix of its id. */
  async findOwnedSession(owner: string, idOrPrefix: string): Promise<SessionRecord | undefined | 'ambiguous'> {
    const exact = await this.getSession(idOrPrefix);
    if (exact) return exact.owner === owner ? exact : undefined;
    const matches = (await this.redis.zrange(this.k.owned(owner), 0, -1)).filter((id) => id.startsWith(idOrPrefix));
    if (matches.length > 1) return 'ambiguous';
    return matches[0] === undefined ? undefined : this.getSession(matches[0]);
  }

  async updateSession(id: string, fields: Partial<Pick<SessionRecord, 'status' | 'title' | 'lastActive' | 'model'>>): Promise<void> {
    const multi = this.redis.multi().hset(this.k.session(id), toHash(fields));
    if (fields.lastActive !== undefined) multi.zadd(this.k.active(), fields.lastActive, id);
    await multi.exec().then(checkMulti).catch(refusedWhenFull('a session change'));
  }

  /** Removes a session and everything under it. */
  async deleteSession(rec: SessionRecord): Promise<void> {
    const k = this.k;
    await this.redis
      .multi()
      .del(
        k.session(rec.id),
        k.containers(rec.id),
        k.events(rec.id),
        k.history(rec.id),
        k.questions(rec.id),
        k.sessionRules(rec.id),
        k.egressGrants(rec.id),
        k.pins(rec.id),
        k.notes(rec.id),
        k.subscriptions(rec.id),
        k.sampling(rec.id),
        k.sessionAudit(rec.id),
      )
      .zrem(k.active(), rec.id)
      .zrem(k.owned(rec.owner), rec.id)
      .exec()
      .then(checkMulti);
  }

  /** Session ids whose last activity is at or before `ts`, oldest first. */
  async sessionsInactiveSince(ts: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.k.active(), '-inf', ts);
  }

  /** Every session id the daemon knows (for start-up recovery). */
  async allSessionIds(): Promise<string[]> {
    const ids = new Set<string>(await this.redis.zrange(this.k.active(), 0, -1));
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', `${this.k.owned('*')}`, 'COUNT', 200);
      cursor = next;
      for (const key of found) for (const id of await this.redis.zrange(key, 0, -1)) ids.add(id);
    } while (cursor !== '0');
    return [...ids];
  }

  // --- containers ---------------------------------------------------------------------------------------------

  async setContainer(sessionId: string, server: string, containerId: string, instance: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.k.containers(sessionId), server, containerId)
      .hset(this.k.container(containerId), { session: sessionId, server, instance })
      .exec()
      .then(checkMulti)
      .catch(refusedWhenFull('a container record'));
  }

  async clearContainer(sessionId: string, server: string, containerId: string): Promise<void> {
    // Only clear the mapping if it still points at this container (a respawn may have replaced it).
    const current = await this.redis.hget(this.k.containers(sessionId), server);
    const multi = this.redis.multi().del(this.k.container(containerId));
    if (current === containerId) multi.hdel(this.k.containers(sessionId), server);
    await multi.exec().then(checkMulti);
  }

  async containersOf(sessionId: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.k.containers(sessionId));
  }

  // --- events -------------------------------------------------------------------------------------------------

  /** See EventStream.append. */
  appendEvent<K extends SessionEventName>(
    sessionId: string,
    type: K,
    payload: SessionEventPayloads[K],
    ts = Date.now(),
  ): Promise<SessionEvent> {
    return this.eventStream.append(sessionId, type, payload, ts);
  }

  /** See EventStream.read. */
  readEvents(sessionId: string, afterSeq: number, count: number, untilSeq?: number): Promise<SessionEvent[]> {
    return this.eventStream.read(sessionId, afterSeq, count, untilSeq);
  }

  /** See EventStream.readWithSeq. */
  readEventsAndSeq(sessionId: string, afterSeq: number, count: number): Promise<{ events: SessionEvent[]; lastSeq: number }> {
    return this.eventStream.readWithSeq(sessionId, afterSeq, count);
  }

  // --- history ------------------------------------------------------------------------------------------------

  async appendHistory(sessionId: string, contents: unknown[]): Promise<void> {
    if (contents.length === 0) return;
    await this.redis
      .mcpgwRpushOnce(this.k.history(sessionId), this.k.once(randomUUID()), ...contents.map((c) => JSON.stringify(c)))
      .catch(refusedWhenFull('the conversation history'));
  }

  async readHistory(sessionId: string): Promise<unknown[]> {
    return (await this.redis.lrange(this.k.history(sessionId), 0, -1)).map((s) => JSON.parse(s) as unknown);
  }

  /** Queues a note for the model (e.g. a tool the user ran directly); added to the next user turn. */
  async pushNote(sessionId: string, text: string): Promise<void> {
    await this.redis
      .mcpgwRpushOnce(this.k.notes(sessionId), this.k.once(randomUUID()), text)
      .catch(refusedWhenFull('a note for the model'));
  }

  /** Takes every queued note, atomically. */
  async takeNotes(sessionId: string): Promise<string[]> {
    // cjson encodes an empty Lua table as an object: treat anything but an array as no notes.
    const taken: unknown = JSON.parse(await this.redis.mcpgwLtakeOnce(this.k.notes(sessionId), this.k.once(randomUUID())));
    return Array.isArray(taken) ? (taken as string[]) : [];
  }

  // --- questions for a human -----------------------------------------------------------------------------------

  async putQuestion(question: StoredQuestion): Promise<void> {
    await this.redis
      .hset(this.k.questions(question.sessionId), question.questionId, JSON.stringify(question))
      .catch(refusedWhenFull('a question for a human'));
  }

  /** Removes a pending question; only the first caller gets it back (the first answer wins). */
  async takeQuestion(sessionId: string, questionId: string): Promise<StoredQuestion | undefined> {
    const value = await this.redis
      .mcpgwHtakeOnce(this.k.questions(sessionId), this.k.once(randomUUID()), questionId)
      .catch(refusedWhenFull('an answer to a question'));
    return value ? (JSON.parse(value) as StoredQuestion) : undefined;
  }

  async listQuestions(sessionId: string): Promise<StoredQuestion[]> {
    return Object.values(await this.redis.hgetall(this.k.questions(sessionId))).map((v) => JSON.parse(v) as StoredQuestion);
  }

  async countQuestions(sessionIds: string[]): Promise<number[]> {
    if (sessionIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of sessionIds) pipeline.hlen(this.k.questions(id));
    return ((await pipeline.exec()) ?? []).map(([err, n]) => (err ? 0 : Number(n)));
  }

  // --- session rules ("always allow this tool in this session") ------------------------------------------------

  async samplingTokens(sessionId: string, server: string): Promise<number> {
    return Number((await this.redis.hget(this.k.sampling(sessionId), server)) ?? 0);
  }

  async addSamplingTokens(sessionId: string, server: string, tokens: number): Promise<number> {
    return this.redis.hincrby(this.k.sampling(sessionId), server, tokens).catch(refusedWhenFull('the sampling token count'));
  }

  async addSessionRule(sessionId: string, rule: unknown): Promise<void> {
    await this.redis
      .mcpgwRpushOnce(this.k.sessionRules(sessionId), this.k.once(randomUUID()), JSON.stringify(rule))
      .catch(refusedWhenFull('a session rule'));
  }

  async sessionRules(sessionId: string): Promise<unknown[]> {
    return (await this.redis.lrange(this.k.sessionRules(sessionId), 0, -1)).map((s) => JSON.parse(s) as unknown);
  }

  async addEgressGrant(sessionId: string, grant: unknown): Promise<void> {
    await this.redis
      .mcpgwRpushOnce(this.k.egressGrants(sessionId), this.k.once(randomUUID()), JSON.stringify(grant))
      .catch(refusedWhenFull('a network grant'));
  }

  async egressGrants(sessionId: string): Promise<unknown[]> {
    return (await this.redis.lrange(this.k.egressGrants(sessionId), 0, -1)).map((s) => JSON.parse(s) as unknown);
  }

  // --- resource subscriptions (see RedisSubscriptions) --------------------------------------------------------

  setSubscription(sessionId: string, server: string, uri: string, on: boolean): Promise<void> {
    return this.follows.set(sessionId, server, uri, on);
  }

  subscriptions(sessionId: string, server: string): Promise<string[]> {
    return this.follows.of(sessionId, server);
  }

  clearSubscriptions(sessionId: string): Promise<void> {
    return this.follows.clear(sessionId);
  }

  // --- tool pins ----------------------------------------------------------------------------------------------

  async pins(sessionId: string): Promise<ToolPin[]> {
    return Object.values(await this.redis.hgetall(this.k.pins(sessionId))).map((s) => JSON.parse(s) as ToolPin);
  }

  async pin(sessionId: string, server: string, tool: string): Promise<ToolPin | undefined> {
    const raw = await this.redis.hget(this.k.pins(sessionId), pinField(server, tool));
    return raw === null ? undefined : (JSON.parse(raw) as ToolPin);
  }

  async putPin(sessionId: string, pin: ToolPin): Promise<void> {
    await this.redis.hset(this.k.pins(sessionId), pinField(pin.server, pin.tool), JSON.stringify(pin)).catch(refusedWhenFull('a tool pin'));
  }

  // --- audit --------------------------------------------------------------------------------------------------

  audit(entry: AuditEntry): Promise<void> {
    return this.auditLog.append(entry);
  }

  readAudit(options: { owner: string; sessionId?: string | undefined; count: number }): Promise<AuditEntry[]> {
    return this.auditLog.read(options);
  }
}

const pinField = (server: string, tool: string): string => `${server}\u0000${tool}`;
