import { ANNOTATION_DEFAULTS, type AnnotationName } from './annotations.js';
import { describeRule, matchesEveryCall, matchesEveryName } from './rule-facts.js';
import type { Policy, PolicyRule } from './schema.js';

/**
 * How far a policy lets tools run with no human looking, judged from its content (never its name):
 * - `dangerous`: some call of any tool of any server runs unasked — `default: allow` is reachable, or an allow rule
 *   has no server, tool or argument constraint (annotation tests that a silent server passes do not count).
 * - `trusts-claims`: an allow rests on what a server says about itself — its annotations (`readOnlyHint: true`…),
 *   or a tool name matched on every server (each server names its own tools).
 * - `safe`: calls run unasked only where the user named the server (and maybe tool and arguments).
 */
export type PolicyLevel = 'safe' | 'trusts-claims' | 'dangerous';

export interface PolicyAssessment {
  level: PolicyLevel;
  /** One sentence per rule (or the default) behind the level, in rule order; also notes server-wide allows. */
  reasons: string[];
}

const RANK: Record<PolicyLevel, number> = { safe: 0, 'trusts-claims': 1, dangerous: 2 };

/** Each level in a few words, the same in every client and command. */
export const LEVEL_TEXT: Record<PolicyLevel, { label: string; meaning: string }> = {
  safe: { label: 'safe', meaning: 'a human decides each call unless a rule names its server' },
  'trusts-claims': {
    label: 'TRUSTS SERVER CLAIMS',
    meaning: 'some tools run without asking because their own server says they are harmless (unverified)',
  },
  dangerous: { label: 'DANGEROUS', meaning: 'tools of any server run without asking' },
};

/** A policy's name with its level when that is not safe, e.g. `read-only (TRUSTS SERVER CLAIMS)`: for one-line mentions. */
export function policyWithLevel(name: string, assessment: PolicyAssessment): string {
  return assessment.level === 'safe' ? name : `${name} (${LEVEL_TEXT[assessment.level].label})`;
}

/** `assessment: LABEL — meaning`, then one indented line per reason: for terminals. */
export function formatAssessment(assessment: PolicyAssessment): string[] {
  const { label, meaning } = LEVEL_TEXT[assessment.level];
  return [`assessment: ${label} — ${meaning}`, ...assessment.reasons.map((reason) => `  ${reason}`)];
}

/** Judges a policy by what it lets run without asking (see PolicyLevel). Pure; light enough for any client. */
export function assessPolicy(policy: Policy): PolicyAssessment {
  let level: PolicyLevel = 'safe';
  const reasons: string[] = [];
  const note = (at: PolicyLevel, reason: string): void => {
    if (RANK[at] > RANK[level]) level = at;
    reasons.push(reason);
  };
  // Rules after one that matches every call are never reached, nor is the default.
  const catchAll = policy.rules.findIndex(matchesEveryCall);
  const reachable = catchAll === -1 ? policy.rules : policy.rules.slice(0, catchAll + 1);
  for (const [index, rule] of reachable.entries()) {
    if (rule.decision !== 'allow') continue;
    const label = `rule ${index + 1} ${describeRule(rule)}`;
    const claims = claimsRequired(rule);
    const anyServer = matchesEveryName(rule.server);
    const anyTool = matchesEveryName(rule.tool);
    if (claims.length > 0) {
      note('trusts-claims', `${label} allows a tool because its server claims ${claims.join(', ')} (the server's own, unverified claim)`);
    } else if (anyServer && anyTool && rule.args === undefined) {
      const silent = rule.annotations === undefined ? '' : ' that makes no claim to the contrary';
      note('dangerous', `${label} allows every tool of every server${silent}, without asking`);
    } else if (anyServer && !anyTool) {
      note('trusts-claims', `${label} allows tools by name on every server, and each server names its own tools`);
    } else if (!anyServer && anyTool && rule.args === undefined) {
      note('safe', `${label} allows every tool of server ${globList(rule.server)} without asking`);
    }
  }
  if (catchAll === -1 && policy.default === 'allow') {
    note('dangerous', 'default: allow runs every call that no rule stops, without asking');
  }
  // Sampling is not a tool call and leaves the level alone, but a server that may use the model unasked is said.
  for (const [index, rule] of (policy.sampling ?? []).entries()) {
    if (rule.decision !== 'allow') continue;
    const servers = typeof rule.server === 'string' ? rule.server : rule.server.join(', ');
    note(
      'safe',
      `sampling rule ${index + 1} lets ${servers} use the model without asking, up to ${rule.maxTokensPerSession ?? 0} tokens per session`,
    );
  }
  return { level, reasons };
}

/**
 * The annotation values a rule needs a server to state, as "name: value". A value equal to what MCP assumes when a
 * server is silent (`destructiveHint: true`…) needs no claim: a server that says nothing passes it.
 */
function claimsRequired(rule: PolicyRule): string[] {
  const required: string[] = [];
  const stated = rule.annotations ?? {};
  for (const [name, value] of Object.entries(stated) as [AnnotationName, unknown][]) {
    if (value === undefined) continue;
    // Destructive and idempotent hints are not assumed for a tool claiming read-only, so the rule needs them stated.
    const assumed =
      (name === 'destructiveHint' || name === 'idempotentHint') && stated.readOnlyHint === true ? undefined : ANNOTATION_DEFAULTS[name];
    if (value !== assumed) required.push(`${name}: ${JSON.stringify(value)}`);
  }
  return required;
}

function globList(globs: string | readonly string[] | undefined): string {
  return typeof globs === 'string' ? globs : (globs ?? []).join(', ');
}
