import { assertNever } from '../../src/checks.js';
import { McpgwError } from '../../src/errors.js';
import { evaluatePolicy, sessionRuleFor, type Policy, type PolicyRule, type Verdict } from '../../src/policy/index.js';
import type { PinChange } from '../pins/service.js';
import type { CallDecision } from './state.js';
import type { CallSteps } from './tool-call.js';

// A call's first half: from `proposed` to a decision. The policy's verdict (audited "policy"), then either a
// decision without asking (`tool:decided`) or a question to a person (audited "approval"). The second half, running
// an approved call, is execute.ts; the state machine both move is ToolCall (tool-call.ts).

/** A tool whose definition changed since the session pinned it, with the hash a person's approval would pin. */
export type Changed = PinChange & { hash: string };

const HEADLESS =
  'this call needs a human approval and the run is headless (use --wait-for-approval or an --auto-approve-policy that allows it)';
const CHANGED = (fields: string[]): string =>
  `the server changed this tool (${fields.join(', ')}) since it was approved in this session; a person must approve it again`;

/** The decision that lets the call run, or undefined when it ended here (denied, expired, cancelled). */
export async function decideCall(
  call: CallSteps,
  policy: Policy,
  changed: Changed | undefined,
  options: { headless: boolean; signal: AbortSignal },
): Promise<CallDecision | undefined> {
  const verdict = await consultPolicy(call, policy, changed);
  return decide(call, verdict, options, changed);
}

async function consultPolicy(call: CallSteps, policy: Policy, changed: Changed | undefined): Promise<Verdict> {
  const { session, callId, server, tool, args, annotations, user } = call.request;
  const stored = (await call.deps.store.sessionRules(session.id)) as PolicyRule[];
  // A changed tool's "always" approvals are suspended: they approved what it was, not what it is now.
  const rules = changed ? stored.filter((r) => r.decision !== 'allow') : stored;
  const evaluated = evaluatePolicy(policy, { server, tool, args, annotations }, rules);
  // A deny still denies; anything else asks a person, whatever the policy allows.
  const verdict: Verdict =
    changed && evaluated.decision !== 'deny'
      ? { ...evaluated, decision: 'ask', reason: `${CHANGED(changed.fields)} (the policy alone: ${evaluated.reason})` }
      : evaluated;
  await call.deps.store.audit({
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
  call.move({ status: 'decided', verdict });
  return verdict;
}

async function decide(
  call: CallSteps,
  verdict: Verdict,
  options: { headless: boolean; signal: AbortSignal },
  changed: Changed | undefined,
): Promise<CallDecision | undefined> {
  const by = { kind: 'policy', rule: verdict.reason } as const;
  switch (verdict.decision) {
    case 'allow':
      return decidedWithoutAsking(call, { decision: 'approve', scope: 'once', by });
    case 'deny':
      return decidedWithoutAsking(call, { decision: 'deny', scope: 'once', by, reason: verdict.message ?? verdict.reason });
    case 'ask':
      if (options.headless) {
        const reason = changed ? `${CHANGED(changed.fields)}; ${HEADLESS}` : HEADLESS;
        return decidedWithoutAsking(call, { decision: 'deny', scope: 'once', by: { kind: 'headless' }, reason });
      }
      return askHuman(call, verdict, options.signal, changed);
    default:
      return assertNever(verdict.decision);
  }
}

async function decidedWithoutAsking(call: CallSteps, decision: CallDecision): Promise<CallDecision | undefined> {
  const { session, callId, server, tool } = call.request;
  await call.deps.events.emit(session.id, 'tool:decided', {
    callId,
    server,
    tool,
    decision: decision.decision,
    by: decision.by,
    ...(decision.reason ? { reason: decision.reason } : {}),
  });
  if (decision.decision === 'approve') return decision;
  call.move({ status: 'denied', decision });
  return undefined;
}

async function askHuman(
  call: CallSteps,
  verdict: Verdict,
  signal: AbortSignal,
  changed: Changed | undefined,
): Promise<CallDecision | undefined> {
  const { session, user, callId, server, tool, args, annotations } = call.request;
  let asked;
  try {
    asked = await call.deps.questions.ask(
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
    return decidedWithoutAsking(call, {
      decision: 'deny',
      scope: 'once',
      by: { kind: 'policy', rule: 'user limit' },
      reason: err.message,
    });
  }
  call.move({ status: 'awaiting_human', verdict, questionId: asked.questionId, expiresAt: asked.expiresAt });
  const { answer, by, how } = await asked.answered;
  if (answer.kind !== 'tool_approval') throw new McpgwError('internal', `a tool approval was answered with ${answer.kind}`);
  await call.deps.store.audit({
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
      call.move({ status: 'expired', decision });
      return undefined;
    case 'cancelled':
      call.move({ status: 'cancelled', reason: answer.reason ?? 'the turn was cancelled' });
      return undefined;
    case 'answered':
      if (answer.decision === 'deny') {
        call.move({ status: 'denied', decision });
        return undefined;
      }
      // Approving a changed tool accepts what it is now: that definition becomes the pin.
      if (changed) await call.deps.pins.accept(session.id, server, tool, changed.hash);
      if (answer.scope === 'session') await call.deps.store.addSessionRule(session.id, sessionRuleFor(server, tool));
      return decision;
    default:
      return assertNever(how);
  }
}
