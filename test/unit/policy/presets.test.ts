import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../../src/policy/engine.js';
import { lintPolicy } from '../../../src/policy/lint.js';
import { DEFAULT_PRESET, policyPreset, PRESET_NAMES, resolvePolicySpec } from '../../../src/policy/presets.js';
import { policySchema, type Policy } from '../../../src/policy/schema.js';

const readOnlyTool = { server: 'memory', tool: 'read_graph', args: {}, annotations: { readOnlyHint: true } };
const writingTool = { server: 'memory', tool: 'create_entities', args: {}, annotations: { readOnlyHint: false } };
const silentTool = { server: 'fs', tool: 'write_file', args: { path: '/x' } };

describe('presets', () => {
  it.each([
    ['ask', readOnlyTool, 'ask'],
    ['ask', silentTool, 'ask'],
    ['read-only', readOnlyTool, 'allow'],
    ['read-only', writingTool, 'ask'],
    ['read-only', silentTool, 'ask'],
    ['all', writingTool, 'allow'],
    ['all', silentTool, 'allow'],
  ] as const)('%s on %j → %s', (name, call, decision) => {
    expect(evaluatePolicy(policyPreset(name).policy, call).decision).toBe(decision);
  });

  it('read-only says the allow rests on the server claim', () => {
    expect(evaluatePolicy(policyPreset('read-only').policy, readOnlyTool).reason).toBe(
      'rule 1 "server claims the tool is read-only" allows: the server claims readOnlyHint: true',
    );
  });

  it.each(PRESET_NAMES)('%s is a valid policy as written', (name) => {
    const { policy } = policyPreset(name);
    expect(policySchema.parse(policy)).toEqual(policy);
  });

  it.each([
    ['ask', false],
    ['read-only', false],
    ['all', true],
  ] as const)('%s dangerous: %s, and the linter agrees', (name, dangerous) => {
    const preset = policyPreset(name);
    expect(preset.dangerous).toBe(dangerous);
    expect(lintPolicy(preset.policy).some((warning) => warning.level === 'danger')).toBe(dangerous);
  });

  it('the default is "ask"', () => {
    expect(DEFAULT_PRESET).toBe('ask');
  });

  it('hands out copies that callers cannot use to change the preset', () => {
    policyPreset('ask').policy.rules.push({ decision: 'allow' });
    expect(policyPreset('ask').policy.rules).toEqual([]);
  });
});

describe('resolvePolicySpec', () => {
  it.each(PRESET_NAMES)('%s is a preset', (name) => {
    expect(resolvePolicySpec(name)).toEqual({ kind: 'preset', name, ...policyPreset(name) });
  });

  it.each([
    ['policy.yaml', 'yaml'],
    ['./ask', undefined],
    ['/etc/mcpgw/policy.json', 'json'],
    ['readonly', undefined], // not a preset: the caller will say the file does not exist
    ['  spaced.yml ', 'yaml'],
  ] as const)('%j is a file', (spec, format) => {
    expect(resolvePolicySpec(spec)).toEqual({ kind: 'file', path: spec.trim(), format });
  });

  it.each(['', '   '])('%j is invalid', (spec) => {
    expect(resolvePolicySpec(spec)).toEqual({
      kind: 'invalid',
      message: 'give a preset (ask, read-only, all) or the path of a policy file',
    });
  });
});

describe('lintPolicy', () => {
  const p = (rules: Policy['rules'], fallback: Policy['default'] = 'ask'): Policy => ({ default: fallback, rules });
  it.each([
    ['a careful policy', p([{ tool: '*delete*', decision: 'deny' }]), []],
    [
      'default allow',
      p([{ tool: 'x', decision: 'deny' }], 'allow'),
      [{ level: 'danger', message: 'default: allow runs every call that no rule stops, without asking' }],
    ],
    [
      'a catch-all allow with rules below it',
      p([{ decision: 'allow' }, { tool: 'x', decision: 'deny' }]),
      [
        { level: 'danger', message: 'rule 1 (every call) allows every call without asking', ruleIndex: 0 },
        { level: 'warning', message: 'rule 1 matches every call, so rules 2-2 and the default can never apply', ruleIndex: 0 },
      ],
    ],
    [
      'a catch-all deny at the end',
      p(
        [
          { tool: 'x', decision: 'allow' },
          { server: '*', tool: ['**'], decision: 'deny' },
        ],
        'allow',
      ),
      [{ level: 'warning', message: 'rule 2 matches every call, so the default can never apply', ruleIndex: 1 }],
    ],
    ['annotations make a rule specific', p([{ annotations: { readOnlyHint: true }, decision: 'allow' }]), []],
  ] as const)('%s', (_label, policy, warnings) => {
    expect(lintPolicy(policy)).toEqual(warnings);
  });
});
