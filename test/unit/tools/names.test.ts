import { describe, expect, it } from 'vitest';
import { assignFunctionNames, fnv1a32, GEMINI_FUNCTION_NAME, sanitizeFunctionName, type ToolRef } from '../../../src/tools/index.js';

const nameOf = (refs: ToolRef[], ref: ToolRef): string | undefined => assignFunctionNames(refs).nameOf(ref);
const hashOf = (server: string, tool: string): string => fnv1a32(`${server}\u0000${tool}`);

/** A deterministic generator, so the "many names" test is the same on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('fnv1a32', () => {
  it('matches the published FNV-1a test vectors', () => {
    expect(fnv1a32('')).toBe('811c9dc5');
    expect(fnv1a32('a')).toBe('e40c292c');
    expect(fnv1a32('foobar')).toBe('bf9cf968');
  });

  it('hashes UTF-8 bytes, not UTF-16 code units', () => {
    // "é" is C3 A9 in UTF-8; FNV-1a over those two bytes.
    let h = 0x811c9dc5;
    for (const b of [0xc3, 0xa9]) h = Math.imul(h ^ b, 0x01000193);
    expect(fnv1a32('é')).toBe((h >>> 0).toString(16).padStart(8, '0'));
  });
});

describe('sanitizeFunctionName', () => {
  it.each([
    [{ server: 'filesystem', tool: 'read_file' }, 'filesystem__read_file'],
    [{ server: 'everything', tool: 'get-sum' }, 'everything__get-sum'],
    [{ server: 'srv', tool: 'v1.list' }, 'srv__v1.list'],
    [{ server: 'srv', tool: 'a/b c' }, 'srv__a_b_c'],
    [{ server: 'srv', tool: 'ns:tool' }, 'srv__ns_tool'],
    [{ server: 'srv', tool: 'überprüfen' }, 'srv___berpr_fen'],
    [{ server: 'srv', tool: 'launch🚀' }, 'srv__launch_'],
    [{ server: '1password', tool: 'get' }, '_1password__get'],
  ])('%o → %s', (ref, expected) => {
    expect(sanitizeFunctionName(ref)).toBe(expected);
  });
});

describe('assignFunctionNames', () => {
  it('keeps valid names as they are and maps them back', () => {
    const refs = [
      { server: 'filesystem', tool: 'read_file' },
      { server: 'memory', tool: 'read_graph' },
    ];
    const names = assignFunctionNames(refs);
    expect(names.nameOf(refs[0] as ToolRef)).toBe('filesystem__read_file');
    expect(names.resolve('memory__read_graph')).toEqual({ server: 'memory', tool: 'read_graph' });
    expect(names.resolve('memory__nope')).toBeUndefined();
    expect(names.nameOf({ server: 'memory', tool: 'nope' })).toBeUndefined();
  });

  it('does not confuse a-b with a_b: both are valid and distinct', () => {
    const refs = [
      { server: 'srv', tool: 'a-b' },
      { server: 'srv', tool: 'a_b' },
    ];
    expect(refs.map((r) => nameOf(refs, r))).toEqual(['srv__a-b', 'srv__a_b']);
  });

  it('gives a sanitized look-alike a hash suffix and lets the exact name keep its own', () => {
    const refs = [
      { server: 'srv', tool: 'a/b' },
      { server: 'srv', tool: 'a_b' },
      { server: 'srv', tool: 'a b' },
    ];
    const names = assignFunctionNames(refs);
    expect(names.nameOf({ server: 'srv', tool: 'a_b' })).toBe('srv__a_b');
    expect(names.nameOf({ server: 'srv', tool: 'a/b' })).toBe(`srv__a_b_${hashOf('srv', 'a/b')}`);
    expect(names.nameOf({ server: 'srv', tool: 'a b' })).toBe(`srv__a_b_${hashOf('srv', 'a b')}`);
    expect(names.resolve(`srv__a_b_${hashOf('srv', 'a/b')}`)).toEqual({ server: 'srv', tool: 'a/b' });
  });

  it('keeps a lone sanitized name readable, without a hash', () => {
    expect(nameOf([{ server: 'srv', tool: 'a/b' }], { server: 'srv', tool: 'a/b' })).toBe('srv__a_b');
  });

  it('splits two exact names that collide across the server/tool boundary', () => {
    // Server "a_" (allowed: a single trailing underscore) + tool "b" and server "a" + tool "_b" are both "a___b".
    const refs = [
      { server: 'a_', tool: 'b' },
      { server: 'a', tool: '_b' },
    ];
    const names = assignFunctionNames(refs);
    expect(names.nameOf(refs[0] as ToolRef)).toBe(`a___b_${hashOf('a_', 'b')}`);
    expect(names.nameOf(refs[1] as ToolRef)).toBe(`a___b_${hashOf('a', '_b')}`);
    expect(names.resolve(`a___b_${hashOf('a', '_b')}`)).toEqual({ server: 'a', tool: '_b' });
  });

  it('shortens a 200-character tool name to a readable prefix plus a hash of the full name', () => {
    const tool = `x${'y'.repeat(199)}`;
    const name = nameOf([{ server: 'srv', tool }], { server: 'srv', tool });
    expect(name).toBe(`srv__x${'y'.repeat(49)}_${hashOf('srv', tool)}`);
    expect(name).toHaveLength(64);
    expect(name).toMatch(GEMINI_FUNCTION_NAME);
  });

  it('keeps long names with the same prefix apart', () => {
    const refs = [
      { server: 'srv', tool: `${'p'.repeat(100)}-one` },
      { server: 'srv', tool: `${'p'.repeat(100)}-two` },
    ];
    const names = refs.map((r) => nameOf(refs, r) ?? '');
    expect(names[0]?.slice(0, 55)).toBe(names[1]?.slice(0, 55));
    expect(names[0]).not.toBe(names[1]);
    for (const n of names) expect(n).toMatch(GEMINI_FUNCTION_NAME);
  });

  it('salts the hash when even the hashed names collide', () => {
    // A tool literally named like another one's hashed form: the hashed one must move on.
    const sanitizedTwin = { server: 'srv', tool: 'a/b' };
    const squatter = { server: 'srv', tool: `a_b_${hashOf('srv', 'a/b')}` };
    const exact = { server: 'srv', tool: 'a_b' };
    const names = assignFunctionNames([sanitizedTwin, squatter, exact]);
    expect(names.nameOf(squatter)).toBe(`srv__a_b_${hashOf('srv', 'a/b')}`);
    expect(names.nameOf(sanitizedTwin)).toBe(`srv__a_b_${fnv1a32('srv\u0000a/b\u00001')}`);
    expect(names.nameOf(exact)).toBe('srv__a_b');
  });

  it('names every pair validly and uniquely, whatever the characters, and round-trips', () => {
    const random = lcg(42);
    const alphabet = ['a', 'Z', '0', '_', '-', '.', ':', '/', ' ', 'é', '漢', '🚀', '__'];
    const refs: ToolRef[] = [];
    for (let i = 0; i < 500; i++) {
      const length = 1 + Math.floor(random() * 90);
      let tool = '';
      for (let j = 0; j < length; j++) tool += alphabet[Math.floor(random() * alphabet.length)];
      refs.push({ server: ['s', 's-2', 'a_', 'a', '9lives'][i % 5] ?? 's', tool });
    }
    const names = assignFunctionNames(refs);
    const given = new Set<string>();
    for (const ref of refs) {
      const name = names.nameOf(ref) ?? '';
      expect(name).toMatch(GEMINI_FUNCTION_NAME);
      expect(names.resolve(name)).toEqual(ref);
      given.add(name);
    }
    expect(given.size).toBe(new Set(refs.map((r) => JSON.stringify(r))).size);
  });

  it('does not depend on the order tools are listed in', () => {
    const refs = [
      { server: 'srv', tool: 'a/b' },
      { server: 'srv', tool: 'a b' },
      { server: 'a_', tool: 'b' },
      { server: 'a', tool: '_b' },
      { server: 'srv', tool: 'z'.repeat(80) },
      { server: 'srv', tool: `${'z'.repeat(80)}!` },
    ];
    const mapping = (list: ToolRef[]): string[] => {
      const names = assignFunctionNames(list);
      return refs.map((r) => names.nameOf(r) ?? '');
    };
    const expected = mapping(refs);
    expect(mapping([...refs].reverse())).toEqual(expected);
    expect(mapping([...refs.slice(3), ...refs.slice(0, 3)])).toEqual(expected);
    expect(new Set(expected).size).toBe(refs.length);
  });
});
