import { matchGlobs } from './glob.js';
import { assertNever } from './never.js';
import { compilePattern, MAX_TESTED_LENGTH } from './pattern.js';
import { ANNOTATION_DEFAULTS, type AnnotationName, type PolicyRule } from './schema.js';

/** The facts about one tool call that a policy looks at. */
export interface PolicyCall {
  server: string;
  tool: string;
  args: Record<string, unknown>;
  /** The tool's MCP annotations as its server declared them; claims, not verified facts. */
  annotations?: Record<string, unknown> | undefined;
}

/** An annotation value a rule relied on: stated by the server (unverified), or the MCP default when it is silent. */
export interface AnnotationClaim {
  name: AnnotationName;
  value: boolean | string;
  stated: boolean;
}

/**
 * `unsure`: every matcher that could be checked matched, but an argument could not be tested (too long, too costly
 * or not serializable). The engine resolves that toward the stricter outcome; see `engine.ts`.
 */
export type RuleMatch =
  { kind: 'match'; claims: AnnotationClaim[] } | { kind: 'miss'; why: string } | { kind: 'unsure'; why: string; claims: AnnotationClaim[] };

/** Checks one rule against a call: server, tool, annotations, then args (the costliest) last. */
export function matchRule(rule: PolicyRule, call: PolicyCall): RuleMatch {
  if (rule.server !== undefined && !matchGlobs(rule.server, call.server)) {
    return { kind: 'miss', why: `server ${quote(call.server)} does not match ${describeGlobs(rule.server)}` };
  }
  if (rule.tool !== undefined && !matchGlobs(rule.tool, call.tool)) {
    return { kind: 'miss', why: `tool ${quote(call.tool)} does not match ${describeGlobs(rule.tool)}` };
  }
  const claims: AnnotationClaim[] = [];
  for (const [name, expected] of Object.entries(rule.annotations ?? {}) as [AnnotationName, unknown][]) {
    if (expected === undefined) continue;
    const claim = annotationValue(call.annotations, name);
    if (claim === undefined) return { kind: 'miss', why: `the server does not set ${name}` };
    if (!('stated' in claim)) {
      return { kind: 'miss', why: `the server sets ${name} to ${JSON.stringify(claim.invalid)}, which is not a ${typeof expected}` };
    }
    if (claim.value !== expected) {
      return { kind: 'miss', why: `${formatClaim(claim)}, not ${name}: ${JSON.stringify(expected)}` };
    }
    claims.push(claim);
  }
  let unsure: string | undefined;
  for (const [name, source] of Object.entries(rule.args ?? {})) {
    const result = matchArg(name, source, call.args);
    if (result.kind === 'miss') return result;
    if (result.kind === 'unsure') unsure ??= result.why;
  }
  return unsure === undefined ? { kind: 'match', claims } : { kind: 'unsure', why: unsure, claims };
}

type ArgMatch = { kind: 'match' } | { kind: 'miss'; why: string } | { kind: 'unsure'; why: string };

function matchArg(name: string, source: string, args: Record<string, unknown>): ArgMatch {
  // Own properties only: an argument called "constructor" must not find Object.prototype's.
  const value = Object.hasOwn(args, name) ? args[name] : undefined;
  if (value === undefined) return { kind: 'miss', why: `argument ${quote(name)} is missing` };
  const text = argumentText(value);
  if (text === undefined) return { kind: 'unsure', why: `argument ${quote(name)} cannot be turned into text` };
  if (text.length > MAX_TESTED_LENGTH) {
    return {
      kind: 'unsure',
      why: `argument ${quote(name)} is ${text.length} characters, over the ${MAX_TESTED_LENGTH} that patterns are tested against`,
    };
  }
  const compiled = compilePattern(source);
  if (!compiled.ok) return { kind: 'unsure', why: `the pattern for ${quote(name)} is invalid: ${compiled.message}` };
  const outcome = compiled.pattern.match(text);
  switch (outcome) {
    case 'match':
      return { kind: 'match' };
    case 'no-match':
      return { kind: 'miss', why: `argument ${quote(name)} (${preview(text)}) does not match /${source}/` };
    case 'over-budget':
      return { kind: 'unsure', why: `testing argument ${quote(name)} against /${source}/ exceeded the work limit` };
    default:
      return assertNever(outcome);
  }
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

/** What the call says (or MCP assumes) about one annotation; `invalid` when the server sent a value of the wrong type. */
function annotationValue(
  annotations: Record<string, unknown> | undefined,
  name: AnnotationName,
): AnnotationClaim | { invalid: unknown } | undefined {
  const stated = annotations !== undefined && Object.hasOwn(annotations, name) ? annotations[name] : undefined;
  if (stated !== undefined) {
    const expectedType = name === 'title' ? 'string' : 'boolean';
    return typeof stated === expectedType ? { name, value: stated as boolean | string, stated: true } : { invalid: stated };
  }
  // The spec says destructive/idempotent hints mean something only for tools that are not read-only.
  if ((name === 'destructiveHint' || name === 'idempotentHint') && annotations?.['readOnlyHint'] === true) {
    return undefined;
  }
  const fallback = ANNOTATION_DEFAULTS[name];
  return fallback === undefined ? undefined : { name, value: fallback, stated: false };
}

/** "the server claims readOnlyHint: true" or "the server does not set destructiveHint, which MCP takes as true". */
export function formatClaim(claim: AnnotationClaim): string {
  const value = JSON.stringify(claim.value);
  return claim.stated ? `the server claims ${claim.name}: ${value}` : `the server does not set ${claim.name}, which MCP takes as ${value}`;
}

/** A short label for a rule: its name, or a summary of its matchers, e.g. `(filesystem read_*)`. */
export function describeRule(rule: PolicyRule): string {
  if (rule.name !== undefined) return quote(rule.name);
  const parts: string[] = [];
  if (rule.server !== undefined && rule.tool !== undefined) {
    parts.push(`${globText(rule.server)} ${globText(rule.tool)}`);
  } else if (rule.server !== undefined) parts.push(`server ${globText(rule.server)}`);
  else if (rule.tool !== undefined) parts.push(`tool ${globText(rule.tool)}`);
  const argNames = Object.keys(rule.args ?? {});
  if (argNames.length > 0) parts.push(`args ${argNames.join(', ')}`);
  for (const [name, value] of Object.entries(rule.annotations ?? {})) {
    if (value !== undefined) parts.push(`${name}: ${JSON.stringify(value)}`);
  }
  return `(${parts.length > 0 ? parts.join(', ') : 'every call'})`;
}

function globText(globs: string | readonly string[]): string {
  return typeof globs === 'string' ? globs : `{${globs.join(',')}}`;
}

function describeGlobs(globs: string | readonly string[]): string {
  return typeof globs === 'string' ? quote(globs) : `any of ${globs.map(quote).join(', ')}`;
}

const quote = (text: string): string => JSON.stringify(text);

function preview(text: string): string {
  const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
  return text.length > 60 ? `${shown}, ${text.length} characters` : shown;
}
