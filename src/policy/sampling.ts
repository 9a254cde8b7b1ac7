import { z } from 'zod';
import { checkGlob, matchGlobs } from './glob.js';

/**
 * Sampling rules: whether a server's `sampling/createMessage` may reach the model without a person. They live beside
 * the tool rules (`sampling:` in a policy) and are read the same way, first match wins; no match asks. A policy's
 * `default` never applies to sampling: even `default: allow` lets no server use the model on its own. An `allow`
 * must name a token budget per session, so a server allowed to sample can never spend without bound.
 */

export const MAX_SAMPLING_RULES = 100;
/** The largest budget a rule may give (tokens per server and session). */
export const MAX_SAMPLING_BUDGET = 10_000_000;

const glob = z.string().superRefine((value, ctx) => {
  const problem = checkGlob(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const samplingRuleSchema = z
  .strictObject({
    server: z.union([glob, z.array(glob).min(1, 'list at least one glob')], { error: 'expected a glob or a list of globs' }),
    decision: z.enum(['allow', 'deny', 'ask'], { error: 'expected "allow", "deny" or "ask"' }),
    /** Tokens (prompt and answer, as Gemini counts them) this server may use by sampling in one session. */
    maxTokensPerSession: z.number().int().positive().max(MAX_SAMPLING_BUDGET).optional(),
    /** Told to the server (and shown) when this rule denies. */
    message: z.string().min(1).max(2000).optional(),
  })
  .refine((rule) => rule.decision !== 'allow' || rule.maxTokensPerSession !== undefined, {
    error: 'a sampling allow rule needs maxTokensPerSession (a token budget per session)',
    path: ['maxTokensPerSession'],
  });

/** Keys a sampling rule accepts, for "did you mean" hints. */
export const SAMPLING_RULE_KEYS = ['server', 'decision', 'maxTokensPerSession', 'message'] as const;

export const samplingRulesSchema = z
  .array(samplingRuleSchema)
  .max(MAX_SAMPLING_RULES, `at most ${MAX_SAMPLING_RULES} sampling rules`)
  .nullable()
  .transform((rules) => rules ?? undefined)
  // Left out (or empty in YAML) is the same as no rules; left out, it stays out, so older policies read back unchanged.
  .optional();

export type SamplingRule = z.output<typeof samplingRuleSchema>;

/** One sampling request as a policy sees it: which server, how much it already used, and how much it asks for. */
export interface SamplingCall {
  server: string;
  /** Tokens this server already used by sampling in this session. */
  usedTokens: number;
  /** The request's maxTokens: the most its answer may add. */
  maxTokens: number;
}

export interface SamplingVerdict {
  decision: 'allow' | 'deny' | 'ask';
  /** One line for people, e.g. `sampling rule 1 (server everything) allows: 120 + up to 100 of 2000 tokens`. */
  reason: string;
  ruleIndex?: number;
  /** The budget of the rule that decided, if it has one. */
  budget?: number;
  message?: string;
}

/**
 * Decides a sampling request: the first rule whose server glob matches, else ask. An allow whose budget the
 * request could exceed (tokens used plus its maxTokens) asks instead: over budget, a person decides.
 */
export function evaluateSampling(rules: readonly SamplingRule[] | undefined, call: SamplingCall): SamplingVerdict {
  const index = (rules ?? []).findIndex((rule) => matchGlobs(rule.server, call.server));
  const rule = rules?.[index];
  if (!rule) return { decision: 'ask', reason: 'no sampling rule matches this server; sampling asks unless a policy allows it' };
  const head = `sampling rule ${index + 1} ${describeSamplingRule(rule)}`;
  const budget = rule.maxTokensPerSession;
  const base = { ruleIndex: index, ...(budget !== undefined ? { budget } : {}), ...(rule.message ? { message: rule.message } : {}) };
  if (rule.decision !== 'allow' || budget === undefined)
    return { ...base, decision: rule.decision, reason: `${head} ${rule.decision === 'deny' ? 'denies' : 'asks'}` };
  const spend = `${call.usedTokens} used + up to ${call.maxTokens} asked, budget ${budget} tokens per session`;
  if (call.usedTokens + call.maxTokens > budget) return { ...base, decision: 'ask', reason: `${head} allows, but over budget (${spend})` };
  return { ...base, decision: 'allow', reason: `${head} allows within budget (${spend})` };
}

/** A short label for a sampling rule, e.g. `(server everything)`. */
export function describeSamplingRule(rule: SamplingRule): string {
  return `(server ${typeof rule.server === 'string' ? rule.server : `{${rule.server.join(',')}}`})`;
}

/** For `mcpgw policy explain --sampling`: each sampling rule checked, then the verdict. */
export function explainSampling(rules: readonly SamplingRule[], call: SamplingCall): { verdict: SamplingVerdict; lines: string[] } {
  const verdict = evaluateSampling(rules, call);
  const lines = [`sampling request: server ${call.server}, ${call.usedTokens} tokens used in this session, maxTokens ${call.maxTokens}`];
  lines.push(rules.length > 0 ? 'sampling rules (in order; the first match decides):' : 'sampling rules: none');
  for (const [index, rule] of rules.entries()) {
    const head = `  ${index + 1}. ${describeSamplingRule(rule)} ${rule.decision}${rule.maxTokensPerSession ? ` (budget ${rule.maxTokensPerSession})` : ''}`;
    if (index === verdict.ruleIndex) {
      lines.push(`${head}: MATCH`);
      break;
    }
    lines.push(`${head}: no, server ${JSON.stringify(call.server)} does not match`);
  }
  if (verdict.ruleIndex === undefined) lines.push('no match: a person is asked (a headless run declines)');
  lines.push(`verdict: ${verdict.decision.toUpperCase()}: ${verdict.reason}`);
  return { verdict, lines };
}
