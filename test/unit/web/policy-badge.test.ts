// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import PolicyBadge from '../../../web/src/components/PolicyBadge.vue';
import { assessPolicy } from '../../../src/policy/assess.js';
import { parsePolicy } from '../../../src/policy/parse.js';
import { policyPreset, type PresetName } from '../../../src/policy/presets.js';

const preset = (name: PresetName) => assessPolicy(policyPreset(name).policy);

function fromFile(text: string) {
  const parsed = parsePolicy(text);
  if (!parsed.ok) throw new Error('the test policy must parse');
  return assessPolicy(parsed.policy);
}

describe('PolicyBadge', () => {
  it('is quiet for a policy that asks', () => {
    const badge = mount(PolicyBadge, { props: { policy: 'ask', assessment: preset('ask') } }).get('[data-testid=policy]');
    expect(badge.text()).toBe('policy ask');
    expect(badge.attributes('data-level')).toBe('safe');
    expect(badge.attributes('data-dangerous')).toBeUndefined();
  });

  it('is loud for the all preset', () => {
    const badge = mount(PolicyBadge, { props: { policy: 'all', assessment: preset('all') } }).get('[data-testid=policy]');
    expect(badge.text()).toBe('policy all · tools run without asking');
    expect(badge.attributes('data-dangerous')).toBe('true');
    expect(badge.attributes('title')).toContain('default: allow runs every call that no rule stops, without asking');
  });

  it('judges a file by its rules, not its name', () => {
    const assessment = fromFile('default: ask\nrules:\n  - server: "*"\n    decision: allow\n');
    const badge = mount(PolicyBadge, { props: { policy: 'careful.yaml', assessment } }).get('[data-testid=policy]');
    expect(badge.attributes('data-level')).toBe('dangerous');
    expect(badge.text()).toBe('policy careful.yaml · tools run without asking');
    expect(badge.attributes('title')).toContain('rule 1 (server *) allows every tool of every server, without asking');
  });

  it('is not loud for a careful file that happens to be called "all"', () => {
    const assessment = fromFile('default: deny\nrules:\n  - server: files\n    tool: read_*\n    decision: allow\n');
    const badge = mount(PolicyBadge, { props: { policy: 'all', assessment } }).get('[data-testid=policy]');
    expect(badge.attributes('data-level')).toBe('safe');
    expect(badge.text()).toBe('policy all');
  });

  it('says when the policy trusts the servers’ own claims, and which rule does', () => {
    const badge = mount(PolicyBadge, { props: { policy: 'read-only', assessment: preset('read-only') } }).get('[data-testid=policy]');
    expect(badge.attributes('data-level')).toBe('trusts-claims');
    expect(badge.text()).toBe('policy read-only · trusts server claims');
    expect(badge.attributes('title')).toContain("because its server claims readOnlyHint: true (the server's own, unverified claim)");
  });
});
