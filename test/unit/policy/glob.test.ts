import { describe, expect, it } from 'vitest';
import { checkGlob, escapeGlob, matchGlob, matchGlobs } from '../../../src/policy/glob.js';

describe('matchGlob', () => {
  it.each([
    ['read_*', 'read_file', true],
    ['read_*', 'read_', true],
    ['read_*', 'xread_file', false],
    ['*delete*', 'delete', true],
    ['*delete*', 'bulk_delete_items', true],
    ['*delete*', 'Delete', false], // case-sensitive
    ['*', '', true],
    ['*', 'anything at all', true],
    ['**', 'x', true],
    ['?', 'a', true],
    ['?', '', false],
    ['?', 'ab', false],
    ['file?', 'files', true],
    ['file?', 'file', false],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'abcabc', true],
    ['a*b*c', 'acb', false],
    ['*a*a*a*b', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', false],
    ['fetch', 'fetch', true],
    ['fetch', 'fetcher', false], // whole name, not a prefix
    ['fetch', 'prefetch', false],
    // Regex metacharacters are plain characters in a glob.
    ['a.b', 'a.b', true],
    ['a.b', 'aXb', false],
    ['x+', 'xx', false],
    ['x+', 'x+', true],
    ['(a|b)', 'a', false],
    ['(a|b)', '(a|b)', true],
    ['^tool$', '^tool$', true],
    ['[ab]', 'a', false],
    ['[ab]', '[ab]', true],
    ['{a,b}', 'a', false],
    // Backslash escapes the next character.
    ['\\*', '*', true],
    ['\\*', 'x', false],
    ['\\?', '?', true],
    ['\\?', 'x', false],
    ['a\\\\b', 'a\\b', true],
    ['\\x', 'x', true],
    // `?` is one character, also outside the BMP.
    ['?', '😀', true],
    ['é?', 'éa', true],
  ])('%j against %j → %s', (glob, name, expected) => {
    expect(matchGlob(glob, name)).toBe(expected);
  });
});

describe('matchGlobs', () => {
  it.each([
    [['read_*', 'list_*'], 'list_dir', true],
    [['read_*', 'list_*'], 'write_file', false],
    [['exact'], 'exact', true],
    ['single', 'single', true],
  ] as const)('%j against %j → %s', (globs, name, expected) => {
    expect(matchGlobs(globs, name)).toBe(expected);
  });
});

describe('escapeGlob', () => {
  it.each(['*', '?', 'a*b?c', 'back\\slash', 'plain_name', 'x.y'])('%j matches only itself once escaped', (name) => {
    const glob = escapeGlob(name);
    expect(matchGlob(glob, name)).toBe(true);
    expect(matchGlob(glob, `${name}x`)).toBe(false);
    expect(matchGlob(glob, 'other')).toBe(name === 'other');
  });
});

describe('checkGlob', () => {
  it.each([
    ['', /cannot be empty/],
    ['abc\\', /lone "\\"/],
    ['a\\\\\\', /lone "\\"/],
  ])('%j is refused', (glob, message) => {
    expect(checkGlob(glob)).toMatch(message);
  });

  it.each(['*', 'a\\\\', 'read_*', '\\*'])('%j is accepted', (glob) => {
    expect(checkGlob(glob)).toBeUndefined();
  });
});

describe('matchGlob with ignoreCase (how policy rules match tool names)', () => {
  it.each([
    ['*delete*', 'Delete_file', true],
    ['*delete*', 'DELETE', true],
    ['*delete*', 'bulk_DeLeTe', true],
    ['*DELETE*', 'delete_file', true],
    ['read_?ile', 'READ_FILE', true],
    ['\\*', '*', true],
    ['a\\B', 'ab', true],
    ['*delete*', 'remove', false],
    ['fetch', 'FETCHER', false], // still the whole name
    ['ß', 'SS', false], // lower-casing, not full case folding: one character stays one character
  ])('%j against %j → %s', (glob, name, expected) => {
    expect(matchGlob(glob, name, { ignoreCase: true })).toBe(expected);
  });

  it('applies to each glob of a list', () => {
    expect(matchGlobs(['read_*', 'LIST_*'], 'List_Dir', { ignoreCase: true })).toBe(true);
    expect(matchGlobs(['read_*', 'LIST_*'], 'List_Dir')).toBe(false);
  });
});
