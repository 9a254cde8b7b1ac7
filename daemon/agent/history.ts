import type { Content, Part } from '@google/genai';

/** A function response for one call: `output` on success, `error` otherwise (what Gemini's docs use). */
export function functionResponsePart(call: { id: string; name: string }, outcome: { output: string } | { error: string }): Part {
  return { functionResponse: { id: call.id, name: call.name, response: outcome } };
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
