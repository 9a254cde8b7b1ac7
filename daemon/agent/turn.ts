import type { Content, Part } from '@google/genai';
import { errorMessage, isMcpgwError } from '../../src/errors.js';
import type { Policy } from '../../src/policy/index.js';
import { safeLine } from '../../src/text/sanitize.js';
import { replyFor } from '../calls/reply.js';
import type { ToolCalls } from '../calls/tool-call.js';
import type { Logger } from '../logger.js';
import type { EventSink } from '../sessions/event-log.js';
import { notice } from '../sessions/notices.js';
import type { HistoryStore, SessionRecord } from '../store/ports.js';
import { closeInterruptedCalls, functionResponsePart, mediaParts } from './history.js';
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
  store: HistoryStore;
  events: EventSink;
  calls: Pick<ToolCalls, 'agentCall'>;
  catalog: Pick<ToolCatalog, 'forSession'>;
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
 * One turn of the agent loop: the user's message, then rounds of streamed model output and tool calls until the
 * model answers without calling a tool. Each call is a ToolCall (calls/tool-call.ts) that ends in one state, and
 * every function call gets exactly one response with its id; history is persisted as it grows.
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
      await notice(events, rec.id, 'gemini', `${event.message}; retrying in ${Math.round(event.delayMs / 100) / 10}s`);
    } else if (event.type === 'done') {
      done = event;
    }
  }
  if (!done) throw new Error('the model stream ended without a final event');
  ctx.history.push(done.content);
  await store.appendHistory(rec.id, [done.content]);
  if (done.functionCalls.length === 0) return false;
  const answers = await Promise.all(
    done.functionCalls.map((call) =>
      handleCall(deps, turn, toolset, ctx.policy, call).catch((err: unknown): Answer => {
        deps.log.error('tool call handling failed', { sessionId: rec.id, callId: call.id, err });
        return { part: functionResponsePart(call, { error: `mcpgw could not run this call: ${errorMessage(err)}` }), media: [] };
      }),
    ),
  );
  // Every function response first, then the media of each call (see mediaParts for why not inside the responses).
  const responses: Content = { role: 'user', parts: [...answers.map((a) => a.part), ...answers.flatMap((a) => a.media)] };
  ctx.history.push(responses);
  await store.appendHistory(rec.id, [responses]);
  return true;
}

async function reportUnavailable(deps: TurnDeps, sessionId: string, toolset: SessionToolset): Promise<void> {
  for (const { server, error } of toolset.unavailable) {
    await notice(deps.events, sessionId, server, `tools of "${server}" are unavailable this turn: ${error}`);
  }
  for (const { server, tool, reason } of toolset.compiled.rejected) {
    // The name is the server's and may be why it was refused: quoted as one safe line.
    await notice(deps.events, sessionId, server, `tool "${safeLine(tool)}" is not offered to the model: ${reason}`);
  }
}

/** A call's one functionResponse part, and the parts that carry its images and clips. */
interface Answer {
  part: Part;
  media: Part[];
}

/** One call of the model: a ToolCall decides and runs it; its end becomes the call's one functionResponse part. */
async function handleCall(deps: TurnDeps, turn: Turn, toolset: SessionToolset, policy: Policy, call: ModelFunctionCall): Promise<Answer> {
  const ref = toolset.compiled.resolve(call.name);
  if (!ref) return { part: functionResponsePart(call, { error: `There is no tool named "${call.name}".` }), media: [] };
  const { server, tool } = ref;
  const end = await deps.calls.agentCall(
    { session: turn.rec, callId: call.id, server, tool, args: call.args, user: turn.user, annotations: toolset.annotations(server, tool) },
    policy,
    { headless: turn.headless, signal: turn.signal },
  );
  const { media = [], ...reply } = replyFor(end, deps.settings.toolOutputChars);
  return { part: functionResponsePart(call, reply), media: mediaParts(call, media) };
}
