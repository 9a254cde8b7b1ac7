import { describe, expect, it } from 'vitest';
import {
  checkToolSchema,
  compileTools,
  fnv1a32,
  SCHEMA_LIMITS,
  toFunctionDeclaration,
  type McpToolInput,
} from '../../../src/tools/index.js';

const tool = (server: string, name: string, inputSchema: unknown = { type: 'object', properties: {} }): McpToolInput => ({
  server,
  name,
  inputSchema,
});

describe('compileTools', () => {
  it('leaves out a tool Gemini cannot take and keeps the others', () => {
    const huge = { type: 'object', properties: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`p${i}`, {}])) };
    const set = compileTools([
      tool('fs', 'read', { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] }),
      tool('fs', 'nothing', { type: 'null' }),
      tool('fs', 'huge', huge),
      tool('mem', 'graph', { type: 'object', properties: { depth: { type: ['integer', 'null'] } } }),
    ]);
    expect(set.tools.map((t) => t.functionName)).toEqual(['fs__read', 'mem__graph']);
    expect(set.rejected).toEqual([
      { server: 'fs', tool: 'nothing', reason: 'inputSchema accepts no arguments at all' },
      { server: 'fs', tool: 'huge', reason: 'schema is too large: more than 2000 schema nodes once $ref is inlined' },
    ]);
    expect(set.tools[1]).toEqual({
      functionName: 'mem__graph',
      server: 'mem',
      tool: 'graph',
      description: '',
      parametersJsonSchema: { type: 'object', properties: { depth: { type: 'integer', nullable: true } } },
      repairs: ['#/properties/depth: type ["integer","null"] rewritten as "integer" with "nullable": true'],
    });
  });

  it('rejects duplicates and nameless tools without touching the rest', () => {
    const set = compileTools([
      tool('fs', 'read'),
      { ...tool('fs', 'read'), description: 'second' },
      tool('', 'x'),
      tool('fs', ''),
      null as unknown as McpToolInput,
      tool('fs', 'write'),
    ]);
    expect(set.tools.map((t) => t.functionName)).toEqual(['fs__read', 'fs__write']);
    expect(set.rejected).toEqual([
      { server: 'fs', tool: 'read', reason: 'duplicate tool name on this server; the first one is kept' },
      { server: '', tool: 'x', reason: 'server name is missing' },
      { server: 'fs', tool: '', reason: 'tool name is missing' },
      { server: '', tool: '', reason: 'server name is missing' },
    ]);
  });

  it('turns a tool object that throws into a rejection', () => {
    const hostile = tool('fs', 'boom');
    Object.defineProperty(hostile, 'inputSchema', {
      get() {
        throw new Error('getter exploded');
      },
    });
    const set = compileTools([hostile, tool('fs', 'fine')]);
    expect(set.tools.map((t) => t.tool)).toEqual(['fine']);
    expect(set.rejected).toEqual([{ server: 'fs', tool: 'boom', reason: 'internal error while compiling: getter exploded' }]);
  });

  it('names tools across servers uniquely and resolves them back', () => {
    const set = compileTools([tool('gh', 'issues/list'), tool('gh', 'issues_list'), tool('gl', 'issues/list')]);
    expect(set.tools.map((t) => t.functionName)).toEqual([
      `gh__issues_list_${fnv1a32('gh\u0000issues/list')}`,
      'gh__issues_list',
      'gl__issues_list',
    ]);
    for (const t of set.tools) expect(set.resolve(t.functionName)).toEqual({ server: t.server, tool: t.tool });
    expect(set.resolve('gh__nope')).toBeUndefined();
  });

  it('truncates absurd descriptions and drops non-string ones', () => {
    const long = 'd'.repeat(20_000);
    const set = compileTools([
      { ...tool('s', 'long'), description: long },
      { ...tool('s', 'odd'), description: 42 as unknown as string },
    ]);
    expect(set.tools[0]?.description).toBe(`${'d'.repeat(SCHEMA_LIMITS.maxToolDescription - 1)}…`);
    expect(set.tools[0]?.repairs).toEqual(['description: truncated from 20000 to 4096 characters']);
    expect(set.tools[1]?.description).toBe('');
    expect(set.tools[1]?.repairs).toEqual(['description: not a string; removed']);
  });

  it('copies plain JSON annotations and drops anything else', () => {
    const annotations = { readOnlyHint: true, title: 'Read' };
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const set = compileTools([
      { ...tool('s', 'a'), annotations },
      { ...tool('s', 'b'), annotations: cyclic },
    ]);
    expect(set.tools[0]?.annotations).toEqual(annotations);
    expect(set.tools[0]?.annotations).not.toBe(annotations);
    expect(set.tools[1]?.annotations).toBeUndefined();
    expect(set.tools[1]?.repairs).toEqual(['annotations: not a plain JSON object; dropped']);
  });
});

describe('checkToolSchema', () => {
  it('lists the repairs of a usable tool', () => {
    expect(checkToolSchema(tool('s', 't', { type: 'object', properties: { l: { type: 'array' } }, $schema: 'x' }))).toEqual({
      ok: true,
      repairs: [
        '#/properties/l: array without "items"; items may be any JSON value',
        '#: removed keywords Gemini does not accept here: "$schema"',
      ],
    });
  });

  it('gives the reason for an unusable tool', () => {
    expect(checkToolSchema(tool('s', 't', { type: 'null' }))).toEqual({
      ok: false,
      repairs: ['#: type "null" only; removed (Gemini has no null-only values)'],
      reason: 'inputSchema accepts no arguments at all',
    });
  });
});

describe('toFunctionDeclaration', () => {
  it('builds the declaration Gemini takes, leaving out an empty description', () => {
    const [withText, without] = compileTools([{ ...tool('s', 'a'), description: 'Does a' }, tool('s', 'b')]).tools;
    expect(withText && toFunctionDeclaration(withText)).toEqual({
      name: 's__a',
      description: 'Does a',
      parametersJsonSchema: { type: 'object', properties: {} },
    });
    expect(without && toFunctionDeclaration(without)).toEqual({
      name: 's__b',
      parametersJsonSchema: { type: 'object', properties: {} },
    });
  });
});
