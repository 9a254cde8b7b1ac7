import type { PolicyRule } from './schema.js';

// What can be said about a rule without a call. No runtime imports: the assessment uses these, and it must stay
// light enough for any client bundle.

/** A short label for a rule: its name, or a summary of its matchers, e.g. `(filesystem read_*)`. */
export function describeRule(rule: PolicyRule): string {
  if (rule.name !== undefined) return JSON.stringify(rule.name);
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

/** True when the globs (or their absence) match every name: some glob is made of `*` only. */
export function matchesEveryName(globs: string | readonly string[] | undefined): boolean {
  return globs === undefined || (typeof globs === 'string' ? [globs] : globs).some((glob) => /^\*+$/.test(glob));
}

/** True for a rule with no matchers, or only globs that are all "*". */
export function matchesEveryCall(rule: PolicyRule): boolean {
  return matchesEveryName(rule.server) && matchesEveryName(rule.tool) && rule.args === undefined && rule.annotations === undefined;
}
