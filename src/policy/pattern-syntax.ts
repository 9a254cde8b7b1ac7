/**
 * Parser for the regex dialect of policy `args` patterns: JavaScript's own syntax (no flags), minus the features
 * that need backtracking (backreferences, lookaround). The result is a small AST that `pattern.ts` runs on a
 * linear-time automaton, so no argument a model sends can make a pattern take exponential or polynomial time.
 */

/** One UTF-16 code unit out of a set given as sorted, merged, inclusive [lo, hi] pairs, flattened. */
export interface CharSet {
  t: 'set';
  ranges: number[];
}
export type AssertKind = 'start' | 'end' | 'word' | 'nonword';
export type PatternNode =
  | CharSet
  | { t: 'assert'; kind: AssertKind }
  | { t: 'seq'; items: PatternNode[] }
  | { t: 'alt'; options: PatternNode[] }
  | { t: 'repeat'; node: PatternNode; min: number; max: number };

/** Counted repeats are expanded into copies, so their bounds are capped. */
export const MAX_REPEAT_COUNT = 1000;

const MAX_UNIT = 0xffff;
const DIGIT = [0x30, 0x39];
const WORD = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
// The code units JavaScript's \s matches (WhiteSpace and LineTerminator).
const SPACE = [
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f, 0x3000, 0x3000,
  0xfeff, 0xfeff,
];
const LINE_TERMINATORS = [0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029];

export class PatternSyntaxError extends Error {
  override readonly name = 'PatternSyntaxError';
}

/** Sorts and merges [lo, hi] pairs. */
export function normalizeRanges(ranges: readonly number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i + 1 < ranges.length; i += 2) pairs.push([ranges[i]!, ranges[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = out.length - 1;
    if (last > 0 && lo <= out[last]! + 1) out[last] = Math.max(out[last]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

/** The code units not in `ranges` (which must be normalized). */
export function complementRanges(ranges: readonly number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i + 1 < ranges.length; i += 2) {
    if (ranges[i]! > next) out.push(next, ranges[i]! - 1);
    next = ranges[i + 1]! + 1;
  }
  if (next <= MAX_UNIT) out.push(next, MAX_UNIT);
  return out;
}

const set = (ranges: readonly number[]): CharSet => ({ t: 'set', ranges: normalizeRanges(ranges) });
const unit = (code: number): CharSet => ({ t: 'set', ranges: [code, code] });

/** Parses a pattern that `new RegExp(source)` has already accepted; throws PatternSyntaxError on what we refuse. */
export function parsePatternSyntax(source: string): PatternNode {
  let i = 0;
  const peek = (offset = 0): string | undefined => source[i + offset];
  const fail = (message: string): never => {
    throw new PatternSyntaxError(message);
  };

  function alternation(): PatternNode {
    const options = [sequence()];
    while (peek() === '|') {
      i++;
      options.push(sequence());
    }
    return options.length === 1 ? options[0]! : { t: 'alt', options };
  }

  function sequence(): PatternNode {
    const items: PatternNode[] = [];
    while (i < source.length && peek() !== '|' && peek() !== ')') {
      const atom = term();
      items.push(quantified(atom));
    }
    return items.length === 1 ? items[0]! : { t: 'seq', items };
  }

  function quantified(atom: PatternNode): PatternNode {
    let min: number;
    let max: number;
    const c = peek();
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else {
      const braces = c === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i)) : null;
      if (!braces) return atom;
      min = Number(braces[1]);
      max = braces[2] === undefined ? min : braces[3] ? Number(braces[3]) : Infinity;
      if (min > MAX_REPEAT_COUNT || (max !== Infinity && max > MAX_REPEAT_COUNT)) {
        fail(`repeat counts above ${MAX_REPEAT_COUNT} are not supported (found ${braces[0]})`);
      }
      i += braces[0].length - 1;
    }
    i++;
    if (peek() === '?') i++; // lazy: irrelevant when only asking "does it match?"
    return { t: 'repeat', node: atom, min, max };
  }

  function term(): PatternNode {
    const c = source[i++]!;
    switch (c) {
      case '(':
        return group();
      case '[':
        return charClass();
      case '.':
        return { t: 'set', ranges: complementRanges(LINE_TERMINATORS) };
      case '^':
        return { t: 'assert', kind: 'start' };
      case '$':
        return { t: 'assert', kind: 'end' };
      case '\\':
        return escape(false);
      default:
        return unit(c.charCodeAt(0));
    }
  }

  function group(): PatternNode {
    if (peek() === '?') {
      const kind = source.slice(i, i + 3);
      if (kind.startsWith('?=') || kind.startsWith('?!') || kind === '?<=' || kind === '?<!') {
        fail('lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not supported');
      }
      if (kind.startsWith('?:')) i += 2;
      else if (kind.startsWith('?<')) i = source.indexOf('>', i) + 1;
      else fail(`unsupported group "(${kind}"`);
    }
    const inner = alternation();
    if (source[i++] !== ')') fail('unterminated group');
    return inner;
  }

  function charClass(): PatternNode {
    const negated = peek() === '^';
    if (negated) i++;
    const ranges: number[] = [];
    while (peek() !== ']') {
      if (i >= source.length) fail('unterminated character class');
      const from = classAtom();
      if (peek() === '-' && peek(1) !== ']' && peek(1) !== undefined) {
        i++;
        const to = classAtom();
        // As in JavaScript without the u flag, a range next to \d, \w or \s is just a literal "-".
        if (typeof from === 'number' && typeof to === 'number') ranges.push(from, to);
        else ranges.push(...asRanges(from), 0x2d, 0x2d, ...asRanges(to));
      } else {
        ranges.push(...asRanges(from));
      }
    }
    i++;
    const normalized = normalizeRanges(ranges);
    return { t: 'set', ranges: negated ? complementRanges(normalized) : normalized };
  }

  function classAtom(): number | CharSet {
    const c = source[i++]!;
    if (c !== '\\') return c.charCodeAt(0);
    if (peek() === 'b') {
      i++;
      return 0x08; // backspace inside a class
    }
    if (peek() === '-') {
      i++;
      return 0x2d;
    }
    const node = escape(true);
    if (node.t !== 'set') return fail('assertions cannot appear inside [...]');
    return node.ranges.length === 2 && node.ranges[0] === node.ranges[1] ? node.ranges[0]! : node;
  }

  function escape(inClass: boolean): PatternNode {
    const e = source[i++];
    if (e === undefined) return fail('"\\" at the end of the pattern');
    switch (e) {
      case 'd':
        return set(DIGIT);
      case 'D':
        return { t: 'set', ranges: complementRanges(DIGIT) };
      case 'w':
        return set(WORD);
      case 'W':
        return { t: 'set', ranges: complementRanges(WORD) };
      case 's':
        return set(SPACE);
      case 'S':
        return { t: 'set', ranges: complementRanges(normalizeRanges(SPACE)) };
      case 'b':
        return { t: 'assert', kind: 'word' };
      case 'B':
        return inClass ? fail('"\\B" inside [...] is not supported') : { t: 'assert', kind: 'nonword' };
      case 't':
        return unit(0x09);
      case 'n':
        return unit(0x0a);
      case 'v':
        return unit(0x0b);
      case 'f':
        return unit(0x0c);
      case 'r':
        return unit(0x0d);
      case '0':
        return /\d/.test(peek() ?? '') ? fail('octal escapes like "\\01" are not supported') : unit(0);
      case 'x':
        return hex(2, 'x');
      case 'u':
        return hex(4, 'u');
      case 'c': {
        const letter = peek() ?? '';
        if (!/^[A-Za-z]$/.test(letter)) return fail('"\\c" must be followed by a letter');
        i++;
        return unit(letter.charCodeAt(0) % 32);
      }
      case 'k':
        return fail('backreferences ("\\k<name>") are not supported');
      default:
        if (/[1-9]/.test(e)) return fail(`backreferences ("\\${e}") are not supported`);
        // Without the u flag JavaScript reads "\z" as a plain "z": almost always a pattern from another dialect.
        if (/[A-Za-z]/.test(e)) return fail(`"\\${e}" is not a JavaScript regex escape (it would match a plain "${e}")`);
        return unit(e.charCodeAt(0));
    }
  }

  function hex(digits: number, letter: string): CharSet {
    const text = source.slice(i, i + digits);
    if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(text)) {
      return fail(`"\\${letter}" must be followed by ${digits} hex digits`);
    }
    i += digits;
    return unit(Number.parseInt(text, 16));
  }

  const root = alternation();
  if (i < source.length) fail(`unexpected "${source[i]}"`);
  return root;
}

function asRanges(atom: number | CharSet): number[] {
  return typeof atom === 'number' ? [atom, atom] : atom.ranges;
}
