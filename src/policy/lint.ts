import { describeRule, matchesEveryCall } from './rule-facts.js';
import type { Policy } from './schema.js';

export { matchesEveryCall } from './rule-facts.js';

export interface PolicyWarning {
  /** `danger`: calls run with no human asked. Show it loudly. */
  level: 'danger' | 'warning';
  message: string;
  ruleIndex?: number;
}

/** Things in a valid policy that are probably not meant: allowing everything, rules that can never match. */
export function lintPolicy(policy: Policy): PolicyWarning[] {
  const warnings: PolicyWarning[] = [];
  const catchAll = policy.rules.findIndex(matchesEveryCall);
  const catchAllRule = policy.rules[catchAll];
  if (catchAllRule?.decision === 'allow') {
    warnings.push({
      level: 'danger',
      message: `rule ${catchAll + 1} ${describeRule(catchAllRule)} allows every call without asking`,
      ruleIndex: catchAll,
    });
  } else if (catchAll === -1 && policy.default === 'allow') {
    warnings.push({ level: 'danger', message: 'default: allow runs every call that no rule stops, without asking' });
  }
  if (catchAllRule) {
    const after = policy.rules.length - catchAll - 1;
    const unreachable = after === 0 ? 'the default' : `rules ${catchAll + 2}-${policy.rules.length} and the default`;
    warnings.push({
      level: 'warning',
      message: `rule ${catchAll + 1} matches every call, so ${unreachable} can never apply`,
      ruleIndex: catchAll,
    });
  }
  return warnings;
}
