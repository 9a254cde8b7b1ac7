import { describe, expect, it } from 'vitest';
import { evaluatePolicy, sessionRuleFor } from '../../../src/policy/engine.js';
import type { PolicyCall } from '../../../src/policy/match.js';
import { MAX_TESTED_LENGTH } from '../../../src/policy/pattern.js';
import type { Decision, Policy, PolicyRule } from '../../../src/policy/schema.js';

const policy = (rules: PolicyRule[], fallback: Decision = 'ask'): Policy => ({ default: fallback, rules });
const call = (server: string, tool: string, args: Record<string, unknown> = {}, annotations?: Record<string, unknown>): PolicyCall =>
  annotations === undefined ? { server, tool, args } : { server, tool, args, annotations };

describe('rule order: the first match decides', () => {
  const rules: PolicyRule[] = [
    // An exception sits above the broader rule it excepts.
    { server: 'filesystem', tool: 'write_file', args: { path: '^/workspace/' }, decision: 'allow' },
    { server: 'filesystem', tool: 'write_*', decision: 'deny', message: 'Writes outside /workspace are refused.' },
    { server: 'filesystem', decision: 'allow' },
    { decision: 'deny' },
  ];
  it.each([
    ['exception above the broader deny', call('filesystem', 'write_file', { path: '/workspace/a.txt' }), 'allow', 0],
    ['broader deny when the exception misses', call('filesystem', 'write_file', { path: '/etc/passwd' }), 'deny', 1],
    ['broader deny for a sibling tool', call('filesystem', 'write_dir', { path: '/workspace/x' }), 'deny', 1],
    ['server-wide allow below', call('filesystem', 'read_file'), 'allow', 2],
    ['catch-all at the bottom', call('fetch', 'fetch'), 'deny', 3],
  ] as const)('%s', (_label, c, decision, ruleIndex) => {
    const verdict = evaluatePolicy(policy(rules), c);
    expect(verdict).toMatchObject({ decision, source: 'policy', ruleIndex, rule: rules[ruleIndex] });
  });

  it('reverses when the rules are reversed', () => {
    const reversed = [rules[1]!, rules[0]!];
    expect(evaluatePolicy(policy(reversed), call('filesystem', 'write_file', { path: '/workspace/a' })).decision).toBe('deny');
  });

  it('carries the deciding rule message and a one-line reason', () => {
    expect(evaluatePolicy(policy(rules), call('filesystem', 'write_file', { path: '/etc' }))).toEqual({
      decision: 'deny',
      source: 'policy',
      ruleIndex: 1,
      rule: rules[1],
      message: 'Writes outside /workspace are refused.',
      reason: 'rule 2 (filesystem write_*) denies',
    });
  });
});

describe('default', () => {
  it.each(['allow', 'deny', 'ask'] as const)('no rule matched → default %s', (fallback) => {
    const verdict = evaluatePolicy(policy([{ server: 'other', decision: 'deny' }], fallback), call('fs', 'read'));
    expect(verdict).toEqual({ decision: fallback, source: 'default', reason: `no rule matched; default is ${fallback}` });
  });

  it('a rule with no matchers matches every call', () => {
    expect(evaluatePolicy(policy([{ decision: 'allow' }]), call('any', 'thing')).decision).toBe('allow');
  });
});

describe('server and tool globs', () => {
  it.each([
    [{ tool: '*delete*' }, call('fs', 'delete_file'), true],
    [{ tool: '*delete*' }, call('fs', 'remove'), false],
    [{ server: ['fs', 'git*'] }, call('github', 'x'), true],
    [{ server: ['fs', 'git*'] }, call('fetch', 'x'), false],
    [{ tool: ['read_?ile', 'stat'] }, call('fs', 'read_file'), true],
    [{ tool: ['read_?ile', 'stat'] }, call('fs', 'read_profile'), false],
    [{ server: 'fs', tool: 'read_*' }, call('other', 'read_file'), false],
    [{ server: 'fs', tool: 'read_*' }, call('fs', 'write_file'), false],
    [{ tool: 'a.b' }, call('fs', 'aXb'), false],
    [{ tool: 'a.b' }, call('fs', 'a.b'), true],
    [{ server: 'FS' }, call('fs', 'x'), false],
  ] satisfies [Pick<PolicyRule, 'server' | 'tool'>, PolicyCall, boolean][])('%j on %j → %s', (matchers, c, matches) => {
    const verdict = evaluatePolicy(policy([{ ...matchers, decision: 'allow' }], 'deny'), c);
    expect(verdict.decision).toBe(matches ? 'allow' : 'deny');
  });
});

describe('tool globs ignore case; server globs do not', () => {
  it.each([
    [{ tool: '*delete*' }, call('fs', 'Delete_file'), true],
    [{ tool: '*delete*' }, call('fs', 'DELETE'), true],
    [{ tool: '*delete*' }, call('fs', 'bulkDeleteItems'), true],
    [{ tool: ['READ_*'] }, call('fs', 'read_file'), true],
    [{ server: 'fs', tool: 'write_file' }, call('fs', 'Write_File'), true],
    // Server names are the user's own, from the config: matched exactly as written.
    [{ server: 'FS', tool: 'write_file' }, call('fs', 'write_file'), false],
  ] satisfies [Pick<PolicyRule, 'server' | 'tool'>, PolicyCall, boolean][])('%j on %j → %s', (matchers, c, matches) => {
    const verdict = evaluatePolicy(policy([{ ...matchers, decision: 'deny' }], 'ask'), c);
    expect(verdict.decision).toBe(matches ? 'deny' : 'ask');
  });

  it('the README example denies a delete tool whatever its case', () => {
    const readme = policy([
      { tool: '*delete*', decision: 'deny' },
      { server: 'files', tool: ['read_*', 'list_*'], decision: 'allow' },
    ]);
    for (const tool of ['delete_file', 'Delete_file', 'DELETE', 'DeleteAll']) {
      expect(evaluatePolicy(readme, call('files', tool)).decision).toBe('deny');
    }
  });

  it('a session rule binds to the exact tool answered for, case included', () => {
    const always = [sessionRuleFor('fs', 'write_file')];
    expect(evaluatePolicy(policy([]), call('fs', 'write_file'), always).source).toBe('session');
    // A sibling differing only in case is another tool, with its own description; it is asked about.
    expect(evaluatePolicy(policy([]), call('fs', 'WRITE_FILE'), always)).toMatchObject({ decision: 'ask', source: 'default' });
  });
});

describe('args patterns', () => {
  it.each([
    ['string, matching', { url: '^https://docs\\.example\\.com/' }, { url: 'https://docs.example.com/x' }, true],
    ['string, not anchored where it matters', { url: '^https://docs\\.example\\.com/' }, { url: 'https://docs.example.com.evil/' }, false],
    ['string, unanchored pattern finds a substring', { cmd: 'rm\\s+-rf' }, { cmd: 'echo hi && rm  -rf /' }, true],
    ['number via String()', { count: '^[0-9]{1,2}$' }, { count: 42 }, true],
    ['number via String(), too big', { count: '^[0-9]{1,2}$' }, { count: 420 }, false],
    ['boolean via String()', { recursive: '^true$' }, { recursive: true }, true],
    ['null via String()', { value: '^null$' }, { value: null }, true],
    ['object via JSON', { options: '"force":true' }, { options: { force: true, depth: 1 } }, true],
    ['array via JSON', { paths: '^\\["/workspace/' }, { paths: ['/workspace/a', '/etc'] }, true],
    ['array via JSON, no match', { paths: '"/etc' }, { paths: ['/workspace/a'] }, false],
    ['missing argument never matches', { path: '.*' }, {}, false],
    ['undefined counts as missing', { path: '.*' }, { path: undefined }, false],
    ['an inherited name is not an argument', { constructor: '.*' }, {}, false],
    ['every named argument must match', { a: '^1$', b: '^2$' }, { a: 1, b: 3 }, false],
    ['every named argument matches', { a: '^1$', b: '^2$' }, { a: 1, b: 2 }, true],
    ['empty pattern matches any present value', { a: '' }, { a: '' }, true],
  ] as const)('%s', (_label, args, callArgs, matches) => {
    const verdict = evaluatePolicy(policy([{ args, decision: 'allow' }], 'deny'), call('s', 't', callArgs));
    expect(verdict.decision).toBe(matches ? 'allow' : 'deny');
  });
});

describe('annotations: the server claims, shown as claims', () => {
  const rule = (annotations: PolicyRule['annotations']): Policy => policy([{ annotations, decision: 'allow' }], 'deny');
  it.each([
    ['claimed true, rule true', { readOnlyHint: true }, { readOnlyHint: true }, true],
    ['claimed false, rule true', { readOnlyHint: true }, { readOnlyHint: false }, false],
    ['not claimed, rule true (MCP default false)', { readOnlyHint: true }, {}, false],
    ['no annotations at all, rule true', { readOnlyHint: true }, undefined, false],
    ['claimed as a string, not a boolean', { readOnlyHint: true }, { readOnlyHint: 'true' }, false],
    ['claimed false, rule false', { destructiveHint: false }, { destructiveHint: false }, true],
    ['not claimed, rule destructive false (MCP default true)', { destructiveHint: false }, {}, false],
    ['not claimed, rule destructive true (MCP default true)', { destructiveHint: true }, {}, true],
    ['read-only tool: destructive default does not apply', { destructiveHint: true }, { readOnlyHint: true }, false],
    ['not claimed, rule openWorld true (MCP default true)', { openWorldHint: true }, undefined, true],
    ['all listed must match', { readOnlyHint: true, openWorldHint: false }, { readOnlyHint: true }, false],
    ['title has no default', { title: 'Read' }, {}, false],
    ['title equal', { title: 'Read' }, { title: 'Read' }, true],
  ] as const)('%s', (_label, annotations, claimed, matches) => {
    const verdict = evaluatePolicy(rule(annotations), call('s', 't', {}, claimed));
    expect(verdict.decision).toBe(matches ? 'allow' : 'deny');
  });

  it('says the verdict rests on a server claim', () => {
    const verdict = evaluatePolicy(rule({ readOnlyHint: true }), call('s', 't', {}, { readOnlyHint: true }));
    expect(verdict.reason).toBe('rule 1 (readOnlyHint: true) allows: the server claims readOnlyHint: true');
    expect(verdict.claims).toEqual([{ name: 'readOnlyHint', value: true, stated: true }]);
  });

  it('says when it rests on an MCP default rather than a claim', () => {
    const verdict = evaluatePolicy(policy([{ annotations: { destructiveHint: true }, decision: 'ask' }], 'allow'), call('s', 't'));
    expect(verdict.decision).toBe('ask');
    expect(verdict.reason).toBe('rule 1 (destructiveHint: true) asks: the server does not set destructiveHint, which MCP takes as true');
    expect(verdict.claims).toEqual([{ name: 'destructiveHint', value: true, stated: false }]);
  });

  it('has no claims when no annotation rule decided', () => {
    expect(evaluatePolicy(policy([{ tool: 't', decision: 'allow' }]), call('s', 't', {}, { readOnlyHint: true })).claims).toBeUndefined();
  });
});

describe('session rules', () => {
  const base = policy(
    [
      { tool: '*delete*', decision: 'deny', message: 'No deleting.' },
      { server: 'fs', tool: 'write_file', args: { path: '^/etc/' }, decision: 'deny' },
      { server: 'fs', tool: 'read_*', decision: 'allow' },
      { server: 'fs', tool: 'write_file', decision: 'ask' },
    ],
    'ask',
  );
  const always = sessionRuleFor('fs', 'write_file');

  it.each([
    ['allow beats a policy ask rule', [always], call('fs', 'write_file', { path: '/workspace/a' }), 'allow', 'session', 0],
    ['allow beats the default', [sessionRuleFor('git', 'commit')], call('git', 'commit'), 'allow', 'session', 0],
    [
      'index is into the session rules',
      [sessionRuleFor('git', 'x'), always],
      call('fs', 'write_file', { path: '/w' }),
      'allow',
      'session',
      1,
    ],
    ['a policy deny on some arguments still stands', [always], call('fs', 'write_file', { path: '/etc/passwd' }), 'deny', 'policy', 1],
    ['a policy deny by tool name still stands', [sessionRuleFor('fs', 'delete_file')], call('fs', 'delete_file'), 'deny', 'policy', 0],
    ['session deny beats a policy allow', [sessionRuleFor('fs', 'read_file', 'deny')], call('fs', 'read_file'), 'deny', 'session', 0],
    ['a non-matching session rule changes nothing', [always], call('fs', 'read_file'), 'allow', 'policy', 2],
  ] as const)('%s', (_label, sessionRules, c, decision, source, ruleIndex) => {
    expect(evaluatePolicy(base, c, sessionRules)).toMatchObject({ decision, source, ruleIndex });
  });

  it('a default deny also stands', () => {
    const verdict = evaluatePolicy(policy([], 'deny'), call('fs', 'write_file'), [always]);
    expect(verdict).toMatchObject({ decision: 'deny', source: 'default' });
    expect(verdict.reason).toBe(
      'no rule matched; default is deny; a policy deny is not lifted by session rule 1 "always allow fs write_file (this session)"',
    );
  });

  it('names the session rule in the reason', () => {
    expect(evaluatePolicy(base, call('fs', 'write_file', { path: '/w' }), [always]).reason).toBe(
      'session rule 1 "always allow fs write_file (this session)" allows',
    );
  });

  it('binds to the exact server and tool, even when the names contain glob characters', () => {
    const star = sessionRuleFor('fs', '*');
    expect(star).toEqual({ name: 'always allow fs * (this session)', server: 'fs', tool: '\\*', decision: 'allow' });
    expect(evaluatePolicy(policy([]), call('fs', 'write_file'), [star]).source).toBe('default');
    expect(evaluatePolicy(policy([]), call('fs', '*'), [star]).source).toBe('session');
    expect(evaluatePolicy(policy([]), call('fs2', '*'), [star]).source).toBe('default');
  });
});

describe('arguments that cannot be tested resolve toward the stricter outcome', () => {
  const huge = 'x'.repeat(MAX_TESTED_LENGTH + 1);
  it.each([
    // A deny rule cannot be dodged by padding the argument past the limit...
    ['deny rule: taken to match', 'deny', 'deny', 'policy'],
    ['ask rule: taken to match', 'ask', 'ask', 'policy'],
    // ...and an allow rule never allows on a guess: evaluation goes on, here to the default.
    ['allow rule: skipped', 'allow', 'ask', 'default'],
  ] as const)('%s', (_label, ruleDecision, decision, source) => {
    const verdict = evaluatePolicy(
      policy([
        { args: { content: 'BEGIN PRIVATE KEY' }, decision: ruleDecision },
        { decision: 'allow', tool: 'other' },
      ]),
      call('fs', 'write_file', { content: huge }),
    );
    expect(verdict).toMatchObject({ decision, source });
  });

  it('explains why in the reason', () => {
    const verdict = evaluatePolicy(policy([{ args: { content: 'KEY' }, decision: 'deny' }]), call('fs', 'w', { content: huge }));
    expect(verdict.reason).toBe(
      `rule 1 (args content) denies (argument "content" is ${huge.length} characters, over the ${MAX_TESTED_LENGTH} that patterns are tested against, so this deny rule is taken to match)`,
    );
  });

  it('a definite miss on another argument still wins', () => {
    const verdict = evaluatePolicy(
      policy([{ args: { content: 'KEY', path: '^/etc/' }, decision: 'deny' }]),
      call('fs', 'w', { content: huge, path: '/workspace/a' }),
    );
    expect(verdict.source).toBe('default');
  });

  it('a pattern over the work budget counts as untested', () => {
    const verdict = evaluatePolicy(
      policy([{ args: { content: '(.*){20}x' }, decision: 'deny' }], 'allow'),
      call('fs', 'w', { content: 'y'.repeat(256 * 1024) }),
    );
    expect(verdict.decision).toBe('deny');
    expect(verdict.reason).toContain('exceeded the work limit');
  });

  it('an invalid pattern in a hand-built policy counts as untested, never throws', () => {
    const verdict = evaluatePolicy(policy([{ args: { a: '(' }, decision: 'allow' }], 'deny'), call('s', 't', { a: 'x' }));
    expect(verdict.decision).toBe('deny');
  });

  it('a value that cannot be serialized counts as untested', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const verdict = evaluatePolicy(policy([{ args: { a: '.*' }, decision: 'ask' }], 'allow'), call('s', 't', { a: cyclic }));
    expect(verdict.decision).toBe('ask');
  });
});

describe('determinism', () => {
  it('the same inputs give the same verdict and nothing is mutated', () => {
    const p = policy([{ server: 'fs', args: { path: '^/w' }, decision: 'allow' }]);
    const snapshot = structuredClone(p);
    const c = call('fs', 'read', { path: '/w/x' });
    const first = evaluatePolicy(p, c);
    expect(evaluatePolicy(p, c)).toEqual(first);
    expect(p).toEqual(snapshot);
  });
});
