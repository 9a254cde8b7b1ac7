import { describe, expect, it } from 'vitest';
import { assessPolicy, evaluateSampling, explainSampling, parsePolicy, type SamplingRule } from '../../../src/policy/index.js';

const rules: SamplingRule[] = [
  { server: 'untrusted*', decision: 'deny', message: 'not this one' },
  { server: ['everything', 'memory'], decision: 'allow', maxTokensPerSession: 2000 },
  { server: '*', decision: 'ask' },
];

describe('policy sampling rules', () => {
  it('parse from YAML beside the tool rules; an allow must name a budget; a policy without them reads back unchanged', () => {
    const ok = parsePolicy('sampling:\n  - server: everything\n    decision: allow\n    maxTokensPerSession: 2000\n', 'yaml');
    expect(ok.ok && ok.policy.sampling).toEqual([{ server: 'everything', decision: 'allow', maxTokensPerSession: 2000 }]);
    const none = parsePolicy('default: ask\n', 'yaml');
    expect(none.ok && 'sampling' in none.policy).toBe(false);
    const unbounded = parsePolicy('sampling:\n  - server: everything\n    decision: allow\n', 'yaml');
    expect(unbounded.ok).toBe(false);
    expect(JSON.stringify(!unbounded.ok && unbounded.issues)).toContain('needs maxTokensPerSession');
    expect(parsePolicy('sampling:\n  - server: x\n    decision: allow\n    maxTokensPerSession: -5\n', 'yaml').ok).toBe(false);
    expect(parsePolicy('sampling:\n  - server: x\n    decision: ask\n    tool: y\n', 'yaml').ok).toBe(false);
    const typo = parsePolicy('sampling:\n  - server: x\n    decision: ask\n    maxTokensPerSesion: 5\n', 'yaml');
    expect(!typo.ok && typo.issues[0]).toMatchObject({
      path: 'sampling.0.maxTokensPerSesion',
      message: 'unknown key (did you mean "maxTokensPerSession"?)',
    });
  });

  it('first match wins; no rule asks, whatever the policy default', () => {
    expect(evaluateSampling(rules, { server: 'untrusted-web', usedTokens: 0, maxTokens: 10 })).toMatchObject({
      decision: 'deny',
      ruleIndex: 0,
      message: 'not this one',
    });
    expect(evaluateSampling(rules, { server: 'memory', usedTokens: 0, maxTokens: 10 })).toMatchObject({ decision: 'allow', budget: 2000 });
    expect(evaluateSampling(rules, { server: 'files', usedTokens: 0, maxTokens: 10 })).toMatchObject({ decision: 'ask', ruleIndex: 2 });
    expect(evaluateSampling(undefined, { server: 'files', usedTokens: 0, maxTokens: 10 })).toMatchObject({ decision: 'ask' });
    expect(evaluateSampling(undefined, { server: 'files', usedTokens: 0, maxTokens: 10 }).ruleIndex).toBeUndefined();
  });

  it('an allow over its budget (used + maxTokens) asks instead', () => {
    const call = { server: 'everything', maxTokens: 500 };
    expect(evaluateSampling(rules, { ...call, usedTokens: 1500 }).decision).toBe('allow');
    const over = evaluateSampling(rules, { ...call, usedTokens: 1501 });
    expect(over.decision).toBe('ask');
    expect(over.reason).toBe(
      'sampling rule 2 (server {everything,memory}) allows, but over budget (1501 used + up to 500 asked, budget 2000 tokens per session)',
    );
  });

  it('explain says which rule matched, and what happens with none', () => {
    const { lines } = explainSampling(rules, { server: 'memory', usedTokens: 0, maxTokens: 1 });
    expect(lines).toContain('  1. (server untrusted*) deny: no, server "memory" does not match');
    expect(lines).toContain('  2. (server {everything,memory}) allow (budget 2000): MATCH');
    expect(lines.at(-1)).toMatch(/^verdict: ALLOW: sampling rule 2/);
    expect(explainSampling([], { server: 'x', usedTokens: 0, maxTokens: 1 }).lines).toContain(
      'no match: a person is asked (a headless run declines)',
    );
  });

  it('the assessment says which servers may use the model unasked, without changing the level', () => {
    expect(assessPolicy({ default: 'ask', rules: [], sampling: rules })).toEqual({
      level: 'safe',
      reasons: ['sampling rule 2 lets everything, memory use the model without asking, up to 2000 tokens per session'],
    });
  });
});
