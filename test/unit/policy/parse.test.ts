import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../../src/policy/engine.js';
import { formatPolicyIssues, parsePolicy, policyFormatFromPath, type PolicyIssue } from '../../../src/policy/parse.js';
import type { Policy } from '../../../src/policy/schema.js';

const DESIGN_EXAMPLE = `default: ask                      # allow | deny | ask — when no rule matches
rules:
  - tool: "*delete*"
    decision: deny
    message: "Deleting is not allowed here."   # told to the model and the user
  - server: fetch
    args: { url: "^https://docs\\\\.example\\\\.com/" }
    decision: allow
  - server: filesystem
    tool: "read_*"
    decision: allow
  - annotations: { readOnlyHint: true }
    decision: allow
`;

const EXPECTED: Policy = {
  default: 'ask',
  rules: [
    { tool: '*delete*', decision: 'deny', message: 'Deleting is not allowed here.' },
    { server: 'fetch', args: { url: '^https://docs\\.example\\.com/' }, decision: 'allow' },
    { server: 'filesystem', tool: 'read_*', decision: 'allow' },
    { annotations: { readOnlyHint: true }, decision: 'allow' },
  ],
};

function parsed(text: string, format?: 'yaml' | 'json'): Policy {
  const result = parsePolicy(text, format);
  if (!result.ok) throw new Error(formatPolicyIssues(result.issues));
  return result.policy;
}

function issues(text: string, format?: 'yaml' | 'json'): PolicyIssue[] {
  const result = parsePolicy(text, format);
  if (result.ok) throw new Error('expected the policy to be refused');
  return result.issues;
}

describe('the design example, end to end', () => {
  const policy = parsed(DESIGN_EXAMPLE);

  it('parses to the expected policy', () => {
    expect(policy).toEqual(EXPECTED);
  });

  it.each([
    ['delete anywhere is denied', { server: 'filesystem', tool: 'delete_file', args: {} }, 'deny', 'rule 1 (tool *delete*) denies'],
    [
      'docs fetch is allowed',
      { server: 'fetch', tool: 'fetch', args: { url: 'https://docs.example.com/a' } },
      'allow',
      'rule 2 (server fetch, args url) allows',
    ],
    [
      'other fetch asks',
      { server: 'fetch', tool: 'fetch', args: { url: 'https://evil.example/?https://docs.example.com/' } },
      'ask',
      'no rule matched; default is ask',
    ],
    ['fetch without url asks', { server: 'fetch', tool: 'fetch', args: {} }, 'ask', 'no rule matched; default is ask'],
    [
      'filesystem read is allowed',
      { server: 'filesystem', tool: 'read_file', args: { path: '/x' } },
      'allow',
      'rule 3 (filesystem read_*) allows',
    ],
    ['filesystem write asks', { server: 'filesystem', tool: 'write_file', args: { path: '/x' } }, 'ask', 'no rule matched; default is ask'],
    [
      'read-only claim allows',
      { server: 'memory', tool: 'search_nodes', args: {}, annotations: { readOnlyHint: true } },
      'allow',
      'rule 4 (readOnlyHint: true) allows: the server claims readOnlyHint: true',
    ],
    [
      'read-only claim does not beat the delete rule',
      { server: 'memory', tool: 'delete_entities', args: {}, annotations: { readOnlyHint: true } },
      'deny',
      'rule 1 (tool *delete*) denies',
    ],
  ] as const)('%s', (_label, call, decision, reason) => {
    const verdict = evaluatePolicy(policy, call);
    expect(verdict.decision).toBe(decision);
    expect(verdict.reason).toBe(reason);
  });

  it('reads the same policy written as JSON', () => {
    expect(parsed(JSON.stringify(EXPECTED, null, 2))).toEqual(EXPECTED);
    expect(parsed(JSON.stringify(EXPECTED), 'json')).toEqual(EXPECTED);
  });

  it('reads JSON given as YAML (JSON is YAML)', () => {
    expect(parsed(JSON.stringify(EXPECTED), 'yaml')).toEqual(EXPECTED);
  });

  it('reads docs/policies/example.yaml', () => {
    const text = readFileSync(new URL('../../../docs/policies/example.yaml', import.meta.url), 'utf8');
    const policy = parsed(text, 'yaml');
    expect(policy.rules).toHaveLength(4);
    expect(evaluatePolicy(policy, { server: 'filesystem', tool: 'list_directory', args: {} }).decision).toBe('allow');
  });
});

describe('defaults and small forms', () => {
  it.each([
    ['default only', 'default: deny', { default: 'deny', rules: [] }],
    ['rules only: default is ask', 'rules:\n  - decision: allow\n', { default: 'ask', rules: [{ decision: 'allow' }] }],
    ['empty rules list in YAML', 'default: allow\nrules:\n', { default: 'allow', rules: [] }],
    [
      'a list of globs',
      'rules:\n  - tool: [a, "b*"]\n    decision: deny\n',
      { default: 'ask', rules: [{ tool: ['a', 'b*'], decision: 'deny' }] },
    ],
    ['a description', 'description: hi\ndefault: ask', { description: 'hi', default: 'ask', rules: [] }],
    ['JSON with a leading space', '  {"default":"deny"}', { default: 'deny', rules: [] }],
  ] as const)('%s', (_label, text, expected) => {
    expect(parsed(text)).toEqual(expected);
  });
});

describe('refused policies: every issue has a path and a clear message', () => {
  it.each([
    ['empty file', '', [{ path: '(top level)', message: 'the policy is empty; write at least "default: ask"' }]],
    ['only comments', '# nothing yet\n', [{ path: '(top level)', message: 'the policy is empty; write at least "default: ask"' }]],
    ['a list at the top', '- decision: allow', [{ path: '(top level)', message: 'Invalid input: expected object, received array' }]],
    ['a bare string', 'hello', [{ path: '(top level)', message: 'Invalid input: expected object, received string', found: '"hello"' }]],
    [
      'bad default',
      'default: maybe',
      [{ path: 'default', message: 'expected "allow", "deny" or "ask"', found: '"maybe"', line: 1, column: 10 }],
    ],
    ['YAML 1.1 booleans are not decisions', 'default: yes', [{ path: 'default', found: '"yes"' }]],
    [
      'unknown top-level key',
      'default: ask\nrule: []',
      [{ path: 'rule', message: 'unknown key (did you mean "rules"?)', line: 2, column: 1 }],
    ],
    [
      'unknown key, no near miss',
      'default: ask\ncolour: red',
      [{ path: 'colour', message: 'unknown key; expected one of description, default, rules, egress, sampling' }],
    ],
    [
      'misspelt rule key',
      'rules:\n  - toool: x\n    decision: allow',
      [{ path: 'rules.0.toool', message: 'unknown key (did you mean "tool"?)', line: 2, column: 5 }],
    ],
    [
      'misspelt annotation',
      'rules:\n  - annotations: { readonlyHint: true }\n    decision: allow',
      [{ path: 'rules.0.annotations.readonlyHint', message: 'unknown key (did you mean "readOnlyHint"?)' }],
    ],
    [
      'missing decision',
      'rules:\n  - tool: x',
      [{ path: 'rules.0.decision', message: 'missing: expected "allow", "deny" or "ask"', line: 2, column: 5 }],
    ],
    ['misspelt decision', 'rules:\n  - decision: alow', [{ path: 'rules.0.decision', found: '"alow"' }]],
    ['rule that is not a mapping', 'rules:\n  - allow', [{ path: 'rules.0', message: 'Invalid input: expected object, received string' }]],
    ['rules not a list', 'rules: {}', [{ path: 'rules', message: 'Invalid input: expected array, received object' }]],
    [
      'glob of the wrong type',
      'rules:\n  - tool: 7\n    decision: deny',
      [{ path: 'rules.0.tool', message: 'expected a glob or a list of globs', found: '7' }],
    ],
    [
      'bad item in a glob list',
      'rules:\n  - tool: [ok, 3]\n    decision: deny',
      [{ path: 'rules.0.tool.1', message: 'Invalid input: expected string, received number', found: '3' }],
    ],
    ['empty glob list', 'rules:\n  - tool: []\n    decision: deny', [{ path: 'rules.0.tool', message: 'list at least one glob' }]],
    [
      'empty glob',
      'rules:\n  - server: ""\n    decision: deny',
      [{ path: 'rules.0.server', message: 'a glob cannot be empty (use "*" for any name)' }],
    ],
    [
      'invalid regex',
      'rules:\n  - args: { url: "(a" }\n    decision: allow',
      [
        {
          path: 'rules.0.args.url',
          message: 'invalid pattern: Invalid regular expression: /(a/: Unterminated group',
          found: '"(a"',
          line: 2,
          column: 18,
        },
      ],
    ],
    [
      'regex from another dialect',
      'rules:\n  - args: { p: "\\\\Aabc\\\\z" }\n    decision: allow',
      [{ path: 'rules.0.args.p', message: 'invalid pattern: "\\A" is not a JavaScript regex escape (it would match a plain "A")' }],
    ],
    [
      'backreference',
      'rules:\n  - args: { p: "(a)\\\\1" }\n    decision: allow',
      [{ path: 'rules.0.args.p', message: 'invalid pattern: backreferences ("\\1") are not supported' }],
    ],
    [
      'pattern too long',
      `rules:\n  - args: { p: "${'a'.repeat(501)}" }\n    decision: allow`,
      [{ path: 'rules.0.args.p', message: 'invalid pattern: pattern is 501 characters; the limit is 500' }],
    ],
    [
      'pattern not a string',
      'rules:\n  - args: { p: 5 }\n    decision: allow',
      [{ path: 'rules.0.args.p', message: 'expected a regex pattern as a string', found: '5' }],
    ],
    [
      'empty args',
      'rules:\n  - args: {}\n    decision: allow',
      [{ path: 'rules.0.args', message: 'empty "args" would match every call; remove it or name an argument' }],
    ],
    [
      'empty annotations',
      'rules:\n  - annotations: {}\n    decision: allow',
      [{ path: 'rules.0.annotations', message: 'empty "annotations" would match every call; remove it or name an annotation' }],
    ],
    [
      'annotation of the wrong type',
      'rules:\n  - annotations: { readOnlyHint: "true" }\n    decision: allow',
      [{ path: 'rules.0.annotations.readOnlyHint', message: 'Invalid input: expected boolean, received string', found: '"true"' }],
    ],
    ['YAML syntax error', 'rules:\n  - tool: [x\n', [{ path: '(yaml)', line: 3, column: 1 }]],
    [
      'duplicate YAML key',
      'default: allow\ndefault: deny',
      [{ path: '(yaml)', message: 'the same key appears twice in one mapping', line: 2, column: 1 }],
    ],
    [
      'two YAML documents',
      'default: ask\n---\ndefault: allow\n',
      [{ path: '(yaml)', message: 'a policy file holds one document (found a second "---")' }],
    ],
    ['undefined YAML alias', 'default: *nope', [{ path: '(yaml)' }]],
    ['JSON syntax error', '{"rules": [}', [{ path: '(json)' }]],
    [
      'duplicate JSON key',
      '{"default": "deny", "default": "allow"}',
      [{ path: '(json)', message: 'the same key appears twice in one mapping', line: 1, column: 21 }],
    ],
  ] as const)('%s', (_label, text, expected) => {
    const found = issues(text);
    expect(found).toHaveLength(expected.length);
    expected.forEach((issue, index) => expect(found[index]).toMatchObject(issue));
  });

  it('reports every problem at once, each with its own path', () => {
    const found = issues('default: maybe\nrules:\n  - toool: x\n    decision: allow\n  - server: ""\n    decision: alow\n');
    expect(found.map((issue) => issue.path)).toEqual(['default', 'rules.0.toool', 'rules.1.server', 'rules.1.decision']);
  });

  it('never throws, whatever it is given', () => {
    const inputs = ['{', '[', ':', '- - -', '&a [*a, *a]', '!!binary x', '\u0000', 'a: b: c', '{"a":', '"str"', '1', 'null', 'true'];
    for (const text of inputs) expect(() => parsePolicy(text)).not.toThrow();
    expect(parsePolicy(undefined as unknown as string).ok).toBe(false);
  });

  it('formats issues as "path: message (found: value) [line]"', () => {
    expect(formatPolicyIssues(issues('default: maybe'))).toBe(
      '  default: expected "allow", "deny" or "ask" (found: "maybe") [line 1, column 10]',
    );
  });
});

describe('policyFormatFromPath', () => {
  it.each([
    ['policy.json', 'json'],
    ['POLICY.JSON', 'json'],
    ['a/b.yaml', 'yaml'],
    ['c.yml', 'yaml'],
    ['policy', undefined],
    ['policy.txt', undefined],
  ] as const)('%s → %s', (path, format) => {
    expect(policyFormatFromPath(path)).toBe(format);
  });
});
