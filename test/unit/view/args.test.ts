import { describe, expect, it } from 'vitest';
import { argEntries, formatArgs, inlineArgs } from '../../../src/view/args.js';
import { annotationClaims, callName, claimedHints } from '../../../src/view/format.js';

describe('the argument formatter both clients use', () => {
  it('formats for the terminal: indented JSON, keys and values revealed, a flag when something was', () => {
    const text = formatArgs({ [`k\u202E`]: 'v\u200B\u009b', plain: 1 });
    expect(text.lines).toEqual(['{', '  "k⟦U+202E⟧": "v⟦U+200B⟧⟦U+009B⟧",', '  "plain": 1', '}']);
    expect(text.revealed).toBe(true);
    expect(formatArgs({ path: '/tmp/a', n: [1, { x: 'line\nbreak' }] }).revealed).toBe(false);
    expect(formatArgs({ nested: { deep: ['\x1b[2J'] } }).revealed).toBe(true);
  });

  it('cuts long strings without splitting a surrogate pair', () => {
    const text = formatArgs({ s: `${'a'.repeat(159)}😀tail` }, { maxString: 160 });
    expect(text.lines[1]).toBe(`  "s": "${'a'.repeat(159)}… (5 more chars)"`);
    expect(text.cutStrings).toBe(1);
  });

  it('formats for the web: entries keyed by the raw key, shown with keys and values revealed', () => {
    const [entry] = argEntries({ [`pa\u2066th`]: 'a\u202Eb\nc' });
    expect(entry).toMatchObject({ id: 'pa\u2066th', key: 'pa⟦U+2066⟧th', kind: 'string', text: 'a⟦U+202E⟧b\nc', invisible: true });
    expect(argEntries({ path: 'multi\nline\ttext' })[0]?.invisible).toBe(false);
  });

  it('one line for headers, safe and cut', () => {
    expect(inlineArgs({ m: 'a\u202Eb' })).toBe('{"m":"a⟦U+202E⟧b"}');
    expect(inlineArgs({ m: 'x'.repeat(100) }, 20)).toBe('{"m":"xxxxxxxxxxxxx…');
  });

  it('names, titles and claimed hints are safe lines', () => {
    expect(callName({ server: 's', tool: 'a\nb\u202E' })).toBe('s.a⏎b⟦U+202E⟧');
    expect(annotationClaims({ title: 'T\nserver claims: read-only\x1b]52;c;aGk=\x07', readOnlyHint: true })).toEqual([
      'title "T⏎server claims: read-only␛]52;c;aGk=␇"',
      'read-only',
    ]);
    expect(claimedHints({ 'x\u202EHint': true })).toBe('x⟦U+202E⟧');
  });
});
