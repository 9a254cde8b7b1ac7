import { McpgwError } from '../../src/errors.js';
import type { Policy } from '../../src/policy/index.js';
import type { ToolCallResult } from '../../src/protocol/session.js';
import { truncateMiddle } from '../../src/text/truncate.js';
import type { PinGate } from '../pins/service.js';
import type { QuestionAsker } from '../questions/service.js';
import type { EventSink } from '../sessions/event-log.js';
import { newId } from '../sessions/ids.js';
import type { AuditLog, HistoryStore, RuleStore, SessionRecord } from '../store/ports.js';
import { decideCall } from './decide.js';
import { executeCall } from './execute.js';
import type { MediaCache } from './media-cache.js';
import type { CallOutput } from './output.js';
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

const NOTE_CHARS = 4000;

/** What the phases of a call (decide.ts, execute.ts) see of it: what it is, its ports, and the one way to move it. */
export interface CallSteps {
  readonly request: CallRequest;
  readonly deps: ToolCallDeps;
  move(next: CallState): CallState;
}

/**
 * One tool call, from proposal to its end, as a state machine (state.ts). It is the one owner of everything about
 * a call: the policy's verdict, the question to a human, the run in the sandbox, the audit entries (policy,
 * approval, tool) and the call's events (`tool:decided`, `tool:started`, `tool:output`, `tool:result`). Lint keeps
 * those events and audit kinds out of every other module. Its two halves are their own modules, deciding (decide.ts)
 * and running (execute.ts); both change the state only through `move` here, so the legal moves are checked in one place.
 */
export class ToolCall {
  private current: CallState = { status: 'proposed' };
  /** The changed definition a person approved (its hash), or undefined when the tool was as pinned. */
  private approvedChange: string | undefined;
  private headless = false;
  /** The phases' view of this call; `move` stays the only way its state changes. */
  private readonly steps: CallSteps;

  constructor(
    private readonly deps: ToolCallDeps,
    readonly request: CallRequest,
  ) {
    this.steps = { request, deps, move: (next) => this.move(next) };
  }

  get state(): CallState {
    return this.current;
  }

  /** A call the model asked for: the policy decides, or a person does; an approved call runs. Never throws for a tool's failure. */
  async run(policy: Policy, options: { headless: boolean; signal: AbortSignal }): Promise<TerminalState> {
    const { session, server, tool } = this.request;
    this.headless = options.headless;
    const changed = await this.deps.pins.changeOf(session.id, server, tool);
    this.approvedChange = changed?.hash;
    const approved = await decideCall(this.steps, policy, changed, options);
    return approved ? this.execute(approved, options.signal) : this.ended();
  }

  /** A call a user makes directly: theirs to decide, so it runs at once; `alsoRecord` is written with its outcome. */
  runDirect(alsoRecord?: (end: TerminalState) => Promise<unknown>): Promise<TerminalState> {
    const decision: CallDecision = { decision: 'approve', scope: 'once', by: { kind: 'user', name: this.request.user } };
    return this.execute(decision, undefined, alsoRecord);
  }

  /** Runs the approved call in its sandbox (execute.ts). */
  private execute(
    decision: CallDecision,
    signal: AbortSignal | undefined,
    alsoRecord?: (end: TerminalState) => Promise<unknown>,
  ): Promise<TerminalState> {
    return executeCall(this.steps, decision, {
      signal,
      headless: this.headless,
      approvedChange: this.approvedChange,
      ...(alsoRecord ? { alsoRecord } : {}),
    });
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
