import { describe, expect, it } from 'vitest';
import { stableCut, tailRows } from '../../../tui/components/streaming.js';

describe('stableCut', () => {
  it('cuts after the last blank line outside a code fence', () => {
    const text = 'para one\n\npara two\n\nstill stre';
    expect(text.slice(0, stableCut(text))).toBe('para one\n\npara two\n\n');
    expect(stableCut('```\na\n\nb\n')).toBe(0);
    expect(stableCut('no break yet')).toBe(0);
  });
});

describe('tailRows', () => {
  it('keeps the last rows and the fence a cut falls inside', () => {
    const text = ['intro', '```js', 'a', 'b', 'c', 'd'].join('\n');
    expect(tailRows(text, 10, 80)).toEqual({ text, cut: false });
    expect(tailRows(text, 2, 80)).toEqual({ text: '```js\nc\nd', cut: true });
    expect(tailRows('x'.repeat(200), 1, 80)).toEqual({ text: '', cut: true });
  });
});
