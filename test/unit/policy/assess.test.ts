import { describe, expect, it } from 'vitest';
import { assessPolicy, formatAssessment, policyWithLevel, type PolicyLevel } from '../../../src/policy/assess.js';
import { parsePolicy } from '../../../src/policy/parse.js';
import { policyPreset, PRESET_NAMES } from '../../../src/policy/presets.js';
import type { Policy } from '../../../src/policy/schema.js';

function policy(text: string): Policy {
  const parsed = parsePolicy(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.policy;
}

describe('assessPolicy on the presets', () => {
  it.each([
    ['ask', 'safe', []],
    [
      'read-only',
      'trusts-claims',
      [
        `rule 1 "server claims the tool is read-only" allows a tool because its server claims readOnlyHint: true (the server's own, unverified claim)`,
      ],
    ],
    ['all', 'dangerous', ['default: allow runs every call that no rule stops, without asking']],
  ] as const)('%s → %s', (name, level, reasons) => {
    expect(assessPolicy(policyPreset(name).policy)).toEqual({ level, reasons });
  });

  it.each(PRESET_NAMES)('%s: the preset’s dangerous flag agrees with the assessment', (name) => {
    const preset = policyPreset(name);
    expect(preset.dangerous).toBe(assessPolicy(preset.policy).level === 'dangerous');
  });

  it('the read-only preset says, in its description, that it trusts server claims', () => {
    expect(policyPreset('read-only').description).toMatch(/^TRUSTS SERVER CLAIMS: .*unverified/);
  });
});

describe('assessPolicy on policy files: judged by content, whatever the name', () => {
  it.each<[string, string, PolicyLevel, string[]]>([
    ['only asks and denies', 'default: ask\nrules:\n  - tool: "*delete*"\n    decision: deny\n', 'safe', []],
    ['default deny', 'default: deny\n', 'safe', []],
    ['allows named tools of a named server', 'rules:\n  - server: files\n    tool: [read_*, list_*]\n    decision: allow\n', 'safe', []],
    [
      'allows every tool of one server',
      'rules:\n  - server: files\n    decision: allow\n',
      'safe',
      ['rule 1 (server files) allows every tool of server files without asking'],
    ],
    [
      'allows any tool of any server only for some arguments',
      'rules:\n  - args: { path: { under: /workspace } }\n    decision: allow\n',
      'safe',
      [],
    ],
    [
      'default allow',
      'default: allow\nrules:\n  - tool: "*delete*"\n    decision: deny\n',
      'dangerous',
      ['default: allow runs every call that no rule stops, without asking'],
    ],
    [
      'default allow that no call reaches',
      'default: allow\nrules:\n  - tool: "*delete*"\n    decision: deny\n  - decision: ask\n',
      'safe',
      [],
    ],
    [
      'a catch-all allow under another name',
      'default: ask\nrules:\n  - tool: "*delete*"\n    decision: deny\n  - server: "*"\n    tool: "**"\n    decision: allow\n',
      'dangerous',
      ['rule 2 (* **) allows every tool of every server, without asking'],
    ],
    [
      'an allow that a server passes by saying nothing',
      'rules:\n  - annotations: { destructiveHint: true }\n    decision: allow\n',
      'dangerous',
      ['rule 1 (destructiveHint: true) allows every tool of every server that makes no claim to the contrary, without asking'],
    ],
    ['an allow after a catch-all deny is never reached', 'rules:\n  - decision: deny\n  - decision: allow\n', 'safe', []],
    [
      'an allow on a claimed annotation',
      'rules:\n  - server: files\n    annotations: { openWorldHint: false }\n    decision: allow\n',
      'trusts-claims',
      [
        `rule 1 (server files, openWorldHint: false) allows a tool because its server claims openWorldHint: false (the server's own, unverified claim)`,
      ],
    ],
    [
      'an allow on a claimed title',
      'rules:\n  - annotations: { title: Read }\n    decision: allow\n',
      'trusts-claims',
      [`rule 1 (title: "Read") allows a tool because its server claims title: "Read" (the server's own, unverified claim)`],
    ],
    [
      'destructiveHint: true needs stating for a tool that claims read-only',
      'rules:\n  - annotations: { readOnlyHint: true, destructiveHint: true }\n    decision: allow\n',
      'trusts-claims',
      [
        `rule 1 (readOnlyHint: true, destructiveHint: true) allows a tool because its server claims readOnlyHint: true, destructiveHint: true (the server's own, unverified claim)`,
      ],
    ],
    [
      'an allow by tool name on every server',
      'rules:\n  - tool: read_*\n    decision: allow\n',
      'trusts-claims',
      ['rule 1 (tool read_*) allows tools by name on every server, and each server names its own tools'],
    ],
    [
      'the worst reason wins, and every reason is kept',
      'default: allow\nrules:\n  - annotations: { readOnlyHint: true }\n    decision: allow\n',
      'dangerous',
      [
        `rule 1 (readOnlyHint: true) allows a tool because its server claims readOnlyHint: true (the server's own, unverified claim)`,
        'default: allow runs every call that no rule stops, without asking',
      ],
    ],
  ])('%s', (_label, text, level, reasons) => {
    expect(assessPolicy(policy(text))).toEqual({ level, reasons });
  });
});

describe('showing an assessment', () => {
  it('names the level next to the policy when it is not safe', () => {
    expect(policyWithLevel('ask', assessPolicy(policyPreset('ask').policy))).toBe('ask');
    expect(policyWithLevel('read-only', assessPolicy(policyPreset('read-only').policy))).toBe('read-only (TRUSTS SERVER CLAIMS)');
    expect(policyWithLevel('mine.yaml', assessPolicy(policyPreset('all').policy))).toBe('mine.yaml (DANGEROUS)');
  });

  it('formats for a terminal: the level, then each reason', () => {
    expect(formatAssessment(assessPolicy(policyPreset('all').policy))).toEqual([
      'assessment: DANGEROUS — tools of any server run without asking',
      '  default: allow runs every call that no rule stops, without asking',
    ]);
  });
});
