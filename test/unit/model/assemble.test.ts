import { describe, expect, it } from 'vitest';
import { BlockedReason, FinishReason, GenerateContentResponse, Language } from '@google/genai';
import type { Part } from '@google/genai';
import { TurnAssembler } from '../../../daemon/agent/model/index.js';

/** A chunk as the SDK yields it (a class instance, getters included). */
function response(fields: Partial<GenerateContentResponse>): GenerateContentResponse {
  return Object.assign(new GenerateContentResponse(), fields);
}

function chunk(parts: Part[], extra: Partial<GenerateContentResponse> = {}): GenerateContentResponse {
  return response({ candidates: [{ content: { role: 'model', parts }, index: 0 }], ...extra });
}

function assemble(...chunks: GenerateContentResponse[]) {
  let n = 0;
  const assembler = new TurnAssembler(() => `gen-${++n}`);
  const deltas = chunks.flatMap((c) => assembler.add(c));
  return { deltas, done: assembler.finish() };
}

describe('TurnAssembler', () => {
  it('joins adjacent text parts and reports each one as a delta', () => {
    const { deltas, done } = assemble(chunk([{ text: 'a' }]), chunk([{ text: 'b' }, { text: 'c' }]));

    expect(deltas).toEqual([
      { type: 'text', text: 'a' },
      { type: 'text', text: 'b' },
      { type: 'text', text: 'c' },
    ]);
    expect(done.content).toEqual({ role: 'model', parts: [{ text: 'abc' }] });
  });

  it('starts a new part after a signed one, so each signature stays with the text it closed', () => {
    const { done } = assemble(chunk([{ text: 'one ' }]), chunk([{ text: 'two', thoughtSignature: 's1' }]), chunk([{ text: 'three' }]));

    expect(done.content.parts).toEqual([{ text: 'one two', thoughtSignature: 's1' }, { text: 'three' }]);
  });

  it('never joins thoughts with answer text', () => {
    const { deltas, done } = assemble(chunk([{ text: 'hmm', thought: true }]), chunk([{ text: 'answer' }]));

    expect(deltas).toEqual([
      { type: 'thought', text: 'hmm' },
      { type: 'text', text: 'answer' },
    ]);
    expect(done.content.parts).toEqual([{ text: 'hmm', thought: true }, { text: 'answer' }]);
  });

  it('keeps a signature-only part that follows a function call as its own part', () => {
    const { done } = assemble(chunk([{ functionCall: { name: 't', args: {}, id: 'x' } }]), chunk([{ text: '', thoughtSignature: 'late' }]));

    expect(done.content.parts).toEqual([{ functionCall: { name: 't', args: {}, id: 'x' } }, { text: '', thoughtSignature: 'late' }]);
  });

  it('drops empty unsigned text parts and emits no delta for them', () => {
    const { deltas, done } = assemble(chunk([{ text: '' }]), chunk([{ functionCall: { name: 't', id: 'x' } }]));

    expect(deltas).toEqual([]);
    expect(done.content.parts).toEqual([{ functionCall: { name: 't', id: 'x' } }]);
    expect(done.functionCalls).toEqual([{ name: 't', id: 'x', args: {} }]);
  });

  it('does not join text across a function call', () => {
    const { done } = assemble(chunk([{ text: 'before' }, { functionCall: { name: 't', id: 'x' } }, { text: 'after' }]));

    expect(done.content.parts?.map((p) => p.text ?? 'call')).toEqual(['before', 'call', 'after']);
  });

  it('gives id-less calls generated ids in both the calls and the content', () => {
    const { done } = assemble(
      chunk([{ functionCall: { name: 'a', args: { n: 1 } }, thoughtSignature: 'sig' }, { functionCall: { name: 'b', args: { n: 2 } } }]),
    );

    expect(done.functionCalls).toEqual([
      { name: 'a', args: { n: 1 }, id: 'gen-1' },
      { name: 'b', args: { n: 2 }, id: 'gen-2' },
    ]);
    expect(done.content.parts).toEqual([
      { functionCall: { name: 'a', args: { n: 1 }, id: 'gen-1' }, thoughtSignature: 'sig' },
      { functionCall: { name: 'b', args: { n: 2 }, id: 'gen-2' } },
    ]);
  });

  it('keeps parts it does not interpret, such as executable code, untouched', () => {
    const code: Part = { executableCode: { code: 'print(1)', language: Language.PYTHON } };
    const { done } = assemble(chunk([{ text: 'x' }, code, { text: 'y' }]));

    expect(done.content.parts).toEqual([{ text: 'x' }, code, { text: 'y' }]);
  });

  it('takes the latest usage, finish reason and model version', () => {
    const { done } = assemble(
      chunk([{ text: 'a' }], { usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 }, modelVersion: 'm-1' }),
      response({
        candidates: [{ content: { role: 'model', parts: [{ text: 'b' }] }, finishReason: FinishReason.MAX_TOKENS }],
        usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, thoughtsTokenCount: 7, totalTokenCount: 14 },
      }),
    );

    expect(done).toMatchObject({
      finishReason: 'MAX_TOKENS',
      modelVersion: 'm-1',
      usage: { promptTokens: 5, outputTokens: 2, thoughtsTokens: 7, cachedTokens: 0, totalTokens: 14 },
    });
  });

  it('reports a blocked prompt', () => {
    const assembler = new TurnAssembler();
    assembler.add(response({ promptFeedback: { blockReason: BlockedReason.SAFETY } }));

    expect(assembler.finish()).toEqual({
      type: 'done',
      content: { role: 'model', parts: [] },
      functionCalls: [],
      blockReason: 'SAFETY',
    });
  });

  it('does not alias the SDK’s part objects', () => {
    const part: Part = { text: 'a' };
    const assembler = new TurnAssembler();
    assembler.add(chunk([part]));
    assembler.add(chunk([{ text: 'b' }]));

    expect(part).toEqual({ text: 'a' });
  });
});
