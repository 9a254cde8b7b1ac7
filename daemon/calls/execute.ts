import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { McpgwError, errorMessage } from '../../src/errors.js';
import { renderToolResult } from '../../src/text/tool-result.js';
import { truncateMiddle } from '../../src/text/truncate.js';
import { richResult } from '../../src/tools/rich-result.js';
import { holdUncarried } from './media-cache.js';
import { StartAnnouncer } from './output.js';
import type { CallDecision, TerminalState } from './state.js';
import type { CallSteps } from './tool-call.js';

// A call's second half: an approved call runs in its sandbox and ends in one terminal state, reported once as
// `tool:result` and audited once as "tool". The first half (the decision) is decide.ts; ToolCall (tool-call.ts)
// owns the state both move.

/** What a run needs beyond the decision: how it is cancelled, who may answer, and what was approved. */
export interface RunOptions {
  signal: AbortSignal | undefined;
  /** The call belongs to a headless run: a server's question during it has no person to answer. */
  headless: boolean;
  /** The changed definition a person approved (its hash), or undefined when the tool was as pinned. */
  approvedChange: string | undefined;
  /** Written with the call's outcome (a direct call's note to the model). */
  alsoRecord?: (end: TerminalState) => Promise<unknown>;
}

/** What the sandbox gave back, before it becomes a state: reported as `tool:result` and audited as one outcome. */
type Outcome =
  { ok: true; result: CallToolResult; text: string; durationMs: number } | { ok: false; error: McpgwError; durationMs: number };

const SUMMARY_CHARS = 2000;

/** Runs the call in its sandbox: `tool:started` (coalesced), output, `tool:result` and the audit entry. */
export async function executeCall(call: CallSteps, decision: CallDecision, run: RunOptions): Promise<TerminalState> {
  const { signal, alsoRecord } = run;
  const { session, callId, server, tool, args, origin } = call.request;
  const { events, output } = call.deps;
  call.move({ status: 'running', decision, startedAt: Date.now() });
  const announce = new StartAnnouncer(() => events.emit(session.id, 'tool:started', { callId, server, tool, args, origin }));
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  let outcome: Outcome;
  try {
    const sandbox = await call.deps.sandboxes.sandbox(session, server, signal);
    if (origin === 'agent') await checkUnchanged(call, run.approvedChange);
    const done = output.track(session.id, server, callId, announce);
    // A server's question to a person during the call stops the call's timeout while it waits (elicitation).
    let hold: (() => () => void) | undefined;
    const leave = call.deps.running?.enter(session.id, server, {
      callId,
      headless: run.headless,
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
  outcome = withNotes(outcome, call.deps.notes?.take(session.id, callId) ?? []);
  const end = call.move(
    outcome.ok
      ? { status: 'succeeded', decision, result: outcome.result, text: outcome.text, durationMs: outcome.durationMs }
      : outcome.error.code === 'cancelled'
        ? { status: 'cancelled', reason: outcome.error.message }
        : { status: 'failed', decision, error: outcome.error, durationMs: outcome.durationMs },
  ) as TerminalState;
  await Promise.all([announce.now(), report(call, outcome), alsoRecord?.(end)]);
  return end;
}

/**
 * A sandbox that starts for this call lists its tools again; if that shows the tool changed after the call was
 * decided, the decision was about another tool: it does not run, and the next call of it asks a person.
 */
async function checkUnchanged(call: CallSteps, approvedChange: string | undefined): Promise<void> {
  const { session, server, tool } = call.request;
  const now = await call.deps.pins.changeOf(session.id, server, tool);
  if (now && now.hash !== approvedChange)
    throw new McpgwError(
      'conflict',
      `not run: the server changed this tool (${now.fields.join(', ')}) as its sandbox started, after the call was approved; a new call of it asks a person`,
    );
}

async function report(call: CallSteps, outcome: Outcome): Promise<void> {
  const { session, callId, server, tool, origin, user } = call.request;
  const rich = outcome.ok ? richResult(outcome.result) : undefined;
  const items = rich ? holdUncarried(rich, call.deps.media, session.id, callId) : [];
  const result = call.deps.events.emit(session.id, 'tool:result', {
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
  const audit = call.deps.store.audit({
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

/** The call's outcome with mcpd's notes appended to what the model reads (the tool's own text comes first). */
function withNotes(outcome: Outcome, notes: string[]): Outcome {
  if (notes.length === 0) return outcome;
  const tail = notes.map((n) => `[mcpgw: ${n}]`).join('\n');
  if (!outcome.ok)
    return { ...outcome, error: new McpgwError(outcome.error.code, `${outcome.error.message}\n${tail}`, { cause: outcome.error }) };
  return { ...outcome, text: `${outcome.text}\n${tail}` };
}
