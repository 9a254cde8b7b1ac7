import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../../src/policy/pattern.js';
import { PatternSyntaxError, toRe2 } from '../../../src/policy/pattern-dialect.js';

/** How RE2 alone would read the source, and how the policy reads it (JavaScript's meaning, run on RE2). */
const raw = (source: string, value: string): boolean => RE2JS.compile(source).test(value);
const policy = (source: string, value: string): boolean => {
  const compiled = compilePattern(source);
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.pattern.match(value) === 'match';
};

describe('where RE2 and JavaScript disagree, the policy keeps the JavaScript meaning', () => {
  it.each([
    // [pattern, value, what JavaScript says]
    ['^.$', '\r', false], // RE2's . stops only at \n
    ['^.$', '\u2028', false],
    ['^\\s$', '\u00a0', true], // RE2's \s is ASCII only
    ['^\\s$', '\u3000', true],
    ['^\\s$', '\v', true],
    ['^\\S$', '\u00a0', false],
    ['^[\\S]$', '\ufeff', false],
    ['^[^\\s]$', '\u2000', false],
  ])('/%s/ on %j → %s', (source, value, expected) => {
    expect(new RegExp(source).test(value)).toBe(expected);
    expect(policy(source, value)).toBe(expected);
    expect(raw(source, value)).not.toBe(expected); // the reason the dialect is translated
  });

  it.each([
    ['^[\\s\\S]+$', 'any\nthing\u2028', true],
    ['[]', 'x', false],
    ['[^]', '\n', true],
    ['\\u0042', 'B', true],
    ['\\cJ', '\n', true],
    ['[\\b]', '\b', true],
    ['\\uD83D\\uDE00', '😀', true],
    ['x{', 'x{', true],
    ['a{,2}', 'a{,2}', true],
    ['}', '}', true],
  ])('/%s/, which RE2 refuses or reads otherwise, on %j → %s', (source, value, expected) => {
    expect(new RegExp(source).test(value)).toBe(expected);
    expect(policy(source, value)).toBe(expected);
  });

  it.each([
    ['\\z', /not a JavaScript regex escape/], // RE2: end of text; JavaScript: a plain "z"
    ['\\A', /not a JavaScript regex escape/],
    ['\\p{L}', /not a JavaScript regex escape/],
    ['\\uD83D', /lone surrogate/],
    ['(?<=a)b', /lookahead and lookbehind/],
  ])('refuses /%s/ rather than guess', (source, message) => {
    expect(() => toRe2(source)).toThrow(PatternSyntaxError);
    expect(() => toRe2(source)).toThrow(message);
  });

  it('reads characters, not UTF-16 halves (the one documented difference from JavaScript without the u flag)', () => {
    expect(new RegExp('^.$').test('😀')).toBe(false);
    expect(policy('^.$', '😀')).toBe(true);
  });

  it('turns capturing groups into plain ones: only "does it match" is asked', () => {
    expect(toRe2('(a)(?<n>b)(?:c)')).toBe('(?:a)(?:b)(?:c)');
  });
});

describe('re2js is linear where backtracking is exponential', () => {
  /**
   * Counts how often the engine reads the value. A backtracking engine re-reads the input once per path it tries, so
   * on /(a+)+$/ and "aaa…a!" the count doubles with each "a". Bytes rather than a string, so the reads can be
   * counted through a Proxy; strings go through the same automaton.
   */
  function reads(source: string, value: string): number {
    const bytes = Array.from(new TextEncoder().encode(value));
    let count = 0;
    const counted = new Proxy(bytes, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) count++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    expect(RE2JS.compile(toRe2(source)).test(counted)).toBe(false);
    return count;
  }

  it.each(['(a+)+$', '^(a|aa)*$', '(a*)*b', '^(\\w+\\s?)*$', '\\d*\\d*\\d*x', '(.*){20}x'])(
    '/%s/ reads each character a bounded number of times',
    (source) => {
      const hostile = (n: number): string => `${(source.includes('\\d') ? '1' : 'a').repeat(n)}!`;
      const small = reads(source, hostile(1_000));
      const large = reads(source, hostile(100_000));
      // 100 times the input, (about) 100 times the reads: linear. Exponential would not finish; quadratic is 10,000×.
      expect(large).toBeLessThanOrEqual(2 * 100 * small);
      expect(large).toBeLessThanOrEqual(3 * 100_001);
    },
  );

  it('/(a+)+$/ on 100,000 "a"s and a "!" answers no-match through the policy API', () => {
    const compiled = compilePattern('(a+)+$');
    expect(compiled.ok && compiled.pattern.match(`${'a'.repeat(100_000)}!`)).toBe('no-match');
  });
});
