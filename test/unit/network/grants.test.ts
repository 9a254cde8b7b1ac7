import { describe, expect, it } from 'vitest';
import type { EgressRule } from '../../../src/config/egress.js';
import type { Policy } from '../../../src/policy/index.js';
import type { QuestionAnswer, QuestionAsk, QuestionSubject } from '../../../src/protocol/questions.js';
import type { AuditRecord } from '../../../src/protocol/session.js';
import { GrantBroker, MAX_OPEN_GRANTS, type GrantTarget } from '../../../daemon/egress/grants.js';
import type { Answered, Asked, QuestionAsker } from '../../../daemon/questions/service.js';
import type { EgressDenied } from '../../../daemon/egress/types.js';

interface Question {
  subject: QuestionSubject;
  ask: QuestionAsk;
  answer: (answer: QuestionAnswer) => void;
}

/** Questions that a test answers by hand; every ask is recorded. */
class Asker implements QuestionAsker {
  readonly asked: Question[] = [];
  private waiters: Array<() => void> = [];

  async ask(_owner: string, _sessionId: string, subject: QuestionSubject, ask: QuestionAsk): Promise<Asked> {
    let settle!: (a: Answered) => void;
    const answered = new Promise<Answered>((resolve) => (settle = resolve));
    this.asked.push({ subject, ask, answer: (answer) => settle({ answer, by: { kind: 'user', name: 'alice' }, how: 'answered' }) });
    for (const w of this.waiters.splice(0)) w();
    return { questionId: `q${this.asked.length}`, expiresAt: 0, answered };
  }

  async next(count: number): Promise<Question> {
    while (this.asked.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.asked[count - 1]!;
  }
}

/** Records what the broker does to the gateway. */
class Target implements GrantTarget {
  readonly calls: string[] = [];
  async grant(lease: string, rule: EgressRule, scope: string): Promise<void> {
    this.calls.push(`grant ${lease} ${rule.host}:${rule.ports.join('+')} ${scope}`);
  }
  async grantFor(sessionId: string, server: string, rule: EgressRule, scope: string): Promise<number> {
    this.calls.push(`grantFor ${sessionId} ${server} ${rule.host}:${rule.ports.join('+')} ${scope}`);
    return 1;
  }
  async revoke(lease: string, rule: EgressRule): Promise<void> {
    this.calls.push(`revoke ${lease} ${rule.host}:${rule.ports.join('+')}`);
  }
}

function setup(options: { policy?: Partial<Policy>; headless?: boolean; running?: string[] } = {}) {
  const asker = new Asker();
  const target = new Target();
  const console: string[] = [];
  const audit: AuditRecord[] = [];
  const kept: unknown[] = [];
  const notes: string[] = [];
  const running = options.running ?? ['c1'];
  const settled = new Set<Promise<unknown>>();
  const broker = new GrantBroker({
    egress: target,
    questions: asker,
    session: async () => ({ owner: 'alice', policy: { default: 'ask', rules: [], ...options.policy } }),
    keep: async (_s, grant) => void kept.push(grant),
    audit: async (entry) => void audit.push(entry),
    console: (_s, _server, line) => void console.push(line),
    running: () => running,
    callOf: () => (running.length === 1 ? running[0] : undefined),
    headless: () => options.headless ?? false,
    note: async (_s, text) => void notes.push(text),
    log: () => undefined,
  });
  const deny = (host: string, port?: number, lease = 'L1'): EgressDenied => ({
    lease,
    sessionId: 's1',
    server: 'web',
    host,
    port,
    via: port === undefined ? 'dns' : 'tls',
    reason: 'not_allowed',
  });
  /** Waits until the broker has written `n` audit entries (its work is asynchronous). */
  const audited = async (n: number): Promise<void> => {
    while (audit.length < n) await new Promise((resolve) => setImmediate(resolve));
  };
  return { broker, asker, target, console, audit, kept, notes, deny, audited, settled };
}

describe('GrantBroker', () => {
  it('asks once per server and host:port, tells the model with the failed call, and grants "session" in Redis', async () => {
    const t = setup();
    t.broker.onDenied(t.deny('api.example.com', 443));
    t.broker.onDenied(t.deny('api.example.com', 443));
    const q = await t.asker.next(1);
    t.broker.onDenied(t.deny('api.example.com', 443));
    expect(q.subject).toEqual({ kind: 'server', server: 'web', callId: 'c1' });
    expect(q.ask).toEqual({ kind: 'network_grant', host: 'api.example.com', port: 443, via: 'tls', reason: 'not in the allowlist' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.asker.asked).toHaveLength(1);
    expect(t.broker.take('s1', 'c1')).toEqual([expect.stringMatching(/user has been asked to allow it.*retry once they have answered/)]);
    expect(t.console).toContain('[egress] asked the user whether web may reach api.example.com:443; retry after they answer');
    q.answer({ kind: 'network_grant', decision: 'session' });
    await t.audited(1);
    expect(t.kept).toEqual([{ server: 'web', rule: { host: 'api.example.com', wildcard: false, ports: [443] } }]);
    expect(t.target.calls).toEqual(['grantFor s1 web api.example.com:443 session']);
    expect(t.audit[0]).toMatchObject({
      kind: 'egress_grant',
      server: 'web',
      host: 'api.example.com',
      port: 443,
      decision: 'session',
      by: 'user',
    });
    expect(t.console.at(-1)).toMatch(/GRANTED web → api.example.com:443 for the rest of this session/);
    expect(t.notes).toEqual([expect.stringMatching(/granted access to api.example.com:443 for the rest of this session; retry/)]);
  });

  it('"once" lasts until the next call of the server ends; "deny" is not asked again until then', async () => {
    const t = setup();
    t.broker.onDenied(t.deny('a.example.com', 443));
    (await t.asker.next(1)).answer({ kind: 'network_grant', decision: 'once' });
    t.broker.onDenied(t.deny('b.example.com'));
    (await t.asker.next(2)).answer({ kind: 'network_grant', decision: 'deny' });
    await t.audited(2);
    expect(t.target.calls).toEqual(['grant L1 a.example.com:443 sandbox']);
    t.broker.onDenied(t.deny('b.example.com'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.asker.asked).toHaveLength(2);
    t.broker.callEnded('s1', 'web', 'c1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(t.target.calls).toContain('revoke L1 a.example.com:443');
    // A lookup names no port: the grant (and its question) is the name on 443 and 80.
    t.broker.onDenied(t.deny('b.example.com'));
    expect((await t.asker.next(3)).ask).toMatchObject({ host: 'b.example.com' });
  });

  it(`asks about at most ${MAX_OPEN_GRANTS} names of one sandbox at a time, and says so`, async () => {
    const t = setup();
    for (let i = 1; i <= MAX_OPEN_GRANTS; i++) {
      t.broker.onDenied(t.deny(`n${i}.example.com`, 443));
      await t.asker.next(i);
    }
    t.broker.onDenied(t.deny('over.example.com', 443));
    await t.audited(1);
    expect(t.asker.asked).toHaveLength(MAX_OPEN_GRANTS);
    expect(t.audit[0]).toMatchObject({ host: 'over.example.com', decision: 'deny', by: 'limit' });
    expect(t.console.at(-1)).toMatch(/not granted: web → over.example.com:443 \(limit: 3 network questions of this sandbox already wait/);
    // Another sandbox has its own bound.
    t.broker.onDenied(t.deny('other.example.com', 443, 'L2'));
    expect((await t.asker.next(MAX_OPEN_GRANTS + 1)).ask).toMatchObject({ host: 'other.example.com' });
  });

  it('a headless run denies without asking; a policy egress rule decides first', async () => {
    const headless = setup({ headless: true });
    headless.broker.onDenied(headless.deny('api.example.com', 443));
    await headless.audited(1);
    expect(headless.asker.asked).toEqual([]);
    expect(headless.audit[0]).toMatchObject({ decision: 'deny', by: 'headless' });
    expect(headless.broker.take('s1', 'c1')).toEqual([expect.stringMatching(/may not reach api.example.com:443: the run is headless/)]);

    const policy = {
      egress: [
        { host: 'bad.example.com', decision: 'deny' as const },
        { server: 'web', host: '*.example.com', port: 443, decision: 'allow' as const },
      ],
    };
    const ruled = setup({ headless: true, policy });
    ruled.broker.onDenied(ruled.deny('api.example.com', 443));
    ruled.broker.onDenied(ruled.deny('bad.example.com', 443));
    await ruled.audited(2);
    expect(ruled.asker.asked).toEqual([]);
    expect(ruled.target.calls).toEqual(['grant L1 api.example.com:443 sandbox']);
    expect(ruled.audit.map((a) => [a.host, a.decision, a.by]).sort()).toEqual([
      ['api.example.com', 'once', 'policy'],
      ['bad.example.com', 'deny', 'policy'],
    ]);
  });

  it('decides a lookup (no port) for each port its grant would give: a policy port rule applies to it', async () => {
    const allowed = setup({ policy: { egress: [{ host: '*.example.com', port: 443, decision: 'allow' as const }] } });
    allowed.broker.onDenied(allowed.deny('api.example.com'));
    await allowed.audited(1);
    expect(allowed.target.calls).toEqual(['grant L1 api.example.com:443 sandbox']);
    expect(allowed.asker.asked).toEqual([]);

    const partly = setup({ policy: { egress: [{ host: '*', port: 80, decision: 'deny' as const }] } });
    partly.broker.onDenied(partly.deny('api.example.com'));
    (await partly.asker.next(1)).answer({ kind: 'network_grant', decision: 'session' });
    await partly.audited(1);
    // A person grants only what no policy rule denies.
    expect(partly.kept).toEqual([{ server: 'web', rule: { host: 'api.example.com', wildcard: false, ports: [443] } }]);
  });

  it('names no call when none or several of the server run, and tells the model before its next turn', async () => {
    const t = setup({ running: ['c1', 'c2'] });
    t.broker.onDenied(t.deny('api.example.com', 443));
    expect((await t.asker.next(1)).subject).toEqual({ kind: 'server', server: 'web' });
  });
});
