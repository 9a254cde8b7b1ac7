import { describe, expect, it } from 'vitest';
import { compilePattern, MAX_PATTERN_LENGTH, type SafePattern } from '../../../src/policy/pattern.js';

function compiled(source: string): SafePattern {
  const result = compilePattern(source);
  if (!result.ok) throw new Error(`expected ${source} to compile: ${result.message}`);
  return result.pattern;
}

const INPUTS = [
  '',
  'a',
  'ab',
  'abc',
  'abcd',
  'abbcd',
  'aa',
  'aaa',
  'aaab',
  'b',
  'c',
  'xy',
  'z',
  '5',
  '42',
  '-',
  '--',
  '/',
  ']',
  'foo bar',
  'foobar',
  'xoox',
  'me@',
  '-@',
  'https://docs.example.com/page',
  'http://docs.example.com/',
  'https://docs.example.com.evil/',
  'https://evil.com/?https://docs.example.com/',
  '\n',
  'line\nnext',
  ' rm -rf /',
  'rm\t-rf',
  '../etc',
  'a/.env',
  '.env',
  'x.env',
  'AB',
  '\b',
  '\0',
  'x{',
  'a{,2}',
  'éé',
  '\u2028',
  '\u00a0',
  '_',
];

// Each pattern is checked against every input above: the automaton must agree with JavaScript's RegExp.
const PATTERNS = [
  '^https://docs\\.example\\.com/',
  'rm\\s+-rf',
  '\\.\\./',
  '(^|/)\\.env$',
  'a|b|',
  '(a|ab)(c|bcd)(d*)',
  '^$',
  '',
  '\\bfoo\\b',
  '\\Bo\\B',
  '[^a-c]',
  '[\\w-]+@',
  '[\\d-z]',
  '[a\\-z]',
  'a{2,3}$',
  'a{2,}b',
  '^a{3}$',
  'a{,2}',
  'x{',
  '(?:ab)*c',
  '(?<name>x)y',
  '.+',
  '^.*$',
  '[]',
  '[^]',
  '\\x41\\u0042',
  '\\cJ',
  '[\\b]',
  'a??b',
  '(a*)*b',
  '((a|b)*)+c',
  '\\/',
  '\\0',
  ']',
  '\\D\\W\\S',
  '[\\s\\S]',
  '(|a)+$',
  '$^',
  'é+',
  '\\u00e9',
  '\\s',
  '[^\\s]',
  '\\d+$',
  '^[a-z_]+$',
  '^(?:GET|HEAD)$',
  '-',
  '\\n',
  '.',
];

describe('compilePattern agrees with RegExp', () => {
  it.each(PATTERNS)('/%s/', (source) => {
    const pattern = compiled(source);
    const native = new RegExp(source);
    const disagreements = INPUTS.filter((input) => native.test(input) !== (pattern.match(input) === 'match'));
    expect(disagreements).toEqual([]);
  });
});

describe('compilePattern refuses', () => {
  it.each([
    ['(a', /Unterminated group/],
    ['a**', /Nothing to repeat/],
    ['[z-a]', /out of order/],
    ['(a)\\1', /backreferences/],
    ['(?<n>a)\\k<n>', /backreferences/],
    ['(?=a)b', /lookahead and lookbehind/],
    ['(?!a)b', /lookahead and lookbehind/],
    ['(?<=a)b', /lookahead and lookbehind/],
    ['(?<!a)b', /lookahead and lookbehind/],
    ['\\z', /"\\z" is not a JavaScript regex escape/],
    ['\\A', /"\\A" is not a JavaScript regex escape/],
    ['\\p{L}', /"\\p" is not a JavaScript regex escape/],
    ['\\u{41}', /4 hex digits/],
    ['\\xZ', /2 hex digits/],
    ['\\01', /octal/],
    ['\\c1', /followed by a letter/],
    ['a{1001}', /above 1000/],
    ['(a{100}){100}', /too large/],
  ])('/%s/', (source, message) => {
    const result = compilePattern(source);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

it('refuses patterns over the length limit', () => {
  const result = compilePattern('a'.repeat(MAX_PATTERN_LENGTH + 1));
  expect(result).toEqual({ ok: false, message: `pattern is ${MAX_PATTERN_LENGTH + 1} characters; the limit is ${MAX_PATTERN_LENGTH}` });
  expect(compilePattern('a'.repeat(MAX_PATTERN_LENGTH)).ok).toBe(true);
});

describe('the backtracking guard', () => {
  // Each of these takes seconds to minutes with RegExp on V8 (e.g. /\d*\d*\d*x/ on 1,024 digits: 99 s).
  // Here they must simply finish: the automaton's work is linear in the value's length.
  it.each([
    ['(a+)+$', `${'a'.repeat(100_000)}!`],
    ['^(a|aa)*$', `${'a'.repeat(100_000)}!`],
    ['^(\\w+\\s?)*$', `${'word '.repeat(20_000)}!`],
    ['\\d*\\d*\\d*x', '1'.repeat(100_000)],
    ['.*foo.*bar', 'foo'.repeat(30_000)],
  ])('/%s/ on a hostile value finishes with no-match', (source, value) => {
    expect(compiled(source).match(value)).toBe('no-match');
  });

  it('stops a test that would exceed the step budget and says so', () => {
    // An 83-instruction program × 256K characters: above MAX_WORK, so the answer is "unknown", not a guess.
    expect(compiled('(.*){20}x').match('y'.repeat(256 * 1024))).toBe('over-budget');
  });

  it('finds a match early without reading the whole value', () => {
    expect(compiled('secret').match(`secret${'y'.repeat(200_000)}`)).toBe('match');
  });

  it('caches compiled patterns by source', () => {
    expect(compilePattern('^cached$')).toBe(compilePattern('^cached$'));
  });
});
