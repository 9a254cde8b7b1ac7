import { randomUUID } from 'node:crypto';
import type { GenerateContentResponse, GenerateContentResponseUsageMetadata, Part } from '@google/genai';
import type { ModelEvent, ModelFunctionCall, ModelUsage } from './types.js';

type DoneEvent = Extract<ModelEvent, { type: 'done' }>;
type DeltaEvent = Extract<ModelEvent, { type: 'text' | 'thought' }>;

/** A fresh function call id for calls the API sent without one. */
export function newCallId(): string {
  return `call_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

/** Text parts (thought or not) that carry nothing else, so consecutive ones can be joined. */
function isPlainText(part: Part): part is Part & { text: string } {
  if (typeof part.text !== 'string') return false;
  return Object.keys(part).every((k) => k === 'text' || k === 'thought' || k === 'thoughtSignature');
}

function toUsage(u: GenerateContentResponseUsageMetadata): ModelUsage {
  return {
    promptTokens: u.promptTokenCount ?? 0,
    outputTokens: u.candidatesTokenCount ?? 0,
    thoughtsTokens: u.thoughtsTokenCount ?? 0,
    cachedTokens: u.cachedContentTokenCount ?? 0,
    totalTokens: u.totalTokenCount ?? 0,
  };
}

/**
 * Folds the chunks of one streamed turn into the model Content history must keep, and yields the deltas to show.
 * Only the first candidate is used: the client never asks for more than one.
 */
export class TurnAssembler {
  private readonly parts: Part[] = [];
  private readonly calls: ModelFunctionCall[] = [];
  private finishReason: string | undefined;
  private blockReason: string | undefined;
  private usage: GenerateContentResponseUsageMetadata | undefined;
  private modelVersion: string | undefined;

  constructor(private readonly newId: () => string = newCallId) {}

  /** Takes one chunk; returns the text/thought deltas it carried, in order. */
  add(chunk: GenerateContentResponse): DeltaEvent[] {
    const events: DeltaEvent[] = [];
    const candidate = chunk.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      if (part.functionCall !== undefined) {
        this.addCall(part);
      } else if (isPlainText(part)) {
        if (part.text.length > 0) events.push({ type: part.thought === true ? 'thought' : 'text', text: part.text });
        this.addText(part);
      } else {
        this.parts.push({ ...part });
      }
    }
    if (candidate?.finishReason !== undefined) this.finishReason = candidate.finishReason;
    if (chunk.promptFeedback?.blockReason !== undefined) this.blockReason = chunk.promptFeedback.blockReason;
    // Each chunk's usage is the running total for the turn, so the latest one wins.
    if (chunk.usageMetadata !== undefined) this.usage = chunk.usageMetadata;
    if (chunk.modelVersion !== undefined) this.modelVersion = chunk.modelVersion;
    return events;
  }

  /** The finished turn. */
  finish(): DoneEvent {
    return {
      type: 'done',
      content: { role: 'model', parts: this.parts.map((p) => ({ ...p })) },
      functionCalls: this.calls.map((c) => ({ ...c })),
      ...(this.finishReason !== undefined ? { finishReason: this.finishReason } : {}),
      ...(this.blockReason !== undefined ? { blockReason: this.blockReason } : {}),
      ...(this.usage !== undefined ? { usage: toUsage(this.usage) } : {}),
      ...(this.modelVersion !== undefined ? { modelVersion: this.modelVersion } : {}),
    };
  }

  private addCall(part: Part): void {
    const fc = part.functionCall ?? {};
    // The id goes into the history too, so the functionResponse that answers it can name it.
    const call: ModelFunctionCall = { ...fc, id: fc.id ?? this.newId(), name: fc.name ?? '', args: fc.args ?? {} };
    this.parts.push({ ...part, functionCall: { ...fc, id: call.id } });
    this.calls.push(call);
  }

  private addText(part: Part & { text: string }): void {
    const last = this.parts.at(-1);
    // A signature closes the run it arrived with, so text after a signed part starts a new part. The API streams a
    // signature on the last chunk of a run (sometimes with empty text), so joining that chunk into the run
    // reproduces the single signed part a non-streaming call returns.
    if (
      last !== undefined &&
      isPlainText(last) &&
      last.thoughtSignature === undefined &&
      (last.thought === true) === (part.thought === true)
    ) {
      last.text += part.text;
      if (part.thoughtSignature !== undefined) last.thoughtSignature = part.thoughtSignature;
      return;
    }
    // An empty, unsigned text part carries nothing; the API may reject it when it is sent back.
    if (part.text.length === 0 && part.thoughtSignature === undefined) return;
    this.parts.push({ ...part });
  }
}
