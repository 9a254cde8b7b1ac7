import { escapeGlob } from './glob.js';
import { describeRule, formatClaim, matchRule, type AnnotationClaim, type MatchOptions, type PolicyCall, type RuleMatch } from './match.js';
import type { Decision, Policy, PolicyRule } from './schema.js';

export type VerdictSource = 'session' | 'policy' | 'default';

export interface Verdict {
  decision: Decision;
  source: VerdictSource;
  /** Index (from 0) into the session rules or `policy.rules`, per `source`; reasons count from 1, as people do. */
  ruleIndex?: number;
  rule?: PolicyRule;
  /** The deciding rule's message, for the model and the user. */
  message?: string;
  /** One line for people, e.g. `rule 3 (filesystem read_*) allows`. */
  reason: string;
  /** Annotations the deciding rule relied on: the server's own, unverified claims (or MCP defaults). Show as such. */
  claims?: AnnotationClaim[];
}

/** The first rule that decides a call, with how it matched. */
export interface RuleHit {
  index: number;
  rule: PolicyRule;
  match: Exclude<RuleMatch, { kind: 'miss' }>;
}

const VERBS: Record<Decision, string> = { allow: 'allows', deny: 'denies', ask: 'asks' };

/**
 * Decides a call: the policy's rules in order, first match wins, else `policy.default`. Session rules ("always
 * allow this tool") are consulted before the policy's rules, with one exception: a policy `deny` stands. A session
 * approval only stops repeated questions; it must not lift, say, a deny on certain arguments of the same tool.
 * Pure, synchronous and deterministic.
 */
export function evaluatePolicy(policy: Policy, call: PolicyCall, sessionRules: readonly PolicyRule[] = []): Verdict {
  const sessionHit = firstHit(sessionRules, call, SESSION_MATCH);
  if (sessionHit?.rule.decision === 'deny') return hitVerdict('session', sessionHit);
  const policyHit = firstHit(policy.rules, call);
  const policyVerdict: Verdict = policyHit
    ? hitVerdict('policy', policyHit)
    : { decision: policy.default, source: 'default', reason: `no rule matched; default is ${policy.default}` };
  if (!sessionHit) return policyVerdict;
  if (policyVerdict.decision === 'deny') {
    const session = `session rule ${sessionHit.index + 1} ${describeRule(sessionHit.rule)}`;
    return { ...policyVerdict, reason: `${policyVerdict.reason}; a policy deny is not lifted by ${session}` };
  }
  return hitVerdict('session', sessionHit);
}

/** Session rules bind to the exact tool a person answered for, case included. */
export const SESSION_MATCH: MatchOptions = { exactToolCase: true };

/**
 * The first rule that decides `call`. A rule whose arguments could not be tested ("unsure") is resolved toward the
 * stricter outcome: an `allow` rule is skipped, a `deny` or `ask` rule decides. Padding an argument past the size
 * limit must never turn a deny into an allow further down.
 */
export function firstHit(rules: readonly PolicyRule[], call: PolicyCall, options: MatchOptions = {}): RuleHit | undefined {
  for (const [index, rule] of rules.entries()) {
    const match = matchRule(rule, call, options);
    if (match.kind === 'match' || (match.kind === 'unsure' && rule.decision !== 'allow')) {
      return { index, rule, match };
    }
  }
  return undefined;
}

function hitVerdict(source: 'session' | 'policy', hit: RuleHit): Verdict {
  const { index, rule, match } = hit;
  let reason = `${source === 'session' ? 'session rule' : 'rule'} ${index + 1} ${describeRule(rule)} ${VERBS[rule.decision]}`;
  if (match.claims.length > 0) reason += `: ${match.claims.map(formatClaim).join(', ')}`;
  if (match.kind === 'unsure') reason += ` (${match.why}, so this ${rule.decision} rule is taken to match)`;
  const verdict: Verdict = { decision: rule.decision, source, ruleIndex: index, rule, reason };
  if (rule.message !== undefined) verdict.message = rule.message;
  if (match.claims.length > 0) verdict.claims = match.claims;
  return verdict;
}

/** A session rule for one exact server and tool, any arguments: what "always, for this session" creates. */
export function sessionRuleFor(server: string, tool: string, decision: Decision = 'allow'): PolicyRule {
  return {
    name: `always ${decision} ${server} ${tool} (this session)`,
    // Escaped: a tool may be named "*", and approving it must not approve every tool of the server.
    server: escapeGlob(server),
    tool: escapeGlob(tool),
    decision,
  };
}
