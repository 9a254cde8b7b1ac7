/**
 * Policy `args` patterns are written in JavaScript regex syntax (no flags) and run on RE2 (re2js). The two dialects
 * mostly agree, but not everywhere: RE2 reads `\z`, `\A` and `\p{L}` as anchors and Unicode classes where JavaScript
 * reads plain letters, its `.` and `\s` are narrower, and it refuses `[]`, `[^]`, `\u0041`, `\cJ` and `[\b]`. Handing
 * the source to RE2 as is would silently change what existing policy files mean, so this module rewrites it into an
 * RE2 pattern with the JavaScript meaning, and refuses what RE2 cannot do in linear time (backreferences, lookaround).
 * It only tokenizes; parsing, compiling and matching are re2js's.
 */

export class PatternSyntaxError extends Error {
  override readonly name = 'PatternSyntaxError';
}

/** Counted repeats (`a{2,5}`) above this are refused (RE2's own limit, given a clearer message here). */
export const MAX_REPEAT_COUNT = 1000;

const MAX_CODE_POINT = 0x10ffff;
// The characters JavaScript's \s matches (WhiteSpace and LineTerminator), as [lo, hi] pairs; RE2's \s is ASCII only.
const SPACE: readonly (readonly [number, number])[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
const NOT_SPACE = complement(SPACE);

const hex = (code: number): string => `\\x{${code.toString(16)}}`;
const rangesText = (ranges: readonly (readonly [number, number])[]): string =>
  ranges.map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)).join('');

function complement(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

// JavaScript's `.` without the s flag: anything but a line terminator (RE2's stops only at \n).
const DOT = `[^${rangesText([
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
])}]`;
const QUANTIFIER = /^\{(\d+)(?:,(\d*))?\}/;

/**
 * Rewrites a pattern that `new RegExp(source)` accepted into RE2 syntax with the same meaning; throws
 * PatternSyntaxError for what is refused. Capturing groups become non-capturing: only "does it match" is asked.
 */
export function toRe2(source: string): string {
  let i = 0;
  let out = '';
  const fail = (message: string): never => {
    throw new PatternSyntaxError(message);
  };

  /** An escape after `\` (at `i`), as RE2 text: one character, or a class like `\d`. */
  function escape(inClass: boolean): string {
    const e = source[i++];
    switch (e) {
      case undefined:
        return fail('"\\" at the end of the pattern');
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return `\\${e}`; // ASCII in both dialects
      case 's':
        return inClass ? rangesText(SPACE) : `[${rangesText(SPACE)}]`;
      case 'S':
        return inClass ? rangesText(NOT_SPACE) : `[${rangesText(NOT_SPACE)}]`;
      case 'b':
        return inClass ? hex(0x08) : '\\b'; // backspace inside a class, a word boundary outside
      case 'B':
        return inClass ? fail('"\\B" inside [...] is not supported') : '\\B';
      case 't':
        return hex(0x09);
      case 'n':
        return hex(0x0a);
      case 'v':
        return hex(0x0b);
      case 'f':
        return hex(0x0c);
      case 'r':
        return hex(0x0d);
      case '0':
        return /\d/.test(source[i] ?? '') ? fail('octal escapes like "\\01" are not supported') : hex(0);
      case 'x':
        return hex(hexDigits(2, 'x'));
      case 'u':
        return unicodeEscape();
      case 'c': {
        const letter = source[i] ?? '';
        if (!/^[A-Za-z]$/.test(letter)) return fail('"\\c" must be followed by a letter');
        i++;
        return hex(letter.charCodeAt(0) % 32);
      }
      case 'k':
        return fail('backreferences ("\\k<name>") are not supported');
      default: {
        if (/[1-9]/.test(e)) return fail(`backreferences ("\\${e}") are not supported`);
        // Without the u flag JavaScript reads "\z" as a plain "z": almost always a pattern from another dialect.
        if (/[A-Za-z]/.test(e)) return fail(`"\\${e}" is not a JavaScript regex escape (it would match a plain "${e}")`);
        // Any other escaped character stands for itself; a surrogate pair is one character.
        const code = source.codePointAt(i - 1)!;
        if (code > 0xffff) i++;
        return hex(code);
      }
    }
  }

  function hexDigits(count: number, letter: string): number {
    const text = source.slice(i, i + count);
    if (!new RegExp(`^[0-9A-Fa-f]{${count}}$`).test(text)) return fail(`"\\${letter}" must be followed by ${count} hex digits`);
    i += count;
    return Number.parseInt(text, 16);
  }

  function unicodeEscape(): string {
    const high = hexDigits(4, 'u');
    if (high < 0xd800 || high > 0xdfff) return hex(high);
    // JavaScript spells a character outside the BMP as two \u escapes; RE2 matches characters, not their halves.
    if (high <= 0xdbff && source.startsWith('\\u', i)) {
      const low = Number.parseInt(source.slice(i + 2, i + 6), 16);
      if (low >= 0xdc00 && low <= 0xdfff) {
        i += 6;
        return hex(0x10000 + (high - 0xd800) * 0x400 + (low - 0xdc00));
      }
    }
    return fail('a lone surrogate ("\\u' + source.slice(i - 4, i) + '") is not supported');
  }

  function charClass(): string {
    const negated = source[i] === '^';
    if (negated) i++;
    const items: string[] = [];
    while (source[i] !== ']') {
      if (i >= source.length) fail('unterminated character class');
      const from = classAtom();
      if (source[i] === '-' && source[i + 1] !== ']' && i + 1 < source.length) {
        i++;
        const to = classAtom();
        // As in JavaScript without the u flag, a range next to \d, \w or \s is just a literal "-".
        if (typeof from === 'number' && typeof to === 'number') items.push(`${hex(from)}-${hex(to)}`);
        else items.push(atomText(from), hex(0x2d), atomText(to));
      } else {
        items.push(atomText(from));
      }
    }
    i++;
    // JavaScript's [] matches nothing and [^] anything; RE2 has no empty class, so spell them as ranges.
    if (items.length === 0) return negated ? `[${hex(0)}-${hex(MAX_CODE_POINT)}]` : `[^${hex(0)}-${hex(MAX_CODE_POINT)}]`;
    return `[${negated ? '^' : ''}${items.join('')}]`;
  }

  /** One member of a class: a code point, or the RE2 text of a class escape. */
  function classAtom(): number | { text: string } {
    const c = source.codePointAt(i)!;
    i += c > 0xffff ? 2 : 1;
    if (c !== 0x5c) return c;
    if (source[i] === '-') {
      i++;
      return 0x2d;
    }
    const text = escape(true);
    const single = /^\\x\{([0-9a-f]+)\}$/.exec(text);
    return single ? Number.parseInt(single[1]!, 16) : { text };
  }

  const atomText = (atom: number | { text: string }): string => (typeof atom === 'number' ? hex(atom) : atom.text);

  function group(): string {
    if (source[i] !== '?') return '(?:';
    const kind = source.slice(i, i + 3);
    if (kind.startsWith('?=') || kind.startsWith('?!') || kind === '?<=' || kind === '?<!') {
      return fail('lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not supported');
    }
    if (kind.startsWith('?:')) i += 2;
    else if (kind.startsWith('?<')) i = source.indexOf('>', i) + 1;
    else fail(`unsupported group "(${kind}"`);
    return '(?:';
  }

  function brace(): string {
    const quantifier = QUANTIFIER.exec(source.slice(i));
    // Without the u flag, a "{" that does not start a quantifier is a plain character.
    if (!quantifier) {
      i++;
      return '\\{';
    }
    for (const count of [quantifier[1], quantifier[2]]) {
      if (count && Number(count) > MAX_REPEAT_COUNT) {
        fail(`repeat counts above ${MAX_REPEAT_COUNT} are not supported (found ${quantifier[0]})`);
      }
    }
    i += quantifier[0].length;
    return quantifier[0];
  }

  while (i < source.length) {
    const c = source[i++]!;
    switch (c) {
      case '\\':
        out += escape(false);
        break;
      case '[':
        out += charClass();
        break;
      case '(':
        out += group();
        break;
      case '.':
        out += DOT;
        break;
      case '{':
        i--;
        out += brace();
        break;
      case '}':
      case ']':
        out += `\\${c}`; // plain characters in JavaScript without the u flag
        break;
      default:
        out += c;
    }
  }
  return out;
}
