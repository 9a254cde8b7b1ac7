import { describe, expect, it } from 'vitest';
import { sessionRuleFor } from '../../../src/policy/engine.js';
import { explainPolicy } from '../../../src/policy/explain.js';
import { MAX_TESTED_LENGTH } from '../../../src/policy/pattern.js';
import type { Policy } from '../../../src/policy/schema.js';

const policy: Policy = {
  description: 'example',
  default: 'ask',
  rules: [
    { tool: '*delete*', decision: 'deny', message: 'Deleting is not allowed here.' },
    { server: 'fetch', args: { url: '^https://docs\\.example\\.com/' }, decision: 'allow' },
    { server: 'filesystem', tool: 'read_*', decision: 'allow' },
    { annotations: { readOnlyHint: true }, decision: 'allow' },
  ],
};

describe('explainPolicy', () => {
  it('walks the rules to the one that decides', () => {
    const { verdict, lines } = explainPolicy(policy, { server: 'filesystem', tool: 'read_file', args: { path: '/x' } });
    expect(verdict.decision).toBe('allow');
    expect(lines).toEqual([
      'call: filesystem read_file {"path":"/x"}',
      "annotations (the server's claims): none",
      'policy: example',
      'policy rules (in order; the first match decides):',
      '  1. (tool *delete*) deny: no, tool "read_file" does not match "*delete*"',
      '  2. (server fetch, args url) allow: no, server "filesystem" does not match "fetch"',
      '  3. (filesystem read_*) allow: MATCH',
      '  (1 later rule not checked)',
      'default: ask (not reached)',
      'verdict: ALLOW: rule 3 (filesystem read_*) allows',
    ]);
  });

  it('says why each rule missed and when the default decided', () => {
    const { lines } = explainPolicy(policy, {
      server: 'fetch',
      tool: 'fetch',
      args: { url: 'https://evil.example/' },
      annotations: { readOnlyHint: false },
    });
    expect(lines.slice(1)).toEqual([
      "annotations (the server's claims): readOnlyHint: false",
      'policy: example',
      'policy rules (in order; the first match decides):',
      '  1. (tool *delete*) deny: no, tool "fetch" does not match "*delete*"',
      '  2. (server fetch, args url) allow: no, argument "url" ("https://evil.example/") does not match /^https://docs\\.example\\.com//',
      '  3. (filesystem read_*) allow: no, server "fetch" does not match "filesystem"',
      '  4. (readOnlyHint: true) allow: no, the server claims readOnlyHint: false, not readOnlyHint: true',
      'default: ask',
      'verdict: ASK: no rule matched; default is ask',
    ]);
  });

  it('shows session rules, a policy deny standing over them, and the message', () => {
    const { verdict, lines } = explainPolicy(policy, { server: 'filesystem', tool: 'delete_file', args: {} }, [
      sessionRuleFor('filesystem', 'delete_file'),
    ]);
    expect(verdict).toMatchObject({ decision: 'deny', source: 'policy', ruleIndex: 0 });
    expect(lines).toContain('session rules (checked first; a policy deny still stands):');
    expect(lines).toContain('  1. "always allow filesystem delete_file (this session)" allow: MATCH');
    expect(lines.at(-2)).toBe(
      'verdict: DENY: rule 1 (tool *delete*) denies; a policy deny is not lifted by session rule 1 "always allow filesystem delete_file (this session)"',
    );
    expect(lines.at(-1)).toBe('message: Deleting is not allowed here.');
  });

  it('says when an argument could not be tested and which way that went', () => {
    const guarded: Policy = {
      default: 'ask',
      rules: [
        { args: { content: 'token' }, decision: 'allow' },
        { args: { content: 'PRIVATE KEY' }, decision: 'deny' },
      ],
    };
    const { lines } = explainPolicy(guarded, { server: 's', tool: 't', args: { content: 'x'.repeat(MAX_TESTED_LENGTH + 1) } });
    const why = `argument "content" is ${MAX_TESTED_LENGTH + 1} characters, over the ${MAX_TESTED_LENGTH} that patterns are tested against`;
    expect(lines).toContain(`  1. (args content) allow: skipped, ${why} (an allow rule never matches on a guess)`);
    expect(lines).toContain(`  2. (args content) deny: ${why}, so it is taken to match`);
    expect(lines[0]!.length).toBeLessThan(260);
  });
});
