import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../../src/policy/engine.js';
import { explainPolicy } from '../../../src/policy/explain.js';
import { parsePolicy } from '../../../src/policy/parse.js';
import { formatPath, isUnder, readPath, resolvedPathText } from '../../../src/policy/path.js';
import type { Policy } from '../../../src/policy/schema.js';

function policy(text: string): Policy {
  const parsed = parsePolicy(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.policy;
}

const read = (value: string): string => {
  const reading = readPath(value);
  return reading.ok ? formatPath(reading.path) : `unplaceable: ${reading.why}`;
};

describe('readPath: POSIX normalisation, as pure string code', () => {
  it.each([
    ['/etc/passwd', '/etc/passwd'],
    ['//etc/passwd', '/etc/passwd'],
    ['///etc///passwd', '/etc/passwd'],
    ['/tmp/../etc/passwd', '/etc/passwd'],
    ['/./etc/passwd', '/etc/passwd'],
    ['/etc/', '/etc'],
    ['/etc/.', '/etc'],
    ['/etc/./.', '/etc'],
    ['/etc/x/..', '/etc'],
    ['/..', '/'],
    ['/../../../etc', '/etc'], // ".." above the root stays at the root
    ['/', '/'],
    ['/etc.', '/etc.'], // a different name on POSIX, not /etc
    ['/etc/passwd.', '/etc/passwd.'],
    ['/a\\..\\etc', '/a\\..\\etc'], // a backslash is a character in a POSIX name, not a separator
    ['~', '~'],
    ['~/.ssh/id_rsa', '~/.ssh/id_rsa'],
    ['~/x/../.ssh//id_rsa', '~/.ssh/id_rsa'],
    ['file:///etc/passwd', '/etc/passwd'],
    ['FILE:///etc/passwd', '/etc/passwd'],
    ['file://localhost/etc/passwd', '/etc/passwd'],
    ['file://LOCALHOST/etc/passwd', '/etc/passwd'],
    ['file:/etc/passwd', '/etc/passwd'],
    ['file:///%65tc/passwd', '/etc/passwd'],
    ['file:///tmp/%2e%2e/etc/passwd', '/etc/passwd'],
    ['file:///tmp/..%2Fetc/passwd', '/etc/passwd'],
    ['file:///etc/passwd?x=1#frag', '/etc/passwd'],
    ['file://', '/'],
  ])('%j → %j', (value, expected) => {
    expect(read(value)).toBe(expected);
  });

  it.each([
    ['etc/passwd', /not an absolute path/],
    ['./etc', /not an absolute path/],
    ['../etc', /not an absolute path/],
    ['', /not an absolute path/],
    ['~root/.ssh', /not an absolute path/],
    ['~/../etc', /climbs above ~/],
    ['file://evil.example/etc/passwd', /another host/],
    ['file:etc/passwd', /without an absolute path/],
    ['file:///%zz', /malformed %-escape/],
  ])('%j cannot be placed', (value, why) => {
    expect(read(value)).toMatch(why);
  });
});

describe('isUnder compares whole segments', () => {
  const under = (path: string, dir: string): boolean => {
    const [p, d] = [readPath(path), readPath(dir)];
    if (!p.ok || !d.ok) throw new Error('test paths must be readable');
    return isUnder(p.path, d.path);
  };
  it.each([
    ['/etc', '/etc', true],
    ['/etc/passwd', '/etc', true],
    ['/etc/passwd', '/etc/', true],
    ['/etcetera', '/etc', false],
    ['/et', '/etc', false],
    ['/anything', '/', true],
    ['~/.ssh/id_rsa', '~/.ssh', true],
    ['~/.sshx', '~/.ssh', false],
    ['/home/u/.ssh/id_rsa', '~/.ssh', false], // the home directory is not known to the policy
    ['~/etc', '/etc', false],
  ])('%j under %j → %s', (path, dir, expected) => {
    expect(under(path, dir)).toBe(expected);
  });
});

describe('resolvedPathText: what a regex also sees', () => {
  it.each([
    ['//etc/passwd', '/etc/passwd'],
    ['/workspace/../etc', '/etc'],
    ['file://localhost/%65tc/x', 'file:///etc/x'],
    ['~/a/../.ssh', '~/.ssh'],
    ['/etc/passwd', undefined], // already resolved
    ['relative/../x', undefined], // not written as a path
    ['https://example.com//a/../b', undefined],
    ['~/../x', undefined], // cannot be placed: only the text as written is tested
  ])('%j → %j', (value, expected) => {
    expect(resolvedPathText(value)).toBe(expected);
  });
});

describe('a deny on /etc cannot be dodged by spelling the path differently', () => {
  const attempts = [
    '/etc/passwd',
    '//etc/passwd',
    '/tmp/../etc/passwd',
    '/./etc/passwd',
    '/etc/',
    '/etc/.',
    '/etc',
    '/../etc/shadow',
    '/workspace/../../etc/shadow',
    'file:///etc/passwd',
    'file://localhost/etc/passwd',
    'file:///%65tc/passwd',
    'file:///workspace/%2e%2e/etc/passwd',
  ];

  const underPolicy = policy(`
default: allow
rules:
  - tool: write_file
    args: { path: { under: /etc } }
    decision: deny
`);
  it.each(attempts)('under: %j is denied', (path) => {
    expect(evaluatePolicy(underPolicy, { server: 'fs', tool: 'write_file', args: { path } }).decision).toBe('deny');
  });

  const regexPolicy = policy(`
default: allow
rules:
  - tool: write_file
    args: { path: "^/etc(/|$)" }
    decision: deny
`);
  // A regex sees a file URI as a URI (use `under` for those); every plain-path spelling is caught.
  it.each(attempts.filter((path) => !path.startsWith('file:')))('regex: %j is denied', (path) => {
    expect(evaluatePolicy(regexPolicy, { server: 'fs', tool: 'write_file', args: { path } }).decision).toBe('deny');
  });

  it.each(['/etcetera/x', '/workspace/etc', '/workspace/a/../b'])('%j is not under /etc', (path) => {
    expect(evaluatePolicy(underPolicy, { server: 'fs', tool: 'write_file', args: { path } }).decision).toBe('allow');
    expect(evaluatePolicy(regexPolicy, { server: 'fs', tool: 'write_file', args: { path } }).decision).toBe('allow');
  });

  it('says why, in the reason and in explain', () => {
    const verdict = evaluatePolicy(regexPolicy, { server: 'fs', tool: 'write_file', args: { path: '//etc/passwd' } });
    expect(verdict.reason).toBe(
      'rule 1 (tool write_file, args path) denies (argument "path" ("//etc/passwd") is the path "/etc/passwd", and /^/etc(/|$)/ matches the path but not the text as written, so this deny rule is taken to match)',
    );
    const { lines } = explainPolicy(underPolicy, { server: 'fs', tool: 'write_file', args: { path: 'notes.txt' } });
    expect(lines).toContain(
      '  1. (tool write_file, args path) deny: argument "path" ("notes.txt") cannot be placed: it is not an absolute path (a relative one is resolved by the server against a directory the policy cannot see), so it is taken to match',
    );
  });
});

describe('an allow under a directory cannot be stretched out of it', () => {
  const allowWorkspace = policy(`
default: ask
rules:
  - server: fs
    args: { path: { under: [/workspace, "~/notes"] } }
    decision: allow
  - server: fs
    tool: read_*
    args: { path: "^/workspace/" }
    decision: allow
`);
  const decide = (tool: string, path: unknown): string => evaluatePolicy(allowWorkspace, { server: 'fs', tool, args: { path } }).decision;

  it.each([
    ['/workspace/a.txt', 'allow'],
    ['/workspace', 'allow'],
    ['//workspace//a.txt', 'allow'],
    ['~/notes/today.md', 'allow'],
    ['file:///workspace/a.txt', 'allow'],
    ['/workspace/../etc/passwd', 'ask'],
    ['/workspace/./../etc/passwd', 'ask'],
    ['file:///workspace/%2e%2e/etc/passwd', 'ask'],
    ['~/notes/../.ssh/id_rsa', 'ask'],
    ['~/../root/notes', 'ask'],
    ['a.txt', 'ask'], // relative: where it lands is the server's business, so it is not allowed on a guess
    ['/workspaces/x', 'ask'],
  ])('write_file %j → %s', (path, decision) => {
    expect(decide('write_file', path)).toBe(decision);
  });

  it('an allow regex is not fooled by ".." either', () => {
    expect(decide('read_file', '/workspace/../etc/passwd')).toBe('ask');
  });

  it.each([
    [['/workspace/a', '/workspace/b'], 'allow'],
    [['/workspace/a', '/etc/passwd'], 'ask'], // one path outside: not allowed
    [[], 'ask'],
    [['/workspace/a', 3], 'ask'], // not a list of paths: cannot be placed
    [{ path: '/workspace/a' }, 'ask'],
    [42, 'ask'],
  ])('a list %j → %s', (paths, decision) => {
    expect(decide('write_file', paths)).toBe(decision);
  });

  it('a list with one path under a denied directory is denied', () => {
    const deny = policy('default: allow\nrules:\n  - args: { paths: { under: /etc } }\n    decision: deny\n');
    expect(
      evaluatePolicy(deny, { server: 'fs', tool: 'read_multiple_files', args: { paths: ['/workspace/a', '//etc/shadow'] } }),
    ).toMatchObject({
      decision: 'deny',
      reason: expect.stringContaining('names some paths under "/etc" and some not (such as "/workspace/a")'),
    });
  });
});

describe('the path matcher in a policy file', () => {
  it('reads in YAML as a path or a list of paths', () => {
    expect(policy("rules:\n  - args: { path: { under: ['/etc', '~/.ssh'] } }\n    decision: deny\n").rules[0]!.args).toEqual({
      path: { under: ['/etc', '~/.ssh'] },
    });
    expect(policy('rules:\n  - args:\n      path:\n        under: /etc\n    decision: deny\n').rules[0]!.args).toEqual({
      path: { under: '/etc' },
    });
  });

  it.each([
    ['a relative directory', "{ under: 'etc' }", 'rules.0.args.p.under', /not an absolute path/],
    ['an empty list', '{ under: [] }', 'rules.0.args.p.under', /list at least one path/],
    ['a misspelt key', '{ undr: /etc }', 'rules.0.args.p.undr', /did you mean "under"/],
    ['a number', '{ under: 5 }', 'rules.0.args.p.under', /expected a path or a list of paths/],
    ['above the home directory', "{ under: '~/..' }", 'rules.0.args.p.under', /climbs above ~/],
  ])('refuses %s', (_label, matcher, path, message) => {
    const parsed = parsePolicy(`rules:\n  - args: { p: ${matcher} }\n    decision: deny\n`);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issues).toContainEqual(expect.objectContaining({ path, message: expect.stringMatching(message) }));
  });
});

describe('the examples in the docs', () => {
  const yamlBlocks = (file: string): string[] =>
    [...readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

  it('README "Policies" parses and denies a delete and /etc whatever the spelling', () => {
    const [readme] = yamlBlocks('README.md');
    const p = policy(readme!);
    expect(evaluatePolicy(p, { server: 'files', tool: 'Delete_file', args: {} }).decision).toBe('deny');
    expect(evaluatePolicy(p, { server: 'files', tool: 'read_file', args: { path: '/tmp/../etc/passwd' } }).decision).toBe('deny');
    expect(evaluatePolicy(p, { server: 'files', tool: 'read_file', args: { path: 'file:///etc/passwd' } }).decision).toBe('deny');
    expect(evaluatePolicy(p, { server: 'files', tool: 'read_file', args: { path: '/srv/a' } }).decision).toBe('allow');
  });

  it('docs/policies path example parses and does what it says', () => {
    const [rules] = yamlBlocks('docs/policies/README.md');
    const p = policy(`rules:\n${rules!.replace(/^/gm, '  ')}`);
    expect(evaluatePolicy(p, { server: 'filesystem', tool: 'write_file', args: { path: '~/.ssh/../.ssh/authorized_keys' } }).decision).toBe(
      'deny',
    );
    expect(evaluatePolicy(p, { server: 'filesystem', tool: 'write_file', args: { path: '/workspace/a' } }).decision).toBe('allow');
    expect(evaluatePolicy(p, { server: 'filesystem', tool: 'read_file', args: { path: '/workspace/../etc/passwd' } }).decision).toBe('ask');
  });
});
