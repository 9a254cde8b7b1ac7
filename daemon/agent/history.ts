import type { Content, Part } from '@google/genai';
import type { InlineMedia } from '../../src/tools/rich-result.js';

/** A function response for one call: `output` on success, `error` otherwise (what Gemini's docs use). */
export function functionResponsePart(
  call: { id: string; name: string },
  outcome: { output: string; structuredContent?: unknown } | { error: string },
): Part {
  return { functionResponse: { id: call.id, name: call.name, response: outcome } };
}

/**
 * The images and clips of a call's result as parts of the user turn that carries the function responses, after
 * all of them, each behind a text part naming the call. Not `functionResponse.parts`: the Gemini API accepts
 * those only from Gemini 3 models (2.5 answers 400 "function_response.parts is not supported for this model"),
 * while inline data parts in the same turn are taken by every model that sees images, as gemini-cli sends them.
 */
export function mediaParts(call: { id: string; name: string }, media: readonly InlineMedia[]): Part[] {
  return media.flatMap((m) => [
    { text: `[${m.label} returned by the call ${call.id} of ${call.name}]` },
    { inlineData: { mimeType: m.mimeType, data: m.data } },
  ]);
}

/** The calls of a model turn that have no response in the turn that follows it. */
function unansweredCalls(model: Content, next: Content | undefined): Array<{ id: string; name: string }> {
  const answered = new Set((next?.parts ?? []).flatMap((p) => (p.functionResponse?.id ? [p.functionResponse.id] : [])));
  return (model.parts ?? []).flatMap((p) =>
    p.functionCall && !answered.has(p.functionCall.id ?? '') ? [{ id: p.functionCall.id ?? '', name: p.functionCall.name ?? '' }] : [],
  );
}

/**
 * Makes a history valid again after a daemon died mid-turn: a model turn whose function calls were never answered
 * gets one error response per call, so Gemini accepts the conversation and the model learns what happened.
 */
export function closeInterruptedCalls(history: readonly Content[], reason: string): Content | undefined {
  const last = history.at(-1);
  if (!last || last.role !== 'model') return undefined;
  const missing = unansweredCalls(last, undefined);
  if (missing.length === 0) return undefined;
  return { role: 'user', parts: missing.map((call) => functionResponsePart(call, { error: reason })) };
}

/** The text of a model turn (thoughts left out). */
export function modelText(content: Content): string {
  return (content.parts ?? [])
    .filter((p) => typeof p.text === 'string' && !p.thought)
    .map((p) => p.text)
    .join('');
}
