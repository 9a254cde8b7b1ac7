import { describe, expect, it } from 'vitest';
import { evaluateEgress, explainEgress, parsePolicy, type EgressPolicyRule } from '../../../src/policy/index.js';

function egressOf(text: string): EgressPolicyRule[] {
  const parsed = parsePolicy(text, 'yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.policy.egress ?? [];
}

const rules = egressOf(`
egress:
  - { server: ctx7, host: "evil.context7.com", decision: deny }
  - { server: ctx7, host: "*.context7.com", port: 443, decision: allow }
  - { server: "gh*", host: api.github.com, port: [443, 8443], decision: allow }
  - { host: "*", decision: ask }
`);

describe('policy egress rules', () => {
  it('decide by the first match: server glob, name or *.suffix, port', () => {
    expect(evaluateEgress(rules, { server: 'ctx7', host: 'mcp.context7.com', port: 443 })).toMatchObject({
      decision: 'allow',
      ruleIndex: 1,
    });
    expect(evaluateEgress(rules, { server: 'ctx7', host: 'a.b.context7.com', port: 443 }).decision).toBe('allow');
    expect(evaluateEgress(rules, { server: 'ctx7', host: 'evil.context7.com', port: 443 })).toMatchObject({
      decision: 'deny',
      ruleIndex: 0,
    });
    // The suffix itself is not below itself; another port is not 443; a lookup names no port.
    expect(evaluateEgress(rules, { server: 'ctx7', host: 'context7.com', port: 443 })).toMatchObject({ decision: 'ask', ruleIndex: 3 });
    expect(evaluateEgress(rules, { server: 'ctx7', host: 'mcp.context7.com', port: 80 }).decision).toBe('ask');
    expect(evaluateEgress(rules, { server: 'ctx7', host: 'mcp.context7.com' }).decision).toBe('ask');
    expect(evaluateEgress(rules, { server: 'gh-enterprise', host: 'api.github.com', port: 8443 }).decision).toBe('allow');
    expect(evaluateEgress(rules, { server: 'other', host: 'mcp.context7.com', port: 443 }).decision).toBe('ask');
  });

  it('ask when no rule matches, and when a policy has no egress rules at all', () => {
    expect(evaluateEgress([], { server: 'x', host: 'a.example', port: 443 })).toEqual({
      decision: 'ask',
      reason: 'no egress rule matched; a person is asked',
    });
    expect(evaluateEgress(undefined, { server: 'x', host: 'a.example', port: 443 }).decision).toBe('ask');
  });

  it('refuse what the gateway could not enforce: IP addresses, paths, allowing any name, a port in the host', () => {
    for (const [host, message] of [
      ['10.0.0.1', /IP addresses/],
      ['https://x.example/path', /paths/],
      ['example.org:8443', /port/],
    ] as const) {
      const parsed = parsePolicy(`egress: [{ host: "${host}", decision: allow }]`, 'yaml');
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.issues.map((i) => i.message).join(' ')).toMatch(message);
    }
    const any = parsePolicy('egress: [{ host: "*", decision: allow }]', 'yaml');
    expect(any.ok).toBe(false);
    if (!any.ok) expect(any.issues[0]?.message).toMatch(/cannot be allowed/);
    expect(parsePolicy('egress: [{ host: "*", decision: deny }]', 'yaml').ok).toBe(true);
  });

  it('explain rule by rule, stopping at the first match', () => {
    const { verdict, lines } = explainEgress(rules, { server: 'ctx7', host: 'mcp.context7.com', port: 443 });
    expect(verdict.decision).toBe('allow');
    expect(lines).toEqual([
      'egress: server ctx7 wants mcp.context7.com:443',
      'egress rules (in order; the first match decides):',
      '  1. (server ctx7 host evil.context7.com) deny: no, mcp.context7.com is not evil.context7.com',
      '  2. (server ctx7 host *.context7.com port 443) allow: MATCH',
      'verdict: ALLOW: egress rule 2 (server ctx7 host *.context7.com port 443) allows',
    ]);
  });
});
