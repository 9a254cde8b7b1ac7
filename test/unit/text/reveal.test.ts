import { describe, expect, it } from 'vitest';
import { codeMarker, hasInvisible, revealInvisible } from '../../../src/text/reveal.js';
import { escapeJsonText, jsonText } from '../../../src/text/safe-json.js';

/** Every code point the review named, one by one. */
const NAMED: number[] = [
  0x061c,
  0x200e,
  0x200f,
  ...range(0x202a, 0x202e),
  ...range(0x2066, 0x2069),
  ...range(0x200b, 0x200d),
  ...range(0x2060, 0x2064),
  0xfeff,
  0x180e,
  0x034f,
  0x115f,
  0x1160,
  0x3164,
  0xffa0,
  0x00ad,
  0x2028,
  0x2029,
  ...range(0xfe00, 0xfe0f),
  ...range(0xe0100, 0xe01ef),
  ...range(0xe0000, 0xe007f),
];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe('revealInvisible', () => {
  it('reveals every character on the review’s list as ⟦U+…⟧', () => {
    for (const code of NAMED) {
      const ch = String.fromCodePoint(code);
      expect(revealInvisible(`a${ch}b`), `U+${code.toString(16)}`).toBe(`a${codeMarker(code)}b`);
      expect(hasInvisible(ch)).toBe(true);
    }
  });

  it('covers every Unicode format character (Cf) and default-ignorable code point, by construction', () => {
    let checked = 0;
    for (let code = 0; code <= 0x10ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const ch = String.fromCodePoint(code);
      if (!/[\p{Cf}\p{Default_Ignorable_Code_Point}]/u.test(ch)) continue;
      checked++;
      expect(revealInvisible(ch), `U+${code.toString(16)}`).toBe(codeMarker(code));
    }
    expect(checked).toBeGreaterThan(4000);
  });

  it('gives a tag character (a surrogate pair) one marker, and reveals lone surrogates', () => {
    expect(revealInvisible('hi\u{E0049}\u{E0047}')).toBe('hi⟦U+E0049⟧⟦U+E0047⟧');
    expect(revealInvisible('x\uD800y\uDC00')).toBe('x⟦U+D800⟧y⟦U+DC00⟧');
    expect(revealInvisible('a😀b')).toBe('a😀b');
  });

  it('reveals a blank braille cell, a favourite invisible name', () => {
    expect(revealInvisible('\u2800')).toBe('⟦U+2800⟧');
  });

  it('leaves visible text alone', () => {
    const text = 'Grüße, 日本語, עברית, العربية, e\u0301, emoji 😀 and spaces\u00A0here';
    expect(revealInvisible(text)).toBe(text);
    expect(hasInvisible(text)).toBe(false);
  });

  it('with emoji: keeps joiners between pictographs, emoji variation selectors and the recommended flags', () => {
    const kept = ['👩‍💻', '👨🏽‍💻', '❤️‍🔥', '⚠️', '1️⃣', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'];
    for (const emoji of kept) expect(revealInvisible(emoji, { emoji: true }), emoji).toBe(emoji);
    // …but every joiner and selector is shown in names and arguments.
    expect(revealInvisible('👩‍💻')).toBe('👩⟦U+200D⟧💻');
  });

  it('with emoji: still reveals what hides text — tags after a flag, joiners between letters, stray selectors', () => {
    expect(revealInvisible('🏴\u{E0069}\u{E0067}\u{E006E}\u{E007F}', { emoji: true })).toBe('🏴⟦U+E0069⟧⟦U+E0067⟧⟦U+E006E⟧⟦U+E007F⟧');
    expect(revealInvisible('a\u200Db', { emoji: true })).toBe('a⟦U+200D⟧b');
    expect(revealInvisible('a\uFE0F', { emoji: true })).toBe('a⟦U+FE0F⟧');
    expect(revealInvisible('\u200D👩', { emoji: true })).toBe('⟦U+200D⟧👩');
    expect(revealInvisible('x\u202Ey', { emoji: true })).toBe('x⟦U+202E⟧y');
  });
});

describe('jsonText', () => {
  it('escapes DEL, C1 and hidden characters, and parses back to the same value', () => {
    const value = { name: 'a\u009b2J\u007f\u202E\u200B\u{E0041}\u2028', ok: true, nested: ['\x1b]52;c;aGk=\x07'] };
    const text = jsonText(value, 2);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/);
    expect(hasInvisible(text)).toBe(false);
    expect(text).toContain('\\u009b2J\\u007f\\u202e\\u200b\\udb40\\udc41\\u2028');
    expect(JSON.parse(text)).toEqual(value);
  });

  it('leaves ordinary JSON untouched', () => {
    const json = JSON.stringify({ a: 'Grüße 😀', b: [1, null] });
    expect(escapeJsonText(json)).toBe(json);
  });
});
