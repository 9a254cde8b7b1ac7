import type { Content } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { closeInterruptedCalls, functionResponsePart, modelText } from '../../../daemon/agent/history.js';

describe('closeInterruptedCalls', () => {
  const call = (id: string, name = 'srv__tool'): Content['parts'] => [{ functionCall: { id, name, args: {} } }];

  it('answers every call of a trailing model turn with the reason', () => {
    const history: Content[] = [
      { role: 'user', parts: [{ text: 'go' }] },
      { role: 'model', parts: [{ text: 'ok', thoughtSignature: 'sig' }, ...call('a')!, ...call('b', 'srv__other')!] },
    ];
    expect(closeInterruptedCalls(history, 'daemon restarted')).toEqual({
      role: 'user',
      parts: [
        { functionResponse: { id: 'a', name: 'srv__tool', response: { error: 'daemon restarted' } } },
        { functionResponse: { id: 'b', name: 'srv__other', response: { error: 'daemon restarted' } } },
      ],
    });
  });

  it('leaves a complete history alone', () => {
    expect(closeInterruptedCalls([], 'x')).toBeUndefined();
    expect(closeInterruptedCalls([{ role: 'user', parts: [{ text: 'hi' }] }], 'x')).toBeUndefined();
    expect(closeInterruptedCalls([{ role: 'model', parts: [{ text: 'answer' }] }], 'x')).toBeUndefined();
    expect(
      closeInterruptedCalls(
        [
          { role: 'model', parts: call('a') },
          { role: 'user', parts: [functionResponsePart({ id: 'a', name: 'srv__tool' }, { output: 'ok' })] },
        ],
        'x',
      ),
    ).toBeUndefined();
  });
});

describe('modelText', () => {
  it('joins text parts and leaves thoughts out', () => {
    expect(
      modelText({
        role: 'model',
        parts: [{ text: 'thinking…', thought: true }, { text: 'Hello ' }, { functionCall: { name: 'f' } }, { text: 'world' }],
      }),
    ).toBe('Hello world');
  });
});
