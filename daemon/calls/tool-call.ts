import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { assertNever } from '../../src/checks.js';
import { McpgwError, errorMessage } from '../../src/errors.js';
import { evaluatePolicy, sessionRuleFor, type Policy, type PolicyRule, type Verdict } from '../../src/policy/index.js';
import type { ToolCallResult } from '../../src/protocol/session.js';
import { renderToolResult } from '../../src/text/tool-result.js';
import { truncateMiddle } from '../../src/text/truncate.js';
import { richResult } from '../../src/tools/rich-result.js';
import type { PinChange, PinGate } from '../pins/service.js';
import type { QuestionAsker } from '../questions/service.js';
import type { EventSink } from '../sessions/event-log.js';
import { newId } from '../sessions/ids.js';
import type { AuditLog, HistoryStore, RuleStore, SessionRecord } from '../store/ports.js';
import { holdUncarried, type MediaCache } from './media-cache.js';
import { StartAnnouncer, type CallOutput } from './output.js';
import type { SandboxProvider } from './ports.js';
import type { RunningCalls } from './running.js';
import { canMove, isTerminal, type CallDecision, type CallState, type TerminalState } from './state.js';

/** One call: which tool with which arguments, in which session, for whom. */
export interface CallRequest {
  session: SessionRecord;
  callId: string;
  server: string;
  tool: string;
  args: Record<string, unknown>;
  /** The model's call (in a turn), or one the user made directly. */
  origin: 'agent' | 'user';
  /** Who the call runs for: the session's owner for the model's calls, the caller for direct ones. */
  user: string;
  /** The server's claims about the tool, for the policy and the person asked. */
  annotations: Record<string, unknown>;
}

/** What a call needs around it; each is a narrow port, so a call runs on the in-memory store in unit tests. */
export interface ToolCallDeps {
  events: EventSink;
  store: RuleStore & AuditLog;
  questions: QuestionAsker;
  sandboxes: SandboxProvider;
  output: CallOutput;
  /** Tool pinning: a tool changed since the session pinned it is asked about again, with a diff. */
  pins: PinGate;
  /** Where media too large for a `tool:result` event are held for clients; without it they are only described. */
  media?: MediaCache;
  /** Lines mcpd adds to a call's result for the model (a network grant was asked for while it ran). */
  notes?: { take(sessionId: string, callId: string): string[] };
  /** Where running calls are known to a server's own requests (an elicitation), if anything asks. */
  running?: RunningCalls;
}

/** What the sandbox gave back, before it becomes a state: reported as `tool:result` and audited as one outcome. */
type Outcome =
  { ok: true; result: CallToolResult; text: string; durationMs: number } | { ok: false; error: McpgwError; durationMs: number };

const NOTE_CHARS = 4000;
const HEADLESS =
  'this call needs a human approval and the run is headless (use --wait-for-approval or an --auto-approve-policy that allows it)';
const SUMMARY_CHARS = 2000;
const CHANGED = (fields: string[]): string =>
  `the server changed this tool (${fields.join(', ')}) since it was approved in this session; a person must approve it again`;

type Changed = PinChange & { hash: string };

/**
 * One tool call, from proposal to its end, as a state machine (state.ts). It is the one owner of everything about
 * a call: the policy's verdict, the question to a human, the run in the sandbox, the audit entries (policy,
 * approval, tool) and the call's events (`tool:decided`, `tool:started`, `tool:output`, `tool:result`). Lint keeps
 * those events and audit kinds out of every other module.
 */
export class ToolCall {
  private current: CallState = { status: 'proposed' };
  /** The changed definition a person approved (its hash), or undefined when the tool was as pinned. */
  private approvedChange: string | undefined;
  private headless = false;

  constructor(
    private readonly deps: ToolCallDeps,
    readonly request: CallRequest,
  ) {}

  get state(): CallState {
    return this.current;
  }

  /** A call the model asked for: the policy decides, or a person does; an approved call runs. Never throws for a tool's failure. */
  async run(policy: Policy, options: { headless: boolean; signal: AbortSignal }): Promise<TerminalState> {
    const { session, server, tool } = this.request;
    this.headless = options.headless;
    const changed = await this.deps.pins.changeOf(session.id, server, tool);
    this.approvedChange = changed?.hash;
    const verdict = await this.consultPolicy(policy, changed);
    const approved = await this.decide(verdict, options, changed);
    return approved ? this.execute(approved, options.signal) : this.ended();
  }

  /** A call a user makes directly: theirs to decide, so it runs at once; `alsoRecord` is written with its outcome. */
  runDirect(alsoRecord?: (end: TerminalState) => Promise<unknown>): Promise<TerminalState> {
    const decision: CallDecision = { decision: 'approve', scope: 'once', by: { kind: 'user', name: this.request.user } };
    return this.execute(decision, undefined, alsoRecord);
  }

  private async consultPolicy(policy: Policy, changed: Changed | undefined): Promise<Verdict> {
    const { session, callId, server, tool, args, annotations, user } = this.request;
    const stored = (await this.deps.store.sessionRules(session.id)) as PolicyRule[];
    // A changed tool's "always" approvals are suspended: they approved what it was, not what it is now.
    const rules = changed ? stored.filter((r) => r.decision !== 'allow') : stored;
    const evaluated = evaluatePolicy(policy, { server, tool, args, annotations }, rules);
    // A deny still denies; anything else asks a person, whatever the policy allows.
    const verdict: Verdict =
      changed && evaluated.decision !== 'deny'
        ? { ...evaluated, decision: 'ask', reason: `${CHANGED(changed.fields)} (the policy alone: ${evaluated.reason})` }
        : evaluated;
    await this.deps.store.audit({
      ts: Date.now(),
      sessionId: session.id,
      user,
      kind: 'policy',
      callId,
      server,
      tool,
      decision: verdict.decision,
      source: verdict.source,
      reason: verdict.reason,
    });
    this.move({ status: 'decided', verdict });
    return verdict;
  }

  /** The decision that lets the call run, or undefined when it ended here (denied, expired, cancelled). */
  private async decide(
    verdict: Verdict,
    options: { headless: boolean; signal: AbortSignal },
    changed: Changed | undefined,
  ): Promise<CallDecision | undefined> {
    const by = { kind: 'policy', rule: verdict.reason } as const;
    switch (verdict.decision) {
      case 'allow':
        return this.decidedWithoutAsking({ decision: 'approve', scope: 'once', by });
      case 'deny':
        return this.decidedWithoutAsking({ decision: 'deny', scope: 'once', by, reason: verdict.message ?? verdict.reason });
      case 'ask':
        if (options.headless) {
          const reason = changed ? `${CHANGED(changed.fields)}; ${HEADLESS}` : HEADLESS;
          return this.decidedWithoutAsking({ decision: 'deny', scope: 'once', by: { kind: 'headless' }, reason });
        }
        return this.askHuman(verdict, options.signal, changed);
      default:
        return assertNever(verdict.decision);
    }
  }

  private async decidedWithoutAsking(decision: CallDecision): Promise<CallDecision | undefined> {
    const { session, callId, server, tool } = this.request;
    await this.deps.events.emit(session.id, 'tool:decided', {
      callId,
      server,
      tool,
      decision: decision.decision,
      by: decision.by,
      ...(decision.reason ? { reason: decision.reason } : {}),
    });
    if (decision.decision === 'approve') return decision;
    this.move({ status: 'denied', decision });
    return undefined;
  }

  private async askHuman(verdict: Verdict, signal: AbortSignal, changed: Changed | undefined): Promise<CallDecision | undefined> {
    const { session, user, callId, server, tool, args, annotations } = this.request;
    let asked;
    try {
      asked = await this.deps.questions.ask(
        user,
        session.id,
        { kind: 'call', callId, server, tool },
        {
          kind: 'tool_approval',
          args,
          annotations,
          decisionReason: verdict.reason,
          ...(changed ? { changed: { fields: changed.fields, diff: changed.diff } } : {}),
        },
        signal,
      );
    } catch (err) {
      // Over the user's pending-question limit: the call is denied with the reason, never queued.
      if (!(err instanceof McpgwError) || err.code !== 'capacity') throw err;
      return this.decidedWithoutAsking({
        decision: 'deny',
        scope: 'once',
        by: { kind: 'policy', rule: 'user limit' },
        reason: err.message,
      });
    }
    this.move({ status: 'awaiting_human', verdict, questionId: asked.questionId, expiresAt: asked.expiresAt });
    const { answer, by, how } = await asked.answered;
    if (answer.kind !== 'tool_approval') throw new McpgwError('internal', `a tool approval was answered with ${answer.kind}`);
    await this.deps.store.audit({
      ts: Date.now(),
      sessionId: session.id,
      user: by.kind === 'user' ? by.name : user,
      kind: 'approval',
      callId,
      server,
      tool,
      decision: answer.decision,
      scope: answer.scope,
      by: by.kind,
      ...(answer.reason ? { reason: answer.reason } : {}),
    });
    const decision: CallDecision = {
      decision: answer.decision,
      scope: answer.scope,
      by,
      questionId: asked.questionId,
      ...(answer.reason ? { reason: answer.reason } : {}),
    };
    switch (how) {
      case 'expired':
      case 'restarted':
        this.move({ status: 'expired', decision });
        return undefined;
      case 'cancelled':
        this.move({ status: 'cancelled', reason: answer.reason ?? 'the turn was cancelled' });
        return undefined;
      case 'answered':
        if (answer.decision === 'deny') {
          this.move({ status: 'denied', decision });
          return undefined;
        }
        // Approving a changed tool accepts what it is now: that definition becomes the pin.
        if (changed) await this.deps.pins.accept(session.id, server, tool, changed.hash);
        if (answer.scope === 'session') await this.deps.store.addSessionRule(session.id, sessionRuleFor(server, tool));
        return decision;
      default:
        return assertNever(how);
    }
  }

  /** Runs the call in its sandbox: `tool:started` (coalesced), output, `tool:result` and the audit entry. */
  private async execute(
    decision: CallDecision,
    signal: AbortSignal | undefined,
    alsoRecord?: (end: TerminalState) => Promise<unknown>,
  ): Promise<TerminalState> {
    const { session, callId, server, tool, args, origin } = this.request;
    const { events, output } = this.deps;
    this.move({ status: 'running', decision, startedAt: Date.now() });
    const announce = new StartAnnouncer(() => events.emit(session.id, 'tool:started', { callId, server, tool, args, origin }));
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let outcome: Outcome;
    try {
      const sandbox = await this.deps.sandboxes.sandbox(session, server, signal);
      if (origin === 'agent') await this.checkUnchanged();
      const done = output.track(session.id, server, callId, announce);
      // A server's question to a person during the call stops the call's timeout while it waits (elicitation).
      let hold: (() => () => void) | undefined;
      const leave = this.deps.running?.enter(session.id, server, {
        callId,
        headless: this.headless,
        ...(signal ? { signal } : {}),
        hold: () => hold?.() ?? (() => undefined),
      });
      try {
        const result = await sandbox.callTool(tool, args, {
          ...(signal ? { signal } : {}),
          onHold: (h) => (hold = h),
          onProgress: (p) => {
            const of = p.total === undefined ? '' : `/${p.total}`;
            void announce.now();
            events.post(session.id, 'tool:output', {
              callId,
              server,
              stream: 'progress',
              text: `${p.progress}${of}${p.message ? ` ${p.message}` : ''}`,
            });
          },
        });
        outcome = { ok: true, result, text: renderToolResult(result), durationMs: elapsed() };
      } finally {
        leave?.();
        done();
      }
    } catch (err) {
      const error = err instanceof McpgwError ? err : new McpgwError('tool_failed', errorMessage(err), { cause: err });
      outcome = { ok: false, error, durationMs: elapsed() };
    }
    outcome = withNotes(outcome, this.deps.notes?.take(session.id, callId) ?? []);
    const end = this.move(
      outcome.ok
        ? { status: 'succeeded', decision, result: outcome.result, text: outcome.text, durationMs: outcome.durationMs }
        : outcome.error.code === 'cancelled'
          ? { status: 'cancelled', reason: outcome.error.message }
          : { status: 'failed', decision, error: outcome.error, durationMs: outcome.durationMs },
    ) as TerminalState;
    await Promise.all([announce.now(), this.report(outcome), alsoRecord?.(end)]);
    return end;
  }

  /**
   * A sandbox that starts for this call lists its tools again; if that shows the tool changed after the call was
   * decided, the decision was about another tool: it does not run, and the next call of it asks a person.
   */
  private async checkUnchanged(): Promise<void> {
    const { session, server, tool } = this.request;
    const now = await this.deps.pins.changeOf(session.id, server, tool);
    if (now && now.hash !== this.approvedChange)
      throw new McpgwError(
        'conflict',
        `not run: the server changed this tool (${now.fields.join(', ')}) as its sandbox started, after the call was approved; a new call of it asks a person`,
      );
  }

  private async report(outcome: Outcome): Promise<void> {
    const { session, callId, server, tool, origin, user } = this.request;
    const rich = outcome.ok ? richResult(outcome.result) : undefined;
    const items = rich ? holdUncarried(rich, this.deps.media, session.id, callId) : [];
    const result = this.deps.events.emit(session.id, 'tool:result', {
      callId,
      server,
      tool,
      ok: outcome.ok && !outcome.result.isError,
      summary: outcome.ok ? truncateMiddle(outcome.text, SUMMARY_CHARS).text : outcome.error.message,
      ...(outcome.ok ? {} : { error: { code: outcome.error.code, message: outcome.error.message } }),
      durationMs: outcome.durationMs,
      ...(items.length > 0 ? { items } : {}),
      ...(rich && rich.moreItems > 0 ? { moreItems: rich.moreItems } : {}),
      ...(rich?.structured === undefined ? {} : { structured: rich.structured }),
    });
    const audit = this.deps.store.audit({
      ts: Date.now(),
      sessionId: session.id,
      user,
      kind: 'tool',
      callId,
      origin,
      server,
      tool,
      outcome: outcome.ok ? (outcome.result.isError ? 'tool_error' : 'ok') : outcome.error.code,
      durationMs: outcome.durationMs,
    });
    await Promise.all([result, audit]);
  }

  private move(next: CallState): CallState {
    if (!canMove(this.current.status, next.status)) {
      throw new McpgwError('internal', `tool call ${this.request.callId} cannot go from ${this.current.status} to ${next.status}`);
    }
    this.current = next;
    return next;
  }

  private ended(): TerminalState {
    if (!isTerminal(this.current))
      throw new McpgwError('internal', `tool call ${this.request.callId} stopped while ${this.current.status}`);
    return this.current;
  }
}

/** The call's outcome with mcpd's notes appended to what the model reads (the tool's own text comes first). */
function withNotes(outcome: Outcome, notes: string[]): Outcome {
  if (notes.length === 0) return outcome;
  const tail = notes.map((n) => `[mcpgw: ${n}]`).join('\n');
  if (!outcome.ok)
    return { ...outcome, error: new McpgwError(outcome.error.code, `${outcome.error.message}\n${tail}`, { cause: outcome.error }) };
  return { ...outcome, text: `${outcome.text}\n${tail}` };
}

export interface ToolCallsOptions extends ToolCallDeps {
  store: ToolCallDeps['store'] & Pick<HistoryStore, 'pushNote'>;
}

/** Where tool calls start: the model's calls (in a turn) and the ones a user makes directly. */
export class ToolCalls {
  constructor(private readonly deps: ToolCallsOptions) {}

  /** One call the model asked for, decided by the session's policy (or a person); resolves with how it ended. */
  agentCall(
    request: Omit<CallRequest, 'origin'>,
    policy: Policy,
    options: { headless: boolean; signal: AbortSignal },
  ): Promise<TerminalState> {
    return new ToolCall(this.deps, { ...request, origin: 'agent' }).run(policy, options);
  }

  /** A call the user makes directly: it runs, and the model is told about it on its next turn. Failures are thrown. */
  async callDirect(user: string, rec: SessionRecord, server: string, tool: string, args: Record<string, unknown>): Promise<ToolCallResult> {
    const callId = newId('c');
    const note = async (end: TerminalState): Promise<void> => {
      if (end.status !== 'succeeded') return;
      const text = truncateMiddle(end.text, NOTE_CHARS).text;
      const what = end.result.isError ? 'It reported an error' : 'Result';
      await this.deps.store.pushNote(
        rec.id,
        `[The user ran the tool ${server}/${tool} directly with arguments ${JSON.stringify(args)}. ${what}:\n${text}]`,
      );
    };
    const call = new ToolCall(this.deps, { session: rec, callId, server, tool, args, origin: 'user', user, annotations: {} });
    const end = await call.runDirect(note);
    switch (end.status) {
      case 'succeeded':
        return {
          callId,
          ok: !end.result.isError,
          isError: Boolean(end.result.isError),
          text: end.text,
          ...(end.result.structuredContent === undefined ? {} : { structuredContent: end.result.structuredContent }),
          durationMs: end.durationMs,
        };
      case 'failed':
        throw end.error;
      case 'cancelled':
        throw new McpgwError('cancelled', end.reason);
      default:
        throw new McpgwError('internal', `a direct call ended ${end.status}`);
    }
  }
}
