import { z } from 'zod';
import { parseEgressRule } from '../config/egress.js';
import { checkGlob, matchGlobs } from './glob.js';

// Not schema.ts's decisionSchema: schema.ts imports this file, and a cycle would leave it undefined here.
const decisionSchema = z.enum(['allow', 'deny', 'ask'], { error: 'expected "allow", "deny" or "ask"' });
type Decision = z.infer<typeof decisionSchema>;

/**
 * `egress:` rules of a policy: what happens when a sandbox on an allowlist asks for a name or port its list does not
 * cover. First match wins; no match asks a person (and a headless run denies). A rule can only let through what the
 * gateway can enforce: a name (or `*.suffix`) and ports. Raw IP addresses, the host, metadata and other sandboxes are
 * refused by the gateway before any rule is consulted.
 */

const serverGlobs = z.union(
  [
    z.string().superRefine((value, ctx) => {
      const problem = checkGlob(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    z.array(z.string()).min(1, 'list at least one glob'),
  ],
  { error: 'expected a glob or a list of globs' },
);

/** A name as in an allowlist ("api.github.com", "*.context7.com"), or "*" for any name (for deny and ask rules). */
const hostPattern = z.string().superRefine((value, ctx) => {
  if (value === '*') return;
  const parsed = parseEgressRule(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  else if (/:\d+$/.test(value.trim()) || /^https?:/i.test(value.trim()))
    ctx.addIssue({ code: 'custom', message: 'give the port as "port:", not in the host' });
});

const port = z.number().int().min(1).max(65535);

export const egressPolicyRuleSchema = z
  .strictObject({
    name: z.string().min(1).max(200).optional(),
    server: serverGlobs.optional(),
    host: hostPattern,
    /** Any port when left out. */
    port: z.union([port, z.array(port).min(1)]).optional(),
    decision: decisionSchema,
  })
  .refine((rule) => !(rule.host === '*' && rule.decision === 'allow'), {
    error: 'host "*" cannot be allowed: a sandbox on an allowlist may only be given names',
  });

export type EgressPolicyRule = z.output<typeof egressPolicyRuleSchema>;

/** A name (and port, when a connection named one) a sandbox asked for. */
export interface EgressRequest {
  server: string;
  host: string;
  port?: number | undefined;
}

export interface EgressVerdict {
  decision: Decision;
  /** Index (from 0) of the deciding rule in `egress`, when one decided. */
  ruleIndex?: number;
  reason: string;
}

/** Decides an egress request: the first matching rule, else ask (a person, or a headless run's deny). */
export function evaluateEgress(rules: readonly EgressPolicyRule[] | undefined, request: EgressRequest): EgressVerdict {
  for (const [index, rule] of (rules ?? []).entries()) {
    if (matchEgressRule(rule, request) === true) {
      return {
        decision: rule.decision,
        ruleIndex: index,
        reason: `egress rule ${index + 1} ${describeEgressRule(rule)} ${verb(rule.decision)}`,
      };
    }
  }
  return { decision: 'ask', reason: 'no egress rule matched; a person is asked' };
}

/** True when the rule covers the request; otherwise why not. */
export function matchEgressRule(rule: EgressPolicyRule, request: EgressRequest): true | string {
  if (rule.server !== undefined && !matchGlobs(rule.server, request.server))
    return `server ${request.server} is not ${JSON.stringify(rule.server)}`;
  if (!hostMatches(rule.host, request.host)) return `${request.host} is not ${rule.host}`;
  if (rule.port !== undefined) {
    const ports = Array.isArray(rule.port) ? rule.port : [rule.port];
    // A lookup names no port: only a rule for any port can decide it.
    if (request.port === undefined || !ports.includes(request.port))
      return request.port === undefined ? 'a lookup names no port' : `port ${request.port} is not ${ports.join(', ')}`;
  }
  return true;
}

/** `server x host *.example.com port 443`, for reasons and explain lines. */
export function describeEgressRule(rule: EgressPolicyRule): string {
  const parts = [`(${rule.name ? `${rule.name}: ` : ''}`];
  if (rule.server !== undefined) parts.push(`server ${[rule.server].flat().join('|')} `);
  parts.push(`host ${rule.host}`);
  if (rule.port !== undefined) parts.push(` port ${[rule.port].flat().join('|')}`);
  return `${parts.join('')})`;
}

/** Explain lines for one request: each rule checked up to the first match, then the verdict. */
export function explainEgress(
  rules: readonly EgressPolicyRule[] | undefined,
  request: EgressRequest,
): { verdict: EgressVerdict; lines: string[] } {
  const verdict = evaluateEgress(rules, request);
  const where = request.port === undefined ? `${request.host} (a lookup)` : `${request.host}:${request.port}`;
  const lines = [`egress: server ${request.server} wants ${where}`];
  const list = rules ?? [];
  lines.push(list.length > 0 ? 'egress rules (in order; the first match decides):' : 'egress rules: none');
  for (const [index, rule] of list.entries()) {
    const match = matchEgressRule(rule, request);
    lines.push(`  ${index + 1}. ${describeEgressRule(rule)} ${rule.decision}: ${match === true ? 'MATCH' : `no, ${match}`}`);
    if (match === true) break;
  }
  lines.push(`verdict: ${verdict.decision.toUpperCase()}: ${verdict.reason}`);
  return { verdict, lines };
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  const parsed = parseEgressRule(pattern);
  if (!parsed.ok) return false;
  const name = host.toLowerCase().replace(/\.$/, '');
  return parsed.rule.wildcard ? name.endsWith(`.${parsed.rule.host}`) : name === parsed.rule.host;
}

function verb(decision: Decision): string {
  return decision === 'allow' ? 'allows' : decision === 'deny' ? 'denies' : 'asks';
}
