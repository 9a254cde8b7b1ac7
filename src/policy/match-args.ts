import { assertNever } from './never.js';
import { formatPath, isUnder, readPath, resolvedPathText, type PathValue } from './path.js';
import { compilePattern, MAX_TESTED_LENGTH, type PatternOutcome } from './pattern.js';
import type { ArgMatcher } from './schema.js';

/** How one argument fared against its matcher; `unsure` is resolved toward the stricter outcome (see engine.ts). */
export type ArgMatch = { kind: 'match' } | { kind: 'miss'; why: string } | { kind: 'unsure'; why: string };

/** Checks the argument `name` of a call against a rule's matcher for it. A missing argument never matches. */
export function matchArg(name: string, matcher: ArgMatcher, args: Record<string, unknown>): ArgMatch {
  // Own properties only: an argument called "constructor" must not find Object.prototype's.
  const value = Object.hasOwn(args, name) ? args[name] : undefined;
  if (value === undefined) return { kind: 'miss', why: `argument ${quote(name)} is missing` };
  return typeof matcher === 'string' ? matchPattern(name, matcher, value) : matchUnder(name, matcher.under, value);
}

/** The text a pattern sees: strings as they are, other scalars via String(), objects and arrays as JSON. */
export function argumentText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === null) {
    return String(value);
  }
  if (typeof value !== 'object') return undefined;
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // cycles, BigInt inside: never from JSON-RPC, but a rule must not throw
  }
}

/**
 * A pattern is tested against the value as written and, for a string written as a path, against that path resolved
 * (`//etc/x` → `/etc/x`). When the two readings disagree the answer is unsure: a deny on `^/etc` then still denies
 * `/tmp/../etc`, and an allow on `^/workspace/` no longer allows `/workspace/../etc` without asking.
 */
function matchPattern(name: string, source: string, value: unknown): ArgMatch {
  const text = argumentText(value);
  if (text === undefined) return { kind: 'unsure', why: `argument ${quote(name)} cannot be turned into text` };
  if (text.length > MAX_TESTED_LENGTH) return tooLong(name, text.length);
  const compiled = compilePattern(source);
  if (!compiled.ok) return { kind: 'unsure', why: `the pattern for ${quote(name)} is invalid: ${compiled.message}` };
  const overBudget: ArgMatch = { kind: 'unsure', why: `testing argument ${quote(name)} against /${source}/ exceeded the work limit` };
  const written = compiled.pattern.match(text);
  if (written === 'over-budget') return overBudget;
  const resolved = typeof value === 'string' ? resolvedPathText(value) : undefined;
  const asPath: PatternOutcome | undefined = resolved === undefined ? undefined : compiled.pattern.match(resolved);
  if (asPath === 'over-budget') return overBudget;
  if (asPath !== undefined && asPath !== written) {
    const which = written === 'match' ? 'the text as written but not the path' : 'the path but not the text as written';
    return {
      kind: 'unsure',
      why: `argument ${quote(name)} (${preview(text)}) is the path ${preview(resolved!)}, and /${source}/ matches ${which}`,
    };
  }
  switch (written) {
    case 'match':
      return { kind: 'match' };
    case 'no-match':
      return { kind: 'miss', why: `argument ${quote(name)} (${preview(text)}) does not match /${source}/` };
    default:
      return assertNever(written);
  }
}

/** `under`: every path the argument names is at or below one of the directories (a list may name several). */
function matchUnder(name: string, under: string | readonly string[], value: unknown): ArgMatch {
  const dirs = typeof under === 'string' ? [under] : under;
  const places = readDirs(dirs);
  if (!places) return { kind: 'unsure', why: `the path matcher for ${quote(name)} is invalid` };
  const values =
    typeof value === 'string' ? [value] : Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
  if (values === undefined)
    return { kind: 'unsure', why: `argument ${quote(name)} is not a path or a list of paths, so it cannot be placed` };
  if (values.length === 0) return { kind: 'miss', why: `argument ${quote(name)} lists no path` };
  const length = values.reduce((sum, v) => sum + v.length, 0);
  if (length > MAX_TESTED_LENGTH) return tooLong(name, length);
  const where = `under ${dirs.map((d) => quote(d)).join(', ')}`;
  let inside = 0;
  let outside: string | undefined;
  for (const text of values) {
    const reading = readPath(text);
    if (!reading.ok) return { kind: 'unsure', why: `argument ${quote(name)} (${preview(text)}) cannot be placed: ${reading.why}` };
    if (places.some((dir) => isUnder(reading.path, dir))) inside++;
    else outside ??= formatPath(reading.path);
  }
  if (outside === undefined) return { kind: 'match' };
  if (inside === 0) return { kind: 'miss', why: `argument ${quote(name)} is the path ${preview(outside)}, not ${where}` };
  return { kind: 'unsure', why: `argument ${quote(name)} names some paths ${where} and some not (such as ${preview(outside)})` };
}

function readDirs(dirs: readonly string[]): PathValue[] | undefined {
  const places: PathValue[] = [];
  for (const dir of dirs) {
    const reading = readPath(dir);
    if (!reading.ok) return undefined;
    places.push(reading.path);
  }
  return places;
}

function tooLong(name: string, length: number): ArgMatch {
  return {
    kind: 'unsure',
    why: `argument ${quote(name)} is ${length} characters, over the ${MAX_TESTED_LENGTH} that patterns are tested against`,
  };
}

const quote = (text: string): string => JSON.stringify(text);

function preview(text: string): string {
  const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
  return text.length > 60 ? `${shown}, ${text.length} characters` : shown;
}
