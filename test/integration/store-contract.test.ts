import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../daemon/store/memory.js';
import type { AuditEntry, SessionRecord, SessionStore, StoredQuestion } from '../../daemon/store/ports.js';
import { Store } from '../../daemon/store/store.js';
import { TestRedis } from '../helpers/redis.js';

const redis = new TestRedis();
let connection: Redis;

beforeAll(async () => {
  await redis.start();
  connection = new Redis({ path: redis.path });
});

afterAll(async () => {
  connection?.disconnect();
  await redis.stop();
});

let n = 0;
const record = (overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  id: `s_contract_${++n}`,
  owner: 'alice',
  title: '',
  status: 'active',
  model: 'gemini-test',
  policyName: 'ask',
  policy: '{"default":"ask","rules":[]}',
  servers: ['testsrv'],
  createdAt: n,
  lastActive: n,
  seq: 0,
  ...overrides,
});

const question = (sessionId: string, questionId: string): StoredQuestion => ({
  questionId,
  sessionId,
  owner: 'alice',
  subject: { kind: 'call', callId: `c_${questionId}`, server: 'testsrv', tool: 'echo' },
  ask: { kind: 'tool_approval', args: { message: 'hi' }, annotations: {}, decisionReason: 'default is ask' },
  createdAt: 1,
  expiresAt: 2,
});

/**
 * The store ports' contract, run against Redis (the real thing) and the in-memory store the unit tests use, so a
 * unit test on the in-memory store means what it would mean on Redis.
 */
describe.each([
  ['Redis', () => new Store(connection, `mcpgw-contract-${Date.now()}:`) as SessionStore],
  ['in-memory', () => new MemoryStore() as SessionStore],
])('the %s store', (_name, make) => {
  it('keeps sessions, finds them by owner and unique prefix, and updates them', async () => {
    const store = make();
    const a = record({ id: 's_abc1' });
    const b = record({ id: 's_abd2', createdAt: a.createdAt + 1 });
    await store.createSession(a);
    await store.createSession(b);
    await store.createSession(record({ id: 's_other', owner: 'bob' }));
    expect((await store.listSessions('alice')).map((r) => r.id)).toEqual(['s_abd2', 's_abc1']);
    expect(await store.findOwnedSession('alice', 's_abc1')).toMatchObject({ id: 's_abc1', servers: ['testsrv'] });
    expect(await store.findOwnedSession('alice', 's_ab')).toBe('ambiguous');
    expect(await store.findOwnedSession('alice', 's_abd')).toMatchObject({ id: 's_abd2' });
    expect(await store.findOwnedSession('alice', 's_other')).toBeUndefined();
    await store.updateSession('s_abc1', { status: 'idle', title: 'renamed' });
    expect(await store.getSession('s_abc1')).toMatchObject({ status: 'idle', title: 'renamed' });
    expect((await store.getSessions(['s_abc1', 'nope'])).map((r) => r.id)).toEqual(['s_abc1']);
  });

  it('numbers a session’s events from 1 and replays those after a seq', async () => {
    const store = make();
    const rec = record();
    await store.createSession(rec);
    const first = await store.appendEvent(rec.id, 'user:message', { messageId: 'm1', text: 'hi', from: 'alice' }, 10);
    const second = await store.appendEvent(rec.id, 'agent:thinking', { turnId: 't1', round: 1 }, 11);
    expect([first.seq, second.seq]).toEqual([1, 2]);
    expect(second).toEqual({ type: 'agent:thinking', sessionId: rec.id, seq: 2, ts: 11, turnId: 't1', round: 1 });
    const third = await store.appendEvent(rec.id, 'agent:thinking', { turnId: 't1', round: 2 }, 12);
    expect(await store.readEvents(rec.id, 1, 10)).toEqual([second, third]);
    expect(await store.readEvents(rec.id, 0, 1)).toEqual([first]);
    expect(await store.readEvents(rec.id, 1, 10, 2)).toEqual([second]);
    expect(await store.readEventsAndSeq(rec.id, 2, 10)).toEqual({ events: [third], lastSeq: 3 });
    expect((await store.getSession(rec.id))?.seq).toBe(3);
  });

  it('cuts an event over the per-event cap the same way for live and replayed readers', async () => {
    const store = make();
    const rec = record();
    await store.createSession(rec);
    const live = await store.appendEvent(rec.id, 'tool:output', { server: 'testsrv', stream: 'stderr', text: 'x'.repeat(200_000) });
    const [stored] = await store.readEvents(rec.id, 0, 10);
    expect(stored).toEqual(live);
    expect(JSON.stringify(stored).length).toBeLessThanOrEqual(64 * 1024);
  });

  it('keeps history and notes; notes are taken once', async () => {
    const store = make();
    const rec = record();
    await store.createSession(rec);
    await store.appendHistory(rec.id, [{ role: 'user', parts: [{ text: 'a' }] }]);
    await store.appendHistory(rec.id, [{ role: 'model', parts: [{ text: 'b' }] }]);
    expect(await store.readHistory(rec.id)).toEqual([
      { role: 'user', parts: [{ text: 'a' }] },
      { role: 'model', parts: [{ text: 'b' }] },
    ]);
    expect(await store.takeNotes(rec.id)).toEqual([]);
    await store.pushNote(rec.id, 'one');
    await store.pushNote(rec.id, 'two');
    expect(await store.takeNotes(rec.id)).toEqual(['one', 'two']);
    expect(await store.takeNotes(rec.id)).toEqual([]);
  });

  it('gives a question to exactly one taker (the first answer wins), and counts the open ones', async () => {
    const store = make();
    const rec = record();
    await store.createSession(rec);
    await store.putQuestion(question(rec.id, 'q1'));
    await store.putQuestion(question(rec.id, 'q2'));
    expect(await store.countQuestions([rec.id, 'nobody'])).toEqual([2, 0]);
    expect((await store.listQuestions(rec.id)).map((q) => q.questionId).sort()).toEqual(['q1', 'q2']);
    const takes = await Promise.all([store.takeQuestion(rec.id, 'q1'), store.takeQuestion(rec.id, 'q1')]);
    expect(takes.filter(Boolean)).toEqual([question(rec.id, 'q1')]);
    expect(await store.countQuestions([rec.id])).toEqual([1]);
  });

  it('keeps session rules, containers and the audit stream (by session and by owner, oldest first)', async () => {
    const store = make();
    const rec = record();
    await store.createSession(rec);
    await store.addSessionRule(rec.id, { server: 'testsrv', tool: 'echo', decision: 'allow' });
    expect(await store.sessionRules(rec.id)).toEqual([{ server: 'testsrv', tool: 'echo', decision: 'allow' }]);
    await store.setContainer(rec.id, 'testsrv', 'c1', 'i1');
    await store.clearContainer(rec.id, 'testsrv', 'c0');
    expect(await store.containersOf(rec.id)).toEqual({ testsrv: 'c1' });
    await store.clearContainer(rec.id, 'testsrv', 'c1');
    expect(await store.containersOf(rec.id)).toEqual({});
    const other = record({ owner: 'bob' });
    await store.createSession(other);
    for (const outcome of ['ok', 'tool_error']) await store.audit({ ts: 1, sessionId: rec.id, user: 'alice', kind: 'tool', outcome });
    await store.audit({ ts: 1, sessionId: other.id, user: 'bob', kind: 'tool', outcome: 'bob' });
    const outcomes = (entries: AuditEntry[]) => entries.map((a) => a.outcome);
    expect(outcomes(await store.readAudit({ owner: 'alice', sessionId: rec.id, count: 10 }))).toEqual(['ok', 'tool_error']);
    expect(outcomes(await store.readAudit({ owner: 'alice', sessionId: rec.id, count: 1 }))).toEqual(['tool_error']);
    expect(outcomes(await store.readAudit({ owner: 'bob', count: 10 }))).toEqual(['bob']);
    // An owner's audit outlives their sessions; a session's goes with it.
    await store.deleteSession(rec);
    expect(outcomes(await store.readAudit({ owner: 'alice', count: 10 }))).toEqual(['ok', 'tool_error']);
    expect(await store.readAudit({ owner: 'alice', sessionId: rec.id, count: 10 })).toEqual([]);
  });

  it('counts sampling tokens per session and server (a policy budget), and forgets them with the session', async () => {
    const store = make();
    const rec = record();
    await store.createSession(rec);
    expect(await store.samplingTokens(rec.id, 'everything')).toBe(0);
    expect(await store.addSamplingTokens(rec.id, 'everything', 40)).toBe(40);
    expect(await store.addSamplingTokens(rec.id, 'everything', 2)).toBe(42);
    expect(await store.addSamplingTokens(rec.id, 'memory', 5)).toBe(5);
    expect(await store.samplingTokens(rec.id, 'everything')).toBe(42);
    await store.deleteSession(rec);
    expect(await store.samplingTokens(rec.id, 'everything')).toBe(0);
  });

  it('keeps a session’s network grants in order, apart from other sessions, and deletes them with it', async () => {
    const store = make();
    const rec = record();
    const other = record();
    await store.createSession(rec);
    await store.createSession(other);
    const grant = (host: string) => ({ server: 'netsrv', rule: { host, wildcard: false, ports: [443] } });
    await store.addEgressGrant(rec.id, grant('a.example.com'));
    await store.addEgressGrant(rec.id, grant('b.example.com'));
    expect(await store.egressGrants(rec.id)).toEqual([grant('a.example.com'), grant('b.example.com')]);
    expect(await store.egressGrants(other.id)).toEqual([]);
    await store.deleteSession(rec);
    expect(await store.egressGrants(rec.id)).toEqual([]);
  });

  it('keeps what a session follows per server, oldest first, once each, and forgets it on clear and with the session', async () => {
    const store = make();
    const rec = record();
    const other = record();
    await store.createSession(rec);
    await store.createSession(other);
    await store.setSubscription(rec.id, 'everything', 'demo://a', true);
    await store.setSubscription(rec.id, 'memory', 'demo://a', true);
    await store.setSubscription(rec.id, 'everything', 'demo://b', true);
    await store.setSubscription(rec.id, 'everything', 'demo://a', true);
    await store.setSubscription(other.id, 'everything', 'demo://c', true);
    expect(await store.subscriptions(rec.id, 'everything')).toEqual(['demo://a', 'demo://b']);
    expect(await store.subscriptions(rec.id, 'memory')).toEqual(['demo://a']);
    await store.setSubscription(rec.id, 'everything', 'demo://a', false);
    expect(await store.subscriptions(rec.id, 'everything')).toEqual(['demo://b']);
    await store.clearSubscriptions(other.id);
    expect(await store.subscriptions(other.id, 'everything')).toEqual([]);
    await store.deleteSession(rec);
    expect(await store.subscriptions(rec.id, 'everything')).toEqual([]);
    expect(await store.subscriptions(rec.id, 'memory')).toEqual([]);
  });

  it('deletes a session with everything under it, and lists sessions by inactivity', async () => {
    const store = make();
    const old = record({ lastActive: 5 });
    await store.createSession(old);
    await store.putQuestion(question(old.id, 'q9'));
    expect(await store.sessionsInactiveSince(5)).toContain(old.id);
    expect(await store.allSessionIds()).toContain(old.id);
    await store.deleteSession(old);
    expect(await store.getSession(old.id)).toBeUndefined();
    expect(await store.countQuestions([old.id])).toEqual([0]);
    expect(await store.sessionsInactiveSince(5)).not.toContain(old.id);
  });
});
