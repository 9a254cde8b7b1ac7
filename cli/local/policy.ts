import { readFile } from 'node:fs/promises';
import type { CommandIO } from '../io.js';
import { McpgwError } from '../../src/errors.js';
import { EXIT } from '../../src/exit-codes.js';
import {
  assessPolicy,
  explainPolicy,
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
    io.out(`${file}: ok — ${parsed.policy.rules.length} rule(s), default ${parsed.policy.default}`);
    for (const line of formatAssessment(assessment)) io.out(`  ${line}`);
    for (const w of warnings) io.out(`  ${w.level}${w.ruleIndex === undefined ? '' : ` (rule ${w.ruleIndex + 1})`}: ${w.message}`);
  }
  return 0;
}

/** `mcpgw policy explain`: what a policy decides for one call, and which rule decided. */
export async function policyExplain(
  opts: GlobalOptions & { policy?: string; server: string; tool: string; args?: string; annotations?: string },
  io: CommandIO,
): Promise<number> {
  const policy = await loadPolicy(opts.policy ?? 'ask');
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

async function loadPolicy(spec: string): Promise<Policy> {
  const resolved = resolvePolicySpec(spec);
  if (resolved.kind === 'invalid') throw new McpgwError('bad_request', resolved.message);
  // Explain shows a policy's description: a preset's says what it trusts.
  if (resolved.kind === 'preset') return { ...resolved.policy, description: `preset ${resolved.name}: ${resolved.description}` };
  const parsed = parsePolicy(await readFile(resolved.path, 'utf8'), resolved.format);
  if (!parsed.ok) throw new McpgwError('config_invalid', `${resolved.path} is not a valid policy:\n${formatPolicyIssues(parsed.issues)}`);
  return parsed.policy;
}
