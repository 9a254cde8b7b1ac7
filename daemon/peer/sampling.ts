import type { CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { McpgwError, errorMessage } from '../../src/errors.js';
import { evaluateSampling, type Policy, type SamplingVerdict } from '../../src/policy/index.js';
import type { Decider } from '../../src/protocol/events.js';
import type { SamplingAsk, SamplingResultView } from '../../src/protocol/sampling.js';
import { describeDecider } from '../../src/view/format.js';
import type { ModelClient, ModelUsage } from '../agent/model/index.js';
import type { RunningCallsView } from '../calls/running.js';
import type { QuestionAsker } from '../questions/service.js';
import type { PeerContext } from '../sandbox/peer.js';
import { POOL_SESSION } from '../sandbox/runtime.js';
import type { EventSink } from '../sessions/event-log.js';
import { notice } from '../sessions/notices.js';
import type { AuditLog, SamplingUsage, SessionRecord, SessionRecords } from '../store/ports.js';
import type { PeerBounds } from './bounds.js';
import {
  refuseUnsupported,
  resultText,
  stopReasonOf,
  toGeminiContents,
  toResult,
  viewRequest,
  type SamplingParams,
} from './sampling-map.js';

/** What sampling needs: the session (its owner, model and policy), the budget count, people, the model, the log. */
export interface SamplingDeps {
  store: Pick<SessionRecords, 'getSession'> & SamplingUsage & AuditLog;
  questions: QuestionAsker;
  model: ModelClient;
  events: EventSink;
  bounds: PeerBounds;
  /** Whether the session's running turn is headless (nobody to ask), and its signal (a cancelled turn stops sampling). */
  turns: { isHeadless(sessionId: string): boolean; signalOf(sessionId: string): AbortSignal | undefined };
  /** The tool calls running now: the server's calls do not time out while a person reads its request (elicitation.ts does the same). */
  running?: RunningCallsView;
}

/** The MCP error a server gets when a person (or the policy, or silence) declines: the spec's "user rejected". */
const USER_REJECTED = -1;
const HEADLESS = 'sampling needs a person and this run is headless (a policy sampling rule may allow it within a token budget)';

/** Declines a request: the server sees an MCP error saying why, never a question left hanging. */
export function declined(reason: string): McpError {
  return new McpError(USER_REJECTED, `the user declined this sampling request: ${reason}`);
}

interface Request {
  rec: SessionRecord;
  server: string;
  params: SamplingParams;
  signal: AbortSignal;
}

/**
 * `sampling/createMessage` with a human in the loop: a server asks the session's model to write something. A
 * policy sampling rule may allow it within a token budget (counted in Redis per session and server); otherwise a
 * person sees the request before it reaches Gemini and the answer before it reaches the server, and silence
 * declines. The model gets the server's messages only: no tools, no conversation, no context of any kind.
 */
export class Sampler {
  constructor(private readonly deps: SamplingDeps) {}

  /** Answers one request, or throws the McpError the server is sent. */
  async sample(ctx: PeerContext, params: SamplingParams): Promise<CreateMessageResult> {
    // A pooled sandbox has no session yet: nobody could be asked and no budget applies.
    if (ctx.sessionId === POOL_SESSION) throw declined('the sandbox belongs to no session yet');
    const release = this.deps.bounds.admit({ sessionId: ctx.sessionId, server: ctx.server }, 'sampling/createMessage', params);
    try {
      refuseUnsupported(params);
      const rec = await this.deps.store.getSession(ctx.sessionId);
      if (!rec || rec.status === 'ended') throw declined('the session has ended');
      const turn = this.deps.turns.signalOf(rec.id);
      const signal = turn ? AbortSignal.any([ctx.signal, turn]) : ctx.signal;
      return await this.run({ rec, server: ctx.server, params, signal });
    } finally {
      release();
    }
  }

  private async run(req: Request): Promise<CreateMessageResult> {
    const { rec, server, params } = req;
    const policy = JSON.parse(rec.policy) as Policy;
    const used = await this.deps.store.samplingTokens(rec.id, server);
    const verdict = evaluateSampling(policy.sampling, { server, usedTokens: used, maxTokens: params.maxTokens });
    const budget = { used, ...(verdict.budget !== undefined ? { max: verdict.budget } : {}) };
    const ask: Omit<SamplingAsk, 'phase'> = {
      kind: 'sampling',
      request: viewRequest(params),
      model: rec.model,
      decisionReason: verdict.reason,
      budget,
    };
    const human = await this.decideRequest(req, verdict, ask);
    const answer = await this.generate(req);
    const total = await this.deps.store.addSamplingTokens(rec.id, server, answer.tokens);
    await this.audit(req, { step: 'model', tokens: answer.tokens, used: total, model: answer.model, stopReason: answer.stopReason });
    if (human) {
      const { decision, by, reason } = await this.askPerson(req, {
        ...ask,
        phase: 'result',
        result: answer,
        budget: { ...budget, used: total },
      });
      await this.audit(req, { step: 'result', decision, by: describeDecider(by), ...(reason ? { reason } : {}) }, by);
      if (decision === 'deny') {
        await this.tell(
          req,
          `sampling: the model's answer (${answer.tokens} tokens) was not returned to ${server}: ${reason ?? 'declined'}`,
        );
        throw declined(reason ?? 'the answer was not approved');
      }
    }
    const spent = verdict.budget !== undefined ? `${total} of ${verdict.budget}` : `${total}`;
    await this.tell(
      req,
      `sampling: ${answer.model} wrote ${answer.tokens} tokens for ${server} (${spent} sampling tokens used in this session)`,
    );
    return toResult(answer.text, answer.model, answer.stopReason);
  }

  /** The first checkpoint: the policy decides, or a person does. True when a person approved (they see the answer too). */
  private async decideRequest(req: Request, verdict: SamplingVerdict, ask: Omit<SamplingAsk, 'phase'>): Promise<boolean> {
    const { rec, server } = req;
    const decideBy = async (decision: 'allow' | 'deny', by: string, reason: string): Promise<void> => {
      await this.audit(req, { step: 'request', decision, by, reason });
      if (decision === 'deny') {
        await this.tell(req, `sampling: ${server} asked the model to write; declined: ${reason}`);
        throw declined(reason);
      }
      await this.tell(req, `sampling: ${server} asks the model to write; ${reason}`);
    };
    switch (verdict.decision) {
      case 'allow':
        await decideBy('allow', `policy: ${verdict.reason}`, verdict.reason);
        return false;
      case 'deny':
        await decideBy('deny', `policy: ${verdict.reason}`, verdict.message ?? verdict.reason);
        return false;
      case 'ask': {
        if (this.deps.turns.isHeadless(rec.id)) await decideBy('deny', 'headless', `${verdict.reason}; ${HEADLESS}`);
        const { decision, by, reason } = await this.askPerson(req, { ...ask, phase: 'request' });
        await this.audit(req, { step: 'request', decision, by: describeDecider(by), ...(reason ? { reason } : {}) }, by);
        if (decision === 'deny') {
          await this.tell(req, `sampling: ${server} asked the model to write; declined: ${reason ?? 'declined'}`);
          throw declined(reason ?? 'declined');
        }
        return true;
      }
    }
  }

  /** Asks the session's owner; an answer of `deny` (or silence, or being over the question limit) declines. */
  private async askPerson(req: Request, ask: SamplingAsk): Promise<{ decision: 'approve' | 'deny'; by: Decider; reason?: string }> {
    const { rec, server, signal } = req;
    // While a person reads (either checkpoint), the server's running calls wait for them, not for a quiet server:
    // their per-call timeout stops; their total limit still holds.
    const holds = (this.deps.running?.of(rec.id, server) ?? []).map((c) => c.hold());
    let answered;
    try {
      const asked = await this.deps.questions.ask(rec.owner, rec.id, { kind: 'server', server }, ask, signal);
      answered = await asked.answered;
    } catch (err) {
      if (err instanceof McpgwError && err.code === 'capacity')
        return { decision: 'deny', by: { kind: 'policy', rule: 'user limit' }, reason: err.message };
      throw err;
    } finally {
      for (const release of holds) release();
    }
    const { answer, by } = answered;
    if (answer.kind !== 'sampling') throw new McpgwError('internal', `a sampling question was answered with ${answer.kind}`);
    return { decision: answer.decision, by, ...(answer.reason ? { reason: answer.reason } : {}) };
  }

  /** The session's model, with the server's messages only and no tools. */
  private async generate(req: Request): Promise<SamplingResultView> {
    const { rec, params, signal } = req;
    let text = '';
    let done: { finishReason?: string; usage?: ModelUsage; modelVersion?: string } | undefined;
    try {
      for await (const event of this.deps.model.stream({
        model: rec.model,
        ...(params.systemPrompt ? { systemInstruction: params.systemPrompt } : {}),
        contents: toGeminiContents(params),
        functionDeclarations: [],
        generation: {
          maxOutputTokens: params.maxTokens,
          ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
          ...(params.stopSequences?.length ? { stopSequences: params.stopSequences } : {}),
        },
        signal,
      })) {
        if (event.type === 'text') text += event.text;
        else if (event.type === 'done') done = event;
      }
    } catch (err) {
      await this.audit(req, { step: 'model', error: errorMessage(err) });
      throw new McpError(ErrorCode.InternalError, `the model could not answer this sampling request: ${errorMessage(err)}`);
    }
    const shown = resultText(text);
    // Without usage figures, a budget still counts something: about four characters a token, prompt and answer.
    const tokens = done?.usage?.totalTokens || Math.ceil((JSON.stringify(params.messages).length + text.length) / 4);
    return {
      text: shown.text,
      model: done?.modelVersion ?? rec.model,
      stopReason: stopReasonOf(done?.finishReason),
      tokens,
      ...(shown.truncated ? { truncated: true } : {}),
    };
  }

  /** An audit entry of kind `sampling`; a person's decision is theirs (`user`), anything else the session owner's. */
  private audit(req: Request, fields: Record<string, unknown>, by?: Decider): Promise<void> {
    return this.deps.store.audit({
      ts: Date.now(),
      sessionId: req.rec.id,
      user: by?.kind === 'user' ? by.name : req.rec.owner,
      kind: 'sampling',
      server: req.server,
      ...fields,
    });
  }

  private async tell(req: Request, text: string): Promise<void> {
    await notice(this.deps.events, req.rec.id, req.server, text).catch(() => undefined);
  }
}
