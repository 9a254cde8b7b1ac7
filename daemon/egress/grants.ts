import { parseEgressRule, type EgressRule } from '../../src/config/egress.js';
import { McpgwError, errorMessage } from '../../src/errors.js';
import { evaluateEgress, type Policy } from '../../src/policy/index.js';
import type { NetworkGrantAsk, NetworkGrantAnswer, ServerSubject } from '../../src/protocol/questions.js';
import type { AuditRecord } from '../../src/protocol/session.js';
import type { QuestionAsker } from '../questions/service.js';
import type { EgressDenied } from './types.js';

/** Distinct grant questions one sandbox may have open at once; further names are refused without asking. */
export const MAX_OPEN_GRANTS = 3;

/** What the broker needs of the egress manager. */
export interface GrantTarget {
  grant(leaseId: string, rule: EgressRule, scope: 'sandbox' | 'session'): Promise<void>;
  grantFor(sessionId: string, server: string, rule: EgressRule, scope: 'sandbox' | 'session'): Promise<number>;
  revoke(leaseId: string, rule: EgressRule): Promise<void>;
}

export interface GrantBrokerDeps {
  egress: GrantTarget;
  questions: QuestionAsker;
  /** The session's owner and policy (undefined: the session is gone). */
  session: (sessionId: string) => Promise<{ owner: string; policy: Policy } | undefined>;
  /** Keeps a "for this session" grant over a daemon restart. */
  keep: (sessionId: string, grant: { server: string; rule: EgressRule }) => Promise<void>;
  audit: (entry: AuditRecord) => Promise<void>;
  /** A line in the tool's console (`tool:output`). */
  console: (sessionId: string, server: string, line: string) => void;
  /** The calls of a session's server running now. */
  running: (sessionId: string, server: string) => string[];
  /** The call a refusal of the server's sandbox belongs to (the one running, or the one that just ended). */
  callOf: (sessionId: string, server: string) => string | undefined;
  /** True while a headless turn runs in the session. */
  headless: (sessionId: string) => boolean;
  /** A note for the model's next turn (when no call is there to carry it). */
  note: (sessionId: string, text: string) => Promise<void>;
  log: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
  maxOpen?: number;
}

interface Pending {
  lease: string;
  rule: EgressRule;
  /** "once" grants to take back, and "deny" answers to forget, when the next call of the server ends. */
  kind: 'once' | 'deny';
}

type By = 'user' | 'policy' | 'headless' | 'limit' | 'timeout';

/**
 * Network grants while a tool runs. A sandbox on an allowlist that asks for a name (or port) its list does not
 * cover is refused at once by the gateway; this turns the refusal into one question for the session's humans (or a
 * policy's answer), and applies the answer: "once" lets the sandbox reach that name and port until the end of the
 * call it serves (the call running when the answer comes, else the next one), "session" for the rest of the
 * session (kept in Redis, this session and server only), "deny" refuses it without asking again until that call
 * ends. The model is told, in the failed call's result, that access was asked for and it should retry afterwards.
 */
export class GrantBroker {
  /** Open questions by `session\0server\0target`, with the lease that asked. */
  private readonly open = new Map<string, string>();
  /** Answers that last "until the next call of the server ends", by `session\0server`. */
  private readonly untilCallEnds = new Map<string, Map<string, Pending>>();
  /** Notes for the model, by `session\0callId`. */
  private readonly notes = new Map<string, string[]>();
  private readonly sessions = new Map<string, AbortController>();

  constructor(private readonly deps: GrantBrokerDeps) {}

  /** The manager's `onDenied` hook: ask, decide by policy, or refuse; never throws. */
  onDenied(denied: EgressDenied): void {
    // Which call it was is known now, not after the awaits below (a refused call ends at once).
    const callId = this.deps.callOf(denied.sessionId, denied.server);
    void this.handle(denied, callId).catch((err: unknown) =>
      this.deps.log('warn', 'a network grant could not be handled', { ...denied, error: errorMessage(err) }),
    );
  }

  /** The call's notes for the model (ToolCall appends them to its result). */
  take(sessionId: string, callId: string): string[] {
    const k = `${sessionId}\u0000${callId}`;
    const notes = this.notes.get(k) ?? [];
    this.notes.delete(k);
    return notes;
  }

  /** A call stopped running: "once" grants end, "deny" answers are forgotten (the next call may ask again). */
  callEnded(sessionId: string, server: string, _callId: string): void {
    const k = `${sessionId}\u0000${server}`;
    const pending = this.untilCallEnds.get(k);
    if (!pending) return;
    this.untilCallEnds.delete(k);
    for (const [target, p] of pending) {
      if (p.kind !== 'once') continue;
      void this.deps.egress
        .revoke(p.lease, p.rule)
        .then(() => this.deps.console(sessionId, server, `[egress] the grant "once" of ${target} ended with the call`))
        .catch((err: unknown) => this.deps.log('warn', 'revoking a grant failed', { sessionId, server, target, error: errorMessage(err) }));
    }
  }

  /** The session ended: its open questions close, nothing of it is kept here. */
  forgetSession(sessionId: string): void {
    this.sessions.get(sessionId)?.abort();
    this.sessions.delete(sessionId);
    const mine = (k: string): boolean => k.startsWith(`${sessionId}\u0000`);
    for (const map of [this.open, this.untilCallEnds, this.notes]) for (const k of [...map.keys()]) if (mine(k)) map.delete(k);
  }

  private async handle(d: EgressDenied, callId: string | undefined): Promise<void> {
    const target = d.port === undefined ? d.host : `${d.host}:${d.port}`;
    const key = `${d.sessionId}\u0000${d.server}\u0000${target}`;
    // One question per name and port: the sandbox's retries while it is open (or after a deny this call) add none.
    if (this.open.has(key) || this.untilCallEnds.get(`${d.sessionId}\u0000${d.server}`)?.get(target)?.kind === 'deny') return;
    const rule = ruleFor(d.host, d.port);
    if (!rule) return;
    // Held from here (refusals arrive in bursts: a client retries, resolves A and AAAA), released when it closes.
    const others = [...this.open.values()].filter((lease) => lease === d.lease).length;
    this.open.set(key, d.lease);
    try {
      await this.decide(d, target, key, rule, others, callId);
    } finally {
      this.open.delete(key);
    }
  }

  private async decide(
    d: EgressDenied,
    target: string,
    key: string,
    rule: EgressRule,
    openHere: number,
    callId: string | undefined,
  ): Promise<void> {
    const session = await this.deps.session(d.sessionId);
    if (!session) return;
    // A lookup names no port: the policy decides each port its grant would give (443 and 80) on its own.
    const verdicts = rule.ports.map((port) => ({
      port,
      verdict: evaluateEgress(session.policy.egress, { server: d.server, host: d.host, port }),
    }));
    const allowed = verdicts.filter((v) => v.verdict.decision === 'allow');
    if (allowed.length > 0) {
      await this.deps.egress.grant(d.lease, { ...rule, ports: allowed.map((v) => v.port) }, 'sandbox');
      await this.record(d, session.owner, target, { decision: 'once', by: 'policy', reason: allowed[0]!.verdict.reason }, callId);
      return;
    }
    const askable = verdicts.filter((v) => v.verdict.decision === 'ask');
    if (askable.length === 0) {
      await this.record(d, session.owner, target, { decision: 'deny', by: 'policy', reason: verdicts[0]!.verdict.reason }, callId);
      return;
    }
    // A person can only grant the ports no policy rule denies.
    rule = { ...rule, ports: askable.map((v) => v.port) };
    if (this.deps.headless(d.sessionId)) {
      const reason = 'the run is headless and no egress rule of the policy allows it';
      await this.record(d, session.owner, target, { decision: 'deny', by: 'headless', reason }, callId);
      return;
    }
    const max = this.deps.maxOpen ?? MAX_OPEN_GRANTS;
    if (openHere >= max) {
      const reason = `${openHere} network questions of this sandbox already wait for an answer (at most ${max})`;
      await this.record(d, session.owner, target, { decision: 'deny', by: 'limit', reason }, callId);
      return;
    }
    await this.ask(d, session.owner, target, key, rule, callId);
  }

  private async ask(
    d: EgressDenied,
    owner: string,
    target: string,
    key: string,
    rule: EgressRule,
    callId: string | undefined,
  ): Promise<void> {
    const subject: ServerSubject = { kind: 'server', server: d.server, ...(callId ? { callId } : {}) };
    const ask: NetworkGrantAsk = {
      kind: 'network_grant',
      host: d.host,
      ...(d.port === undefined ? {} : { port: d.port }),
      via: d.via,
      reason: reasonText(d.reason),
    };
    const signal = this.sessionSignal(d.sessionId);
    let asked;
    try {
      asked = await this.deps.questions.ask(owner, d.sessionId, subject, ask, signal);
    } catch (err) {
      if (!(err instanceof McpgwError) || err.code !== 'capacity') throw err;
      await this.record(d, owner, target, { decision: 'deny', by: 'limit', reason: err.message }, callId);
      return;
    }
    const waiting = `${d.server} may not reach ${target} (${reasonText(d.reason)}); the user has been asked to allow it. Tell them, and retry once they have answered; retrying before that fails the same way.`;
    this.deps.console(d.sessionId, d.server, `[egress] asked the user whether ${d.server} may reach ${target}; retry after they answer`);
    if (callId && this.deps.running(d.sessionId, d.server).includes(callId)) this.addNote(d.sessionId, callId, waiting);
    else await this.deps.note(d.sessionId, `[mcpgw: ${waiting}]`);
    const { answer, by, how } = await asked.answered;
    this.open.delete(key);
    // The session ended: nothing is left to grant to or tell.
    if (how === 'cancelled') return;
    if (answer.kind !== 'network_grant') throw new McpgwError('internal', `a network grant was answered with ${answer.kind}`);
    const who: By = how === 'answered' ? 'user' : 'timeout';
    const name = by.kind === 'user' ? by.name : owner;
    await this.apply(d, name, target, rule, answer, who, callId);
  }

  private async apply(
    d: EgressDenied,
    user: string,
    target: string,
    rule: EgressRule,
    answer: NetworkGrantAnswer,
    by: By,
    callId: string | undefined,
  ): Promise<void> {
    const reason = answer.reason ?? (by === 'timeout' ? 'nobody answered' : undefined);
    switch (answer.decision) {
      case 'session':
        await this.deps.keep(d.sessionId, { server: d.server, rule });
        await this.deps.egress.grantFor(d.sessionId, d.server, rule, 'session');
        break;
      case 'once':
        await this.deps.egress.grant(d.lease, rule, 'sandbox').catch((err: unknown) => {
          // The sandbox went away meanwhile: the grant has nothing to apply to.
          if (!(err instanceof McpgwError && err.code === 'not_found')) throw err;
        });
        this.untilNextCallEnds(d, target, { lease: d.lease, rule, kind: 'once' });
        break;
      case 'deny':
        this.untilNextCallEnds(d, target, { lease: d.lease, rule, kind: 'deny' });
        break;
    }
    await this.record(d, user, target, { decision: answer.decision, by, ...(reason ? { reason } : {}) }, callId, true);
  }

  private untilNextCallEnds(d: EgressDenied, target: string, pending: Pending): void {
    const k = `${d.sessionId}\u0000${d.server}`;
    const map = this.untilCallEnds.get(k) ?? new Map<string, Pending>();
    map.set(target, pending);
    this.untilCallEnds.set(k, map);
  }

  /** Audits a decision about a grant and says it in the tool's console (and, when it was not a person's, to the model). */
  private async record(
    d: EgressDenied,
    user: string,
    target: string,
    outcome: { decision: 'once' | 'session' | 'deny'; by: By; reason?: string },
    callId: string | undefined,
    answered = false,
  ): Promise<void> {
    const { decision, by, reason } = outcome;
    const granted = decision !== 'deny';
    const scope = decision === 'session' ? 'for the rest of this session' : by === 'policy' ? 'by the policy' : 'until this call ends';
    const who = by === 'user' ? user : by;
    const line = granted
      ? `[egress] GRANTED ${d.server} → ${target} ${scope} (${who}${reason && by !== 'user' ? `: ${reason}` : ''}) — retry the call`
      : `[egress] not granted: ${d.server} → ${target} (${who}${reason ? `: ${reason}` : ''})`;
    this.deps.console(d.sessionId, d.server, line);
    await this.deps.audit({
      ts: Date.now(),
      sessionId: d.sessionId,
      user,
      kind: 'egress_grant',
      server: d.server,
      host: d.host,
      ...(d.port === undefined ? {} : { port: d.port }),
      decision,
      by,
      ...(reason ? { reason } : {}),
      ...(callId ? { callId } : {}),
    });
    // What the model learns: with the failed call's result when it still runs, else before its next turn.
    const forModel = granted
      ? `${d.server} was granted access to ${target} ${scope}; retry the call that needed it.`
      : `${d.server} may not reach ${target}: ${reason ?? 'denied'}. Do not retry it unchanged.`;
    if (!answered && callId && this.deps.running(d.sessionId, d.server).includes(callId)) this.addNote(d.sessionId, callId, forModel);
    else await this.deps.note(d.sessionId, `[mcpgw: ${forModel}]`);
  }

  private addNote(sessionId: string, callId: string, text: string): void {
    const k = `${sessionId}\u0000${callId}`;
    this.notes.set(k, [...(this.notes.get(k) ?? []), text]);
  }

  private sessionSignal(sessionId: string): AbortSignal {
    let controller = this.sessions.get(sessionId);
    if (!controller) {
      controller = new AbortController();
      this.sessions.set(sessionId, controller);
    }
    return controller.signal;
  }
}

/** The rule a grant adds: the name on the port asked for, or (a lookup names no port) on 443 and 80. */
function ruleFor(host: string, port: number | undefined): EgressRule | undefined {
  const parsed = parseEgressRule(port === undefined ? host : `${host}:${port}`);
  return parsed.ok ? parsed.rule : undefined;
}

function reasonText(reason: string): string {
  return reason === 'port_not_allowed' ? 'port not allowed for this name' : reason === 'not_allowed' ? 'not in the allowlist' : reason;
}
