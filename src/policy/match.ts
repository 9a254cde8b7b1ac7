import { matchGlobs } from './glob.js';
import { matchArg } from './match-args.js';
import { ANNOTATION_DEFAULTS, type AnnotationName } from './annotations.js';
import type { PolicyRule } from './schema.js';

export { argumentText } from './match-args.js';
export { describeRule } from './rule-facts.js';

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

export interface MatchOptions {
  /**
   * Match tool globs case-sensitively. Policy rules ignore case: a tool's name is its server's choice, and a deny on
   * `*delete*` must catch `Delete_file`. A session rule ("always allow this tool") binds to the exact tool a person
   * approved, and must not also approve a sibling that differs only in case.
   */
  exactToolCase?: boolean;
}

/**
 * Checks one rule against a call: server, tool, annotations, then args (the costliest) last. Server globs are
 * case-sensitive (server names are the user's own, from the config); tool globs are not, unless `exactToolCase`.
 */
export function matchRule(rule: PolicyRule, call: PolicyCall, options: MatchOptions = {}): RuleMatch {
  if (rule.server !== undefined && !matchGlobs(rule.server, call.server)) {
    return { kind: 'miss', why: `server ${quote(call.server)} does not match ${describeGlobs(rule.server)}` };
  }
  if (rule.tool !== undefined && !matchGlobs(rule.tool, call.tool, { ignoreCase: options.exactToolCase !== true })) {
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
  for (const [name, matcher] of Object.entries(rule.args ?? {})) {
    const result = matchArg(name, matcher, call.args);
    if (result.kind === 'miss') return result;
    if (result.kind === 'unsure') unsure ??= result.why;
  }
  return unsure === undefined ? { kind: 'match', claims } : { kind: 'unsure', why: unsure, claims };
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

function describeGlobs(globs: string | readonly string[]): string {
  return typeof globs === 'string' ? quote(globs) : `any of ${globs.map(quote).join(', ')}`;
}

const quote = (text: string): string => JSON.stringify(text);
