import { RE2JS, RE2JSException } from 're2js';
import { PatternSyntaxError, toRe2 } from './pattern-dialect.js';

/**
 * Policy `args` patterns are written in JavaScript regex syntax but never run on the backtracking RegExp engine:
 * the value being tested comes from the model (which a prompt injection may steer), and on V8 even innocent
 * patterns blow up on crafted input (measured: /\d*\d*x/ on 4,096 digits takes 18 s, /(a+)+$/ is exponential).
 * They run on re2js, a maintained port of RE2: time is linear in the value's length whatever the input. Linear is
 * not free, though: the factor is the compiled program's size, and a 500-character pattern can compile to tens of
 * thousands of instructions (measured: one of 21,003 took 76 s on a 256 KB value when RE2's DFA gave up and its
 * NFA ran). So the program size is capped and a test whose size × length exceeds a budget is not run.
 */

/** Longest pattern source accepted. */
export const MAX_PATTERN_LENGTH = 500;
/** Largest compiled program (re2js `programSize()`; counted repeats like `a{50}` are expanded into copies). */
export const MAX_PROGRAM_SIZE = 5000;
/** Longest argument value (in UTF-16 code units) a pattern is tested against; longer ones are not tested. */
export const MAX_TESTED_LENGTH = 256 * 1024;
/**
 * Work budget for one test: program size × value length (at most ~14 ns each when RE2 falls back to its NFA, so
 * about 0.15 s). An estimate made before running rather than a clock, so the verdict is the same on every machine.
 */
export const MAX_WORK = 10_000_000;

/** `over-budget`: the test was not run because it could exceed MAX_WORK, so the answer is unknown. */
export type PatternOutcome = 'match' | 'no-match' | 'over-budget';

export interface SafePattern {
  readonly source: string;
  /** Whether the pattern matches anywhere in `value`, as `new RegExp(source).test(value)` would say. */
  match(value: string): PatternOutcome;
}

export type PatternResult = { ok: true; pattern: SafePattern } | { ok: false; message: string };

const cache = new Map<string, PatternResult>();
const CACHE_LIMIT = 500;

/** Validates and compiles a policy pattern; never throws. Results are cached by source. */
export function compilePattern(source: string): PatternResult {
  const cached = cache.get(source);
  if (cached) return cached;
  const result = compileUncached(source);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(source, result);
  return result;
}

function compileUncached(source: string): PatternResult {
  if (source.length > MAX_PATTERN_LENGTH) {
    return { ok: false, message: `pattern is ${source.length} characters; the limit is ${MAX_PATTERN_LENGTH}` };
  }
  try {
    // Only parsed, never run: the platform's parser gives the standard message for plain syntax errors, and keeps
    // the dialect exactly JavaScript's.
    new RegExp(source);
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  let re2: RE2JS;
  try {
    re2 = RE2JS.compile(toRe2(source));
  } catch (err) {
    if (err instanceof PatternSyntaxError) return { ok: false, message: err.message };
    // toRe2 has refused single counts over its limit, so this is RE2's cap on nested counts multiplied out.
    if (err instanceof RE2JSException && /invalid repeat count|expression too large/.test(err.message)) return tooLarge();
    return { ok: false, message: `cannot compile pattern: ${err instanceof Error ? err.message : String(err)}` };
  }
  const size = re2.programSize();
  if (size > MAX_PROGRAM_SIZE) return tooLarge();
  const match = (value: string): PatternOutcome => {
    if (size * value.length > MAX_WORK) return 'over-budget';
    return re2.test(value) ? 'match' : 'no-match';
  };
  return { ok: true, pattern: { source, match } };
}

function tooLarge(): PatternResult {
  return {
    ok: false,
    message: `pattern is too large once its counted repeats are expanded (limit ${MAX_PROGRAM_SIZE} steps; nested counts multiply)`,
  };
}
