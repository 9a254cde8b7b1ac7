import { assertNever } from './never.js';
import { parsePatternSyntax, PatternSyntaxError, type AssertKind, type PatternNode } from './pattern-syntax.js';

/**
 * Policy `args` patterns are written in JavaScript regex syntax but never run on the backtracking RegExp engine:
 * the value being tested comes from the model (which a prompt injection may steer), and on V8 even innocent
 * patterns blow up on crafted input (measured: /\d*\d*x/ on 4,096 digits takes 18 s, /\d*\d*\d*x/ on 1,024 takes
 * 99 s, /(a+)+$/ is exponential). Rejecting "nested quantifiers" only removes the exponential cases, and capping
 * the value length cannot save a cubic pattern. So patterns compile to an NFA simulated in lock step (Pike VM):
 * time is O(value length × pattern size) whatever the input, at the price of refusing backreferences and
 * lookaround, which a policy can do without.
 */

/** Longest pattern source accepted. */
export const MAX_PATTERN_LENGTH = 500;
/** Largest compiled automaton (counted repeats like `a{50}` are expanded into copies). */
export const MAX_PROGRAM_SIZE = 5000;
/** Longest argument value (in UTF-16 code units) a pattern is tested against; longer ones are not tested. */
export const MAX_TESTED_LENGTH = 256 * 1024;
/**
 * Work budget for one test, in automaton steps (about 0.1 s). Size caps alone would allow pattern size × value
 * length ≈ 10⁹ steps; a deterministic count rather than a clock keeps the verdict the same on every machine.
 */
export const MAX_STEPS = 10_000_000;

/** `over-budget`: the test was stopped after MAX_STEPS, so the answer is unknown. */
export type PatternOutcome = 'match' | 'no-match' | 'over-budget';

export interface SafePattern {
  readonly source: string;
  /** Whether the pattern matches anywhere in `value`, as `new RegExp(source).test(value)` would say. */
  match(value: string): PatternOutcome;
}

export type PatternResult = { ok: true; pattern: SafePattern } | { ok: false; message: string };

type Instruction =
  | { op: 'char'; ranges: number[] }
  | { op: 'split'; x: number; y: number }
  | { op: 'jump'; x: number }
  | { op: 'assert'; kind: AssertKind }
  | { op: 'match' };

class ProgramTooLarge extends Error {}

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
    // The platform's parser gives the standard message for plain syntax errors.
    new RegExp(source);
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  try {
    const program = compileProgram(parsePatternSyntax(source));
    return { ok: true, pattern: { source, match: (value) => run(program, value) } };
  } catch (err) {
    if (err instanceof PatternSyntaxError) return { ok: false, message: err.message };
    if (err instanceof ProgramTooLarge) {
      return { ok: false, message: `pattern is too large once its counted repeats are expanded (limit ${MAX_PROGRAM_SIZE} steps)` };
    }
    return { ok: false, message: `cannot compile pattern: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function compileProgram(root: PatternNode): Instruction[] {
  const program: Instruction[] = [];
  const emit = (instruction: Instruction): number => {
    if (program.length >= MAX_PROGRAM_SIZE) throw new ProgramTooLarge();
    return program.push(instruction) - 1;
  };
  const split = (): { op: 'split'; x: number; y: number } => {
    const instruction = { op: 'split' as const, x: 0, y: 0 };
    emit(instruction);
    return instruction;
  };

  const compile = (node: PatternNode): void => {
    switch (node.t) {
      case 'set':
        emit({ op: 'char', ranges: node.ranges });
        return;
      case 'assert':
        emit({ op: 'assert', kind: node.kind });
        return;
      case 'seq':
        for (const item of node.items) compile(item);
        return;
      case 'alt': {
        const exits: { op: 'jump'; x: number }[] = [];
        node.options.forEach((option, index) => {
          if (index === node.options.length - 1) return compile(option);
          const fork = split();
          fork.x = program.length;
          compile(option);
          const exit = { op: 'jump' as const, x: 0 };
          emit(exit);
          exits.push(exit);
          fork.y = program.length;
        });
        for (const exit of exits) exit.x = program.length;
        return;
      }
      case 'repeat': {
        for (let n = 0; n < node.min; n++) compile(node.node);
        if (node.max === Infinity) {
          const loop = split();
          const start = program.length - 1;
          loop.x = program.length;
          compile(node.node);
          emit({ op: 'jump', x: start });
          loop.y = program.length;
          return;
        }
        const optional: { op: 'split'; x: number; y: number }[] = [];
        for (let n = node.min; n < node.max; n++) {
          const fork = split();
          fork.x = program.length;
          optional.push(fork);
          compile(node.node);
        }
        for (const fork of optional) fork.y = program.length;
        return;
      }
      default:
        return assertNever(node);
    }
  };
  compile(root);
  emit({ op: 'match' });
  return program;
}

const isWordUnit = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x61 && c <= 0x7a);

function inRanges(ranges: readonly number[], c: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) {
    if (c < ranges[i]!) return false;
    if (c <= ranges[i + 1]!) return true;
  }
  return false;
}

/** Runs all threads of the automaton in lock step over `value`; each instruction is visited once per position. */
function run(program: readonly Instruction[], value: string): PatternOutcome {
  const size = program.length;
  const lastSeen = new Int32Array(size).fill(-1);
  const stack = new Int32Array(2 * size + 2);
  let current = new Int32Array(size);
  let next = new Int32Array(size);
  let currentCount = 0;
  let nextCount = 0;
  let steps = 0;
  const first = program[0];
  const anchored = first?.op === 'assert' && first.kind === 'start';

  const wordAt = (pos: number): boolean => pos >= 0 && pos < value.length && isWordUnit(value.charCodeAt(pos));
  const holds = (kind: AssertKind, pos: number): boolean => {
    switch (kind) {
      case 'start':
        return pos === 0;
      case 'end':
        return pos === value.length;
      case 'word':
        return wordAt(pos - 1) !== wordAt(pos);
      case 'nonword':
        return wordAt(pos - 1) === wordAt(pos);
      default:
        return assertNever(kind);
    }
  };

  /** Follows jumps, splits and assertions from `pc` at `pos`; queues Char steps into `next`; true on Match. */
  const addThread = (pc: number, pos: number): boolean => {
    let top = 0;
    stack[top++] = pc;
    while (top > 0) {
      const at = stack[--top]!;
      steps++;
      if (lastSeen[at] === pos) continue;
      lastSeen[at] = pos;
      const instruction = program[at]!;
      switch (instruction.op) {
        case 'char':
          next[nextCount++] = at;
          break;
        case 'split':
          stack[top++] = instruction.y;
          stack[top++] = instruction.x;
          break;
        case 'jump':
          stack[top++] = instruction.x;
          break;
        case 'assert':
          if (holds(instruction.kind, pos)) stack[top++] = at + 1;
          break;
        case 'match':
          return true;
      }
    }
    return false;
  };

  if (addThread(0, 0)) return 'match';
  for (let pos = 0; pos < value.length; pos++) {
    [current, next] = [next, current];
    currentCount = nextCount;
    nextCount = 0;
    const c = value.charCodeAt(pos);
    for (let t = 0; t < currentCount; t++) {
      const pc = current[t]!;
      const instruction = program[pc] as { ranges: number[] };
      if (inRanges(instruction.ranges, c) && addThread(pc + 1, pos + 1)) return 'match';
    }
    steps += currentCount;
    // Unanchored search: a match may also start at the next position.
    if (!anchored && addThread(0, pos + 1)) return 'match';
    if (nextCount === 0 && anchored) return 'no-match';
    if (steps > MAX_STEPS) return 'over-budget';
  }
  return 'no-match';
}
