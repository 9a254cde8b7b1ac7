import { readFile } from 'node:fs/promises';
import type { CommandIO } from '../io.js';
import { McpgwError } from '../../src/errors.js';
import { EXIT } from '../../src/exit-codes.js';
import {
  assessPolicy,
  describeSamplingRule,
  explainEgress,
  explainPolicy,
  explainSampling,
  formatAssessment,
  formatPolicyIssues,
  lintPolicy,
  parsePolicy,
  policyFormatFromPath,
  resolvePolicySpec,
  type Policy,
} from '../../src/policy/index.js';
import { parseJsonObject } from '../args.js';
import type { GlobalOptions } from '../options.js';

/** `mcpgw policy check FILE`: validate a policy file and point out risky rules. */
export async function policyCheck(file: string, opts: GlobalOptions, io: CommandIO): Promise<number> {
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw new McpgwError('bad_request', `cannot read ${file}: ${(err as Error).message}`);
  });
  const parsed = parsePolicy(text, policyFormatFromPath(file));
  if (!parsed.ok) {
    if (opts.json) io.out(JSON.stringify({ ok: false, issues: parsed.issues }, null, 2));
    else io.err(`${file} is not a valid policy:\n${formatPolicyIssues(parsed.issues)}`);
    return EXIT.usage;
  }
  const warnings = lintPolicy(parsed.policy);
  const assessment = assessPolicy(parsed.policy);
  if (opts.json) io.out(JSON.stringify({ ok: true, policy: parsed.policy, assessment, warnings }, null, 2));
  else {
    const egress = parsed.policy.egress?.length ?? 0;
    io.out(
      `${file}: ok — ${parsed.policy.rules.length} rule(s), default ${parsed.policy.default}` +
        (egress > 0 ? `; ${egress} egress rule(s), unmatched network requests ask` : ''),
    );
    io.out(`  ${describeSamplingRules(parsed.policy)}`);
    for (const line of formatAssessment(assessment)) io.out(`  ${line}`);
    for (const w of warnings) io.out(`  ${w.level}${w.ruleIndex === undefined ? '' : ` (rule ${w.ruleIndex + 1})`}: ${w.message}`);
  }
  return 0;
}

/** What the policy says about sampling, in one line for `policy check`. */
function describeSamplingRules(policy: Policy): string {
  const rules = policy.sampling ?? [];
  if (rules.length === 0) return 'sampling: no rules, so every server request to use the model asks a person (headless runs decline)';
  const each = rules.map(
    (r) =>
      `${describeSamplingRule(r)} ${r.decision}${r.maxTokensPerSession === undefined ? '' : ` up to ${r.maxTokensPerSession} tokens per session`}`,
  );
  return `sampling: ${each.join('; ')}; otherwise a person is asked`;
}

/** `mcpgw policy explain --sampling`: what a policy decides for a server's sampling request. */
function explainSamplingRequest(
  policy: Policy,
  opts: GlobalOptions & { server: string; usedTokens?: string; maxTokens?: string },
  io: CommandIO,
): number {
  const count = (value: string | undefined, name: string, fallback: number): number => {
    const n = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(n) || n < 0) throw new McpgwError('bad_request', `${name} must be a whole number of tokens`);
    return n;
  };
  const call = {
    server: opts.server,
    usedTokens: count(opts.usedTokens, '--used-tokens', 0),
    maxTokens: count(opts.maxTokens, '--max-tokens', 1),
  };
  const { verdict, lines } = explainSampling(policy.sampling ?? [], call);
  if (opts.json) io.out(JSON.stringify({ decision: verdict.decision, reason: verdict.reason, budget: verdict.budget, lines }, null, 2));
  else io.out([`decision: ${verdict.decision.toUpperCase()} — ${verdict.reason}`, ...lines.map((l) => `  ${l}`)].join('\n'));
  return 0;
}

/** The options of `mcpgw policy explain`, as commander parses them. */
export interface PolicyExplainOptions {
  policy?: string;
  server: string;
  tool?: string;
  host?: string;
  args?: string;
  annotations?: string;
  sampling?: boolean;
  usedTokens?: string;
  maxTokens?: string;
}

/** `mcpgw policy explain`: what a policy decides for one call (or, with --sampling, one sampling request), and which rule decided. */
export async function policyExplain(opts: GlobalOptions & PolicyExplainOptions, io: CommandIO): Promise<number> {
  const policy = await loadPolicy(opts.policy ?? 'ask');
  if (opts.host !== undefined) return explainNetwork(policy, opts.server, opts.host, opts.json === true, io);
  if (opts.sampling) return explainSamplingRequest(policy, opts, io);
  if (opts.tool === undefined)
    throw new McpgwError(
      'bad_request',
      'give --tool (a tool call), --host (a network request) or --sampling (a sampling request) to explain',
    );
  const call = {
    server: opts.server,
    tool: opts.tool,
    args: parseJsonObject(opts.args, '--args'),
    annotations: parseJsonObject(opts.annotations, '--annotations'),
  };
  const { verdict, lines } = explainPolicy(policy, call);
  // The whole policy's standing, not just this call's verdict: read-only says here that it trusts server claims.
  const assessment = assessPolicy(policy);
  if (opts.json)
    io.out(
      JSON.stringify(
        { decision: verdict.decision, reason: verdict.reason, source: verdict.source, message: verdict.message, lines, assessment },
        null,
        2,
      ),
    );
  else
    io.out(
      [
        `decision: ${verdict.decision.toUpperCase()} — ${verdict.reason}`,
        ...(verdict.message ? [`message: ${verdict.message}`] : []),
        ...lines.map((l) => `  ${l}`),
        ...formatAssessment(assessment).map((l, i) => (i === 0 ? `policy ${l}` : l)),
      ].join('\n'),
    );
  return 0;
}

/** `policy explain --host name[:port]`: what the policy's egress rules decide for a sandbox's request. */
function explainNetwork(policy: Policy, server: string, hostText: string, json: boolean, io: CommandIO): number {
  const m = /^(.*?)(?::(\d{1,5}))?$/.exec(hostText.trim());
  const host = (m?.[1] ?? '').toLowerCase().replace(/\.$/, '');
  if (!host) throw new McpgwError('bad_request', `--host ${JSON.stringify(hostText)}: expected name or name:port`);
  // A lookup names no port: mcpd decides each port its grant would give on its own, and so does this.
  const ports = m?.[2] === undefined ? [443, 80] : [Number(m[2])];
  const explained = ports.map((port) => explainEgress(policy.egress, { server, host, port }));
  if (json)
    io.out(
      JSON.stringify(
        explained.map(({ verdict, lines }, i) => ({ port: ports[i], decision: verdict.decision, reason: verdict.reason, lines })),
        null,
        2,
      ),
    );
  else
    io.out(
      explained
        .flatMap(({ verdict, lines }) => [`decision: ${verdict.decision.toUpperCase()} — ${verdict.reason}`, ...lines.map((l) => `  ${l}`)])
        .join('\n'),
    );
  return 0;
}

async function loadPolicy(spec: string): Promise<Policy> {
  const resolved = resolvePolicySpec(spec);
  if (resolved.kind === 'invalid') throw new McpgwError('bad_request', resolved.message);
  // Explain shows a policy's description: a preset's says what it trusts.
  if (resolved.kind === 'preset') return { ...resolved.policy, description: `preset ${resolved.name}: ${resolved.description}` };
  const parsed = parsePolicy(await readFile(resolved.path, 'utf8'), resolved.format);
  if (!parsed.ok) throw new McpgwError('config_invalid', `${resolved.path} is not a valid policy:\n${formatPolicyIssues(parsed.issues)}`);
  return parsed.policy;
}
