import { evaluatePolicy, SESSION_MATCH, type Verdict } from './engine.js';
import { argumentText, describeRule, matchRule, type MatchOptions, type PolicyCall } from './match.js';
import type { Policy, PolicyRule } from './schema.js';

export interface Explanation {
  verdict: Verdict;
  /** For `mcpgw policy explain`: the call, each rule checked and why it did or did not match, the verdict. */
  lines: string[];
}

/** Evaluates a call and says, rule by rule, how the verdict came about. */
export function explainPolicy(policy: Policy, call: PolicyCall, sessionRules: readonly PolicyRule[] = []): Explanation {
  const verdict = evaluatePolicy(policy, call, sessionRules);
  const lines = [`call: ${call.server} ${call.tool} ${shorten(argumentText(call.args) ?? '(arguments not serializable)')}`];
  lines.push(`annotations (the server's claims): ${describeAnnotations(call.annotations)}`);
  if (sessionRules.length > 0) {
    lines.push('session rules (checked first; a policy deny still stands):');
    lines.push(...checkRules(sessionRules, call, SESSION_MATCH).lines);
  }
  if (policy.description !== undefined) lines.push(`policy: ${policy.description}`);
  lines.push(policy.rules.length > 0 ? 'policy rules (in order; the first match decides):' : 'policy rules: none');
  const checked = checkRules(policy.rules, call);
  lines.push(...checked.lines);
  lines.push(`default: ${policy.default}${checked.decided ? ' (not reached)' : ''}`);
  lines.push(`verdict: ${verdict.decision.toUpperCase()}: ${verdict.reason}`);
  if (verdict.message !== undefined) lines.push(`message: ${verdict.message}`);
  return { verdict, lines };
}

/** One line per rule up to and including the first that decides, then one line for the rules not reached. */
function checkRules(rules: readonly PolicyRule[], call: PolicyCall, options: MatchOptions = {}): { lines: string[]; decided: boolean } {
  const lines: string[] = [];
  for (const [index, rule] of rules.entries()) {
    const head = `  ${index + 1}. ${describeRule(rule)} ${rule.decision}`;
    const match = matchRule(rule, call, options);
    if (match.kind === 'miss') {
      lines.push(`${head}: no, ${match.why}`);
      continue;
    }
    if (match.kind === 'unsure' && rule.decision === 'allow') {
      lines.push(`${head}: skipped, ${match.why} (an allow rule never matches on a guess)`);
      continue;
    }
    lines.push(match.kind === 'unsure' ? `${head}: ${match.why}, so it is taken to match` : `${head}: MATCH`);
    const rest = rules.length - index - 1;
    if (rest > 0) lines.push(`  (${rest} later rule${rest === 1 ? '' : 's'} not checked)`);
    return { lines, decided: true };
  }
  return { lines, decided: false };
}

function describeAnnotations(annotations: Record<string, unknown> | undefined): string {
  const entries = Object.entries(annotations ?? {}).filter(([, value]) => value !== undefined);
  return entries.length === 0 ? 'none' : entries.map(([name, value]) => `${name}: ${JSON.stringify(value)}`).join(', ');
}

function shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
