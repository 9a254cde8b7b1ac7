import { ErrorCode, McpError, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { McpgwError, errorMessage } from '../../src/errors.js';
import type { ElicitationAsk, ServerSubject } from '../../src/protocol/index.js';
import { safeLine } from '../../src/text/sanitize.js';
import type { RunningCallsView } from '../calls/running.js';
import type { QuestionAsker } from '../questions/service.js';
import type { PeerContext, SandboxPeer } from '../sandbox/peer.js';
import type { AuditEntry } from '../store/ports.js';
import type { PeerBounds } from './bounds.js';
import { elicitationAsk } from './elicitation-form.js';

/** What answering a server's elicitation needs: narrow ports, each filled in by services.ts. */
export interface ElicitationDeps {
  bounds: PeerBounds;
  /** The question service (built after the sandboxes that call this, hence a getter). */
  questions: () => QuestionAsker;
  /** The session's owner: whose clients are asked. */
  ownerOf: (sessionId: string) => Promise<string | undefined>;
  running: RunningCallsView;
  audit: (entry: AuditEntry) => Promise<void>;
  /** Tells the session something (a headless run's decline), as a notice under the server's name. */
  notice: (sessionId: string, server: string, text: string) => Promise<unknown>;
}

const HEADLESS_HINT = 'the run is headless, so mcpgw declined (use --wait-for-approval to answer it)';

/**
 * A sandboxed server's `elicitation/create`, answered by a person: bounded (one open per server and session, a rate,
 * a size cap), its form checked and turned into a question for the session's humans, and their answer (checked
 * against the form when the question took it) sent back. A headless run declines; silence is a cancel.
 */
export function elicitation(
  deps: ElicitationDeps,
  accepted = new AcceptedUrls(),
): (ctx: PeerContext, params: ElicitRequest['params']) => Promise<ElicitResult> {
  return async (ctx, params) => {
    const release = deps.bounds.admit(ctx, 'elicitation/create', params);
    try {
      const ask = elicitationAsk(params);
      const owner = await deps.ownerOf(ctx.sessionId);
      if (owner === undefined) throw new McpError(ErrorCode.InvalidRequest, 'mcpgw refused the elicitation: the session is gone');
      const running = deps.running.of(ctx.sessionId, ctx.server);
      const callId = running.length === 1 ? running[0]?.callId : undefined;
      const subject: ServerSubject = { kind: 'server', server: ctx.server, ...(callId === undefined ? {} : { callId }) };
      const record = (action: ElicitResult['action'], by: string, user = owner, extra: Record<string, unknown> = {}): Promise<void> =>
        deps.audit({
          ts: Date.now(),
          sessionId: ctx.sessionId,
          user,
          kind: 'elicitation',
          ...auditFields(subject, ask),
          action,
          by,
          ...extra,
        });

      if (running.some((c) => c.headless)) {
        await Promise.all([
          record('decline', 'headless'),
          deps.notice(ctx.sessionId, ctx.server, `${safeLine(ctx.server)} asked for input; ${HEADLESS_HINT}`),
        ]);
        return { action: 'decline' };
      }
      // The question closes (as a cancel) when the server cancels, the sandbox goes, or the call it serves is cancelled.
      const signal = AbortSignal.any([ctx.signal, ...running.flatMap((c) => (c.signal ? [c.signal] : []))]);
      // While a person answers, the calls it serves do not time out (their total limit still holds).
      const holds = running.map((c) => c.hold());
      let answered;
      try {
        const asked = await askOrRefuse(deps.questions(), owner, ctx.sessionId, subject, ask, signal);
        answered = await asked.answered;
      } finally {
        for (const release of holds) release();
      }
      const { answer, by } = answered;
      if (answer.kind !== 'elicitation') throw new McpgwError('internal', `an elicitation was answered with ${answer.kind}`);
      const who = by.kind === 'user' ? by.name : owner;
      await record(answer.action, by.kind, who, answer.content ? { answered: Object.keys(answer.content) } : {});
      if (ask.mode === 'url' && answer.action === 'accept') accepted.add(ctx, ask.elicitationId);
      return answer.action === 'accept' && answer.content ? { action: 'accept', content: answer.content } : { action: answer.action };
    } finally {
      release();
    }
  };
}

/**
 * Elicitation as the peer offers it: the request, and the server's word that a URL flow a person accepted has
 * finished (shown once, and only for an id the person accepted, so the notification cannot be used to flood).
 */
export function elicitationPeer(deps: ElicitationDeps): Required<Pick<SandboxPeer, 'elicit' | 'elicitationComplete'>> {
  const accepted = new AcceptedUrls();
  return {
    elicit: elicitation(deps, accepted),
    elicitationComplete: (ctx, elicitationId) => {
      if (!accepted.take(ctx, elicitationId)) return;
      void deps
        .notice(ctx.sessionId, ctx.server, `${safeLine(ctx.server)} says the link flow you opened is complete`)
        .catch(() => undefined);
    },
  };
}

const MAX_ACCEPTED = 16;

/** The URL elicitations people accepted, per (session, server), newest last, a few at most. */
export class AcceptedUrls {
  private readonly ids = new Map<string, string[]>();

  /** Remembers an accepted URL elicitation. */
  add(who: { sessionId: string; server: string }, elicitationId: string): void {
    const key = `${who.sessionId}\u0000${who.server}`;
    const ids = [...(this.ids.get(key) ?? []).filter((id) => id !== elicitationId), elicitationId].slice(-MAX_ACCEPTED);
    this.ids.set(key, ids);
  }

  /** True (once) when this server's URL elicitation was accepted here. */
  take(who: { sessionId: string; server: string }, elicitationId: string): boolean {
    const key = `${who.sessionId}\u0000${who.server}`;
    const ids = this.ids.get(key) ?? [];
    if (!ids.includes(elicitationId)) return false;
    const left = ids.filter((id) => id !== elicitationId);
    if (left.length > 0) this.ids.set(key, left);
    else this.ids.delete(key);
    return true;
  }
}

async function askOrRefuse(
  questions: QuestionAsker,
  owner: string,
  sessionId: string,
  subject: ServerSubject,
  ask: ElicitationAsk,
  signal: AbortSignal,
): ReturnType<QuestionAsker['ask']> {
  try {
    return await questions.ask(owner, sessionId, subject, ask, signal);
  } catch (err) {
    // Over the user's open-question quota: the server is told no, the person is not asked.
    if (err instanceof McpgwError && err.code === 'capacity') throw new McpError(ErrorCode.InvalidRequest, `mcpgw refused: ${err.message}`);
    throw new McpError(ErrorCode.InternalError, `mcpgw could not ask: ${errorMessage(err)}`);
  }
}

/** What the audit keeps of an elicitation: who asked, for what call, which mode and fields; never the values. */
function auditFields(subject: ServerSubject, ask: ElicitationAsk): Record<string, unknown> {
  return {
    server: subject.server,
    ...(subject.callId === undefined ? {} : { callId: subject.callId }),
    mode: ask.mode,
    ...(ask.mode === 'url' ? { host: ask.url.host } : { fields: ask.fields.map((f) => f.name) }),
  };
}
