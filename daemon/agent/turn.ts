import type { Content, Part } from '@google/genai';
import { errorMessage, isMcpgwError } from '../../src/errors.js';
import type { Decider } from '../../src/protocol/events.js';
import { evaluatePolicy, sessionRuleFor, type Policy, type PolicyRule, type Verdict } from '../../src/policy/index.js';
import { safeLine } from '../../src/text/sanitize.js';
import { truncateMiddle } from '../../src/text/truncate.js';
import type { Logger } from '../logger.js';
import type { SessionEventLog } from '../sessions/event-log.js';
import { newId } from '../sessions/ids.js';
import type { ToolRunner } from '../sessions/tool-runner.js';
import type { SessionRecord, Store } from '../store/store.js';
import type { ApprovalBroker } from './approvals.js';
import { closeInterruptedCalls, functionResponsePart } from './history.js';
import type { ModelClient, ModelFunctionCall } from './model/index.js';
import type { SessionToolset, ToolCatalog } from './toolset.js';

export interface TurnSettings {
  maxRounds: number;
  systemInstruction: string;
  /** Tool output longer than this is cut head + tail before the model sees it. */
  toolOutputChars: number;
}

export interface TurnDeps {
  model: ModelClient;
  store: Store;
  events: SessionEventLog;
  tools: ToolRunner;
  catalog: ToolCatalog;
  approvals: ApprovalBroker;
  log: Logger;
  settings: TurnSettings;
}

export interface Turn {
  rec: SessionRecord;
  user: string;
  turnId: string;
  text: string;
  headless: boolean;
  signal: AbortSignal;
}

/**
 * One turn of the agent loop (DESIGN §8): the user's message, then rounds of streamed model output and tool calls
 * until the model answers without calling a tool. Every function call gets exactly one response with its id, also
 * when it is denied, cancelled, times out or its sandbox crashes, and history is persisted as it grows.
 */
export async function runTurn(deps: TurnDeps, turn: Turn): Promise<string> {
  let answer = '';
  try {
    await rounds(deps, turn, (delta) => (answer += delta));
  } catch (err) {
    if (turn.signal.aborted) answer += answer ? '\n[cancelled]' : '[cancelled]';
    else {
      deps.log.warn('turn failed', { sessionId: turn.rec.id, turnId: turn.turnId, err });
      const error = { code: isMcpgwError(err) ? err.code : 'internal', message: errorMessage(err) };
      await deps.events.emit(turn.rec.id, 'error', error).catch(() => undefined);
    }
  }
  return answer;
}

/** The rounds of a turn; streamed text goes to `onText` as it arrives, so a failure later keeps what was said. */
async function rounds(deps: TurnDeps, turn: Turn, onText: (delta: string) => void): Promise<void> {
  const { store, events, settings } = deps;
  const { rec } = turn;
  const notes = await store.takeNotes(rec.id);
  const history = (await store.readHistory(rec.id)) as Content[];
  // A previous turn that failed between a model turn and its responses must not leave the history invalid.
  const closing = closeInterruptedCalls(history, 'This call was interrupted and did not complete.');
  const userContent: Content = { role: 'user', parts: [...notes.map((text) => ({ text })), { text: turn.text }] };
  const opening = closing ? [closing, userContent] : [userContent];
  history.push(...opening);
  await store.appendHistory(rec.id, opening);
  const policy = JSON.parse(rec.policy) as Policy;
  for (let round = 1; round <= settings.maxRounds; round++) {
    if (!(await oneRound(deps, turn, { round, history, policy, onText }))) return;
  }
  await events.emit(rec.id, 'error', {
    code: 'model_error',
    message: `stopped after ${settings.maxRounds} rounds of tool calls without an answer`,
  });
}

/** One model call and the tool calls it asks for; false when the model answered without calling a tool. */
async function oneRound(
  deps: TurnDeps,
  turn: Turn,
  ctx: { round: number; history: Content[]; policy: Policy; onText: (delta: string) => void },
): Promise<boolean> {
  const { store, events, model, settings } = deps;
  const { rec, turnId, signal } = turn;
  await events.emit(rec.id, 'agent:thinking', { turnId, round: ctx.round });
  const toolset = await deps.catalog.forSession(rec, signal);
  if (ctx.round === 1) await reportUnavailable(deps, rec.id, toolset);
  let done: { content: Content; functionCalls: ModelFunctionCall[] } | undefined;
  const request = {
    model: rec.model,
    systemInstruction: settings.systemInstruction,
    contents: ctx.history,
    functionDeclarations: toolset.declarations,
    signal,
  };
  for await (const event of model.stream(request)) {
    if (event.type === 'text') {
      ctx.onText(event.text);
      await events.emit(rec.id, 'agent:response', { turnId, delta: event.text, done: false });
    } else if (event.type === 'retry') {
      const text = `${event.message}; retrying in ${Math.round(event.delayMs / 100) / 10}s`;
      await events.emit(rec.id, 'tool:output', { server: 'gemini', stream: 'notice', text });
    } else if (event.type === 'done') {
      done = event;
    }
  }
  if (!done) throw new Error('the model stream ended without a final event');
  ctx.history.push(done.content);
  await store.appendHistory(rec.id, [done.content]);
  if (done.functionCalls.length === 0) return false;
  const parts = await Promise.all(
    done.functionCalls.map((call) =>
      handleCall(deps, turn, toolset, ctx.policy, call).catch((err: unknown) => {
        deps.log.error('tool call handling failed', { sessionId: rec.id, callId: call.id, err });
        return functionResponsePart(call, { error: `mcpgw could not run this call: ${errorMessage(err)}` });
      }),
    ),
  );
  const responses: Content = { role: 'user', parts };
  ctx.history.push(responses);
  await store.appendHistory(rec.id, [responses]);
  return true;
}

async function reportUnavailable(deps: TurnDeps, sessionId: string, toolset: SessionToolset): Promise<void> {
  for (const { server, error } of toolset.unavailable) {
    await deps.events.emit(sessionId, 'tool:output', {
      server,
      stream: 'notice',
      text: `tools of "${server}" are unavailable this turn: ${error}`,
    });
  }
  for (const { server, tool, reason } of toolset.compiled.rejected) {
    await deps.events.emit(sessionId, 'tool:output', {
      server,
      stream: 'notice',
      // The name is the server's and may be why it was refused: quoted as one safe line.
      text: `tool "${safeLine(tool)}" is not offered to the model: ${reason}`,
    });
  }
}

/** Policy, approval, execution: always returns the call's one functionResponse part. */
async function handleCall(deps: TurnDeps, turn: Turn, toolset: SessionToolset, policy: Policy, call: ModelFunctionCall): Promise<Part> {
  const ref = toolset.compiled.resolve(call.name);
  if (!ref) return functionResponsePart(call, { error: `There is no tool named "${call.name}".` });
  const { server, tool } = ref;
  const { rec, user } = turn;
  const args = call.args;
  const annotations = toolset.annotations(server, tool);
  const sessionRules = (await deps.store.sessionRules(rec.id)) as PolicyRule[];
  const verdict = evaluatePolicy(policy, { server, tool, args, annotations }, sessionRules);
  await deps.store.audit({
    ts: Date.now(),
    sessionId: rec.id,
    user,
    kind: 'policy',
    callId: call.id,
    server,
    tool,
    decision: verdict.decision,
    source: verdict.source,
    reason: verdict.reason,
  });
  const decision = await decide(deps, turn, verdict, { call, server, tool, args, annotations });
  if (decision.deny) return functionResponsePart(call, { error: decision.deny });
  const outcome = await deps.tools.run(rec, server, tool, args, { callId: call.id, origin: 'agent', user, signal: turn.signal });
  if (!outcome.ok) {
    const message =
      outcome.error.code === 'cancelled' ? 'The user cancelled this call.' : `${outcome.error.code}: ${outcome.error.message}`;
    return functionResponsePart(call, { error: message });
  }
  const { text, truncated } = truncateMiddle(outcome.text, deps.settings.toolOutputChars);
  const output = truncated ? `${text}\n[mcpgw cut this output to ${deps.settings.toolOutputChars} characters]` : text;
  return functionResponsePart(call, outcome.result.isError ? { error: output } : { output });
}

interface PendingCall {
  call: ModelFunctionCall;
  server: string;
  tool: string;
  args: Record<string, unknown>;
  annotations: Record<string, unknown>;
}

async function decide(deps: TurnDeps, turn: Turn, verdict: Verdict, pending: PendingCall): Promise<{ deny?: string }> {
  const { rec, user } = turn;
  const { call, server, tool } = pending;
  const record = async (decision: 'approve' | 'deny', by: Decider, reason?: string): Promise<void> => {
    await deps.events.emit(rec.id, 'tool:approval_resolved', {
      approvalId: newId('a'),
      callId: call.id,
      server,
      tool,
      decision,
      scope: 'once',
      by,
      ...(reason ? { reason } : {}),
    });
  };
  if (verdict.decision === 'allow') {
    await record('approve', { kind: 'policy', rule: verdict.reason });
    return {};
  }
  if (verdict.decision === 'deny') {
    const why = verdict.message ?? verdict.reason;
    await record('deny', { kind: 'policy', rule: verdict.reason }, why);
    return { deny: `Denied by policy: ${why}` };
  }
  if (turn.headless) {
    const why =
      'this call needs a human approval and the run is headless (use --wait-for-approval or an --auto-approve-policy that allows it)';
    await record('deny', { kind: 'headless' }, why);
    return { deny: `Not run: ${why}.` };
  }
  const answer = await deps.approvals.request(
    user,
    {
      sessionId: rec.id,
      callId: call.id,
      turnId: turn.turnId,
      server,
      tool,
      args: pending.args,
      annotations: pending.annotations,
      decisionReason: verdict.reason,
    },
    turn.signal,
  );
  await deps.store.audit({
    ts: Date.now(),
    sessionId: rec.id,
    user: answer.by.kind === 'user' ? answer.by.name : user,
    kind: 'approval',
    callId: call.id,
    server,
    tool,
    decision: answer.decision,
    scope: answer.scope,
    by: answer.by.kind,
    ...(answer.reason ? { reason: answer.reason } : {}),
  });
  if (answer.decision === 'deny') {
    if (turn.signal.aborted) return { deny: 'The user cancelled this call.' };
    return {
      deny:
        answer.by.kind === 'timeout'
          ? 'Not run: nobody approved this call before the approval expired.'
          : `The user denied this call: ${answer.reason}`,
    };
  }
  if (answer.scope === 'session') await deps.store.addSessionRule(rec.id, sessionRuleFor(server, tool));
  return {};
}
