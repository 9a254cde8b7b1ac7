import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown, stableCut, tailRows } from '../../../tui/components/markdown.js';

describe('parseMarkdown', () => {
  it('reads the blocks models write', () => {
    const blocks = parseMarkdown(
      [
        '# Title',
        '',
        'Some **bold** and `code`.',
        'Second line.',
        '',
        '- one',
        '  - nested',
        '1. first',
        '> quoted',
        '---',
        '```ts',
        'const x = 1;',
        '```',
      ].join('\n'),
    );
    expect(blocks.map((b) => b.kind)).toEqual(['heading', 'blank', 'paragraph', 'blank', 'item', 'item', 'item', 'quote', 'rule', 'code']);
    expect(blocks[0]).toEqual({ kind: 'heading', level: 1, inline: [{ kind: 'text', text: 'Title' }] });
    expect(blocks[2]).toMatchObject({
      kind: 'paragraph',
      inline: [
        { text: 'Some ' },
        { kind: 'bold', text: 'bold' },
        { text: ' and ' },
        { kind: 'code', text: 'code' },
        { text: '.' },
        { text: '\n' },
        { text: 'Second line.' },
      ],
    });
    expect(blocks[5]).toMatchObject({ kind: 'item', depth: 1, marker: '•' });
    expect(blocks[6]).toMatchObject({ kind: 'item', ordered: true, marker: '1.' });
    expect(blocks[9]).toEqual({ kind: 'code', lang: 'ts', lines: ['const x = 1;'], closed: true });
  });

  it('treats an unclosed fence (text still streaming) as code to the end', () => {
    expect(parseMarkdown('```\nline 1\nline 2')).toEqual([{ kind: 'code', lang: '', lines: ['line 1', 'line 2'], closed: false }]);
  });

  it('reads simple tables and strips inline styles from cells', () => {
    expect(parseMarkdown('| a | b |\n|---|---|\n| **1** | 2 |')).toEqual([{ kind: 'table', header: ['a', 'b'], rows: [['1', '2']] }]);
  });

  it('leaves what it does not know as text, and never throws on odd input', () => {
    expect(parseInline('a * b * c and snake_case_name')).toEqual([{ kind: 'text', text: 'a * b * c and snake_case_name' }]);
    expect(parseInline('*it* [docs](https://x.y) ~~old~~')).toEqual([
      { kind: 'italic', text: 'it' },
      { kind: 'text', text: ' ' },
      { kind: 'link', text: 'docs', url: 'https://x.y' },
      { kind: 'text', text: ' ' },
      { kind: 'strike', text: 'old' },
    ]);
    expect(() => parseMarkdown('**\n```\n|\n|--|\n> ')).not.toThrow();
  });
});

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
