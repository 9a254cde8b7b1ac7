import { describe, expect, it } from 'vitest';
import { isSafeHref, parseMarkdown, plainText } from '../../../src/markdown/index.js';

const text = (t: string) => ({ kind: 'text', text: t });

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
        '',
        '1. first',
        '',
        '> quoted',
        '',
        '---',
        '```ts',
        'const x = 1;',
        '```',
      ].join('\n'),
    );
    expect(blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph', 'list', 'list', 'quote', 'rule', 'code']);
    expect(blocks[0]).toEqual({ kind: 'heading', level: 1, children: [text('Title')] });
    // The model's own line breaks are kept: they are usually deliberate.
    expect(blocks[1]).toEqual({
      kind: 'paragraph',
      children: [
        text('Some '),
        { kind: 'strong', children: [text('bold')] },
        text(' and '),
        { kind: 'code', text: 'code' },
        text('.'),
        { kind: 'br' },
        text('Second line.'),
      ],
    });
    expect(blocks[2]).toEqual({
      kind: 'list',
      ordered: false,
      start: 1,
      items: [
        [
          { kind: 'paragraph', children: [text('one')] },
          { kind: 'list', ordered: false, start: 1, items: [[{ kind: 'paragraph', children: [text('nested')] }]] },
        ],
      ],
    });
    expect(blocks[3]).toMatchObject({ kind: 'list', ordered: true, start: 1 });
    expect(blocks[4]).toEqual({ kind: 'quote', children: [{ kind: 'paragraph', children: [text('quoted')] }] });
    expect(blocks[6]).toEqual({ kind: 'code', lang: 'ts', text: 'const x = 1;' });
  });

  it('treats an unclosed fence (text still streaming) as code to the end', () => {
    expect(parseMarkdown('```\nline 1\nline 2')).toEqual([{ kind: 'code', lang: '', text: 'line 1\nline 2' }]);
  });

  it('reads tables with their alignment; plainText strips inline styles from cells', () => {
    const [table] = parseMarkdown('| a | b |\n|---|--:|\n| **1** | [x](https://x.test) |');
    expect(table).toMatchObject({ kind: 'table', align: [undefined, 'right'] });
    if (table?.kind !== 'table') throw new Error('not a table');
    expect(table.head.map(plainText)).toEqual(['a', 'b']);
    expect(table.rows.map((row) => row.map(plainText))).toEqual([['1', 'x (https://x.test)']]);
  });

  it('leaves what it does not know as text, and never throws on odd input', () => {
    expect(parseMarkdown('a * b * c and snake_case_name')).toEqual([
      { kind: 'paragraph', children: [text('a * b * c and snake_case_name')] },
    ]);
    expect(parseMarkdown('*it* [docs](https://x.y) ~~old~~')).toEqual([
      {
        kind: 'paragraph',
        children: [
          { kind: 'em', children: [text('it')] },
          text(' '),
          { kind: 'link', href: 'https://x.y', children: [text('docs')] },
          text(' '),
          { kind: 'del', children: [text('old')] },
        ],
      },
    ]);
    expect(() => parseMarkdown('**\n```\n|\n|--|\n> ')).not.toThrow();
    expect(() => parseMarkdown('[a](<\n>)'.repeat(2000) + '*'.repeat(5000) + '`'.repeat(5000))).not.toThrow();
  });

  it('shows task boxes as text', () => {
    expect(parseMarkdown('- [ ] todo\n- [x] done')).toEqual([
      {
        kind: 'list',
        ordered: false,
        start: 1,
        items: [[{ kind: 'paragraph', children: [text('[ ] todo')] }], [{ kind: 'paragraph', children: [text('[x] done')] }]],
      },
    ]);
  });
});

describe('hostile Markdown', () => {
  it('turns HTML, inline or a block, into the text it is written as', () => {
    expect(parseMarkdown('Look: <script>alert(1)</script> <img src=x onerror="alert(2)">')).toEqual([
      { kind: 'paragraph', children: [text('Look: <script>alert(1)</script> <img src=x onerror="alert(2)">')] },
    ]);
    expect(parseMarkdown('<div onclick="x()">\n<b>hi</b> & <i>there</i>\n</div>')).toEqual([
      {
        kind: 'paragraph',
        children: [text('<div onclick="x()">'), { kind: 'br' }, text('<b>hi</b> & <i>there</i>'), { kind: 'br' }, text('</div>')],
      },
    ]);
    expect(parseMarkdown('<!-- hidden --> <![CDATA[x]]> <?php ?>')).toEqual([
      { kind: 'paragraph', children: [text('<!-- hidden --> <![CDATA[x]]> <?php ?>')] },
    ]);
  });

  it('links only http(s) and mailto addresses; any other link is shown as written', () => {
    const links = (source: string) =>
      parseMarkdown(source).flatMap((b) => (b.kind === 'paragraph' ? b.children.filter((c) => c.kind === 'link') : []));
    expect(
      links(
        '[a](https://a.test) [b](javascript:alert(1)) [c](JAVASCRIPT:x) [d](data:text/html,hi) [e](vbscript:x) [f](/relative) [g](mailto:a@b.test)',
      ),
    ).toEqual([
      { kind: 'link', href: 'https://a.test', children: [text('a')] },
      { kind: 'link', href: 'mailto:a@b.test', children: [text('g')] },
    ]);
    expect(parseMarkdown('[bad](javascript:alert(1))')).toEqual([{ kind: 'paragraph', children: [text('[bad](javascript:alert(1))')] }]);
    expect(parseMarkdown('[x]: javascript:alert(1)\n\nsee [x]')).toEqual([{ kind: 'paragraph', children: [text('see [x]')] }]);
    expect(isSafeHref('https://ok.test/a')).toBe(true);
    expect(isSafeHref('https://ok.test/"onmouseover=x')).toBe(false);
  });

  it('never loads an image: one is a link to its address (or text when the address is unsafe)', () => {
    expect(parseMarkdown('![cat](https://img.test/c.png) ![x](data:image/png;base64,AAA)')).toEqual([
      {
        kind: 'paragraph',
        children: [{ kind: 'link', href: 'https://img.test/c.png', children: [text('cat')] }, text(' ![x](data:image/png;base64,AAA)')],
      },
    ]);
  });

  it('keeps escape sequences and hidden characters as text for the renderer to make inert', () => {
    const hostile = '\x1b]52;c;cm0=\x07 \u202Eexe \u200B';
    expect(parseMarkdown(`**${hostile}**`)).toEqual([{ kind: 'paragraph', children: [{ kind: 'strong', children: [text(hostile)] }] }]);
  });
});
