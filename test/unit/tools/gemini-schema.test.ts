import { describe, expect, it } from 'vitest';
import { anyValue, compileInputSchema, SCHEMA_LIMITS, validateGeminiSchema } from '../../../src/tools/index.js';

/** "Any JSON value" as the compiler spells it, with annotations. */
const any = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ ...extra, ...anyValue() });
const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  ...extra,
});

interface Case {
  name: string;
  input: unknown;
  schema?: Record<string, unknown>;
  reason?: string;
  repairs: string[];
}

const CASES: Case[] = [
  {
    name: 'type ["string","null"] becomes one type with nullable',
    input: obj({ name: { type: ['string', 'null'], description: 'Name' } }),
    schema: obj({ name: { type: 'string', description: 'Name', nullable: true } }),
    repairs: ['#/properties/name: type ["string","null"] rewritten as "string" with "nullable": true'],
  },
  {
    name: 'anyOf [T, null] (pydantic Optional) becomes T with nullable',
    input: obj({ limit: { anyOf: [{ type: 'integer' }, { type: 'null' }], default: null, title: 'Limit' } }),
    schema: obj({ limit: { type: 'integer', title: 'Limit', nullable: true, default: null } }),
    repairs: ['#/properties/limit: anyOf of one schema and null rewritten as that schema with "nullable": true'],
  },
  {
    name: 'a type list without null becomes anyOf, keywords going to the branch they belong to',
    input: obj({ v: { type: ['string', 'array'], items: { type: 'integer' }, minLength: 2, description: 'S or list' } }),
    schema: obj({
      v: {
        description: 'S or list',
        anyOf: [
          { type: 'string', minLength: 2 },
          { type: 'array', items: { type: 'integer' } },
        ],
      },
    }),
    repairs: ['#/properties/v: type ["string","array"] rewritten as anyOf'],
  },
  {
    name: 'integer enum keeps its type and lists the values in the description',
    input: obj({ level: { type: 'integer', enum: [1, 2, 3], description: 'Level' } }),
    schema: obj({ level: { type: 'integer', description: 'Level. Allowed values: 1, 2, 3.' } }),
    repairs: ['#/properties/level: enum of non-string values moved into the description (Gemini only accepts string enums)'],
  },
  {
    name: 'boolean enum',
    input: obj({ b: { type: 'boolean', enum: [true] } }),
    schema: obj({ b: { type: 'boolean', description: 'Allowed values: true.' } }),
    repairs: ['#/properties/b: enum of non-string values moved into the description (Gemini only accepts string enums)'],
  },
  {
    name: 'mixed enum with null: any value, nullable, values described',
    input: obj({ m: { enum: ['auto', 1, null] } }),
    schema: obj({ m: any({ description: 'Allowed values: "auto", 1.', nullable: true }) }),
    repairs: [
      '#/properties/m: null in "enum" expressed as "nullable": true',
      '#/properties/m: no "type"; any JSON value allowed',
      '#/properties/m: enum of non-string values moved into the description (Gemini only accepts string enums)',
    ],
  },
  {
    name: 'string enum without type gets type string (duplicates dropped)',
    input: obj({ e: { enum: ['a', 'b', 'a'] } }),
    schema: obj({ e: { type: 'string', enum: ['a', 'b'] } }),
    repairs: ['#/properties/e: no "type"; "string" taken from its enum'],
  },
  {
    name: 'const becomes a one-value enum',
    input: obj({ c: { const: 'fixed' }, n: { type: 'integer', const: 3 } }),
    schema: obj({ c: { type: 'string', enum: ['fixed'] }, n: { type: 'integer', description: 'Allowed values: 3.' } }),
    repairs: [
      '#/properties/c: "const" rewritten as a one-value "enum"',
      '#/properties/c: no "type"; "string" taken from its enum',
      '#/properties/n: "const" rewritten as a one-value "enum"',
      '#/properties/n: enum of non-string values moved into the description (Gemini only accepts string enums)',
    ],
  },
  {
    name: 'required names that are not properties are dropped',
    input: obj({ a: { type: 'string' } }, { required: ['a', 'ghost', 7, 'a'] }),
    schema: obj({ a: { type: 'string' } }, { required: ['a'] }),
    repairs: ['#: dropped from "required" (not among the properties): "ghost", 7'],
  },
  {
    name: 'array without items gets items that allow any value',
    input: obj({ list: { type: 'array', description: 'Things' } }),
    schema: obj({ list: { type: 'array', description: 'Things', items: anyValue() } }),
    repairs: ['#/properties/list: array without "items"; items may be any JSON value'],
  },
  {
    name: 'tuple prefixItems become items matching any entry',
    input: obj({ t: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'integer' }] } }),
    schema: obj({ t: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'integer' }] } } }),
    repairs: ['#/properties/t: tuple items rewritten as items that may match any tuple entry'],
  },
  {
    name: '$ref into $defs is inlined, siblings win',
    input: {
      type: 'object',
      properties: { point: { $ref: '#/$defs/Point', description: 'Where' } },
      $defs: {
        Point: {
          type: 'object',
          description: 'A point',
          properties: { x: { type: 'number' }, y: { type: 'number' } },
          required: ['x', 'y'],
        },
      },
    },
    schema: obj({
      point: {
        type: 'object',
        description: 'Where',
        properties: { x: { type: 'number' }, y: { type: 'number' } },
        required: ['x', 'y'],
      },
    }),
    repairs: ['#: "$defs" removed (references are inlined where used)', '#/properties/point: inlined $ref "#/$defs/Point"'],
  },
  {
    name: 'draft-07 definitions and ref chains',
    input: {
      type: 'object',
      definitions: { A: { $ref: '#/definitions/B' }, B: { type: 'string' } },
      properties: { a: { $ref: '#/definitions/A' } },
    },
    schema: obj({ a: { type: 'string' } }),
    repairs: [
      '#: "definitions" removed (references are inlined where used)',
      '#/properties/a: inlined $ref "#/definitions/A"',
      '#/properties/a: inlined $ref "#/definitions/B"',
    ],
  },
  {
    name: 'a recursive $ref is expanded once, then cut with a free-form placeholder',
    input: {
      type: 'object',
      properties: { root: { $ref: '#/$defs/Node' } },
      $defs: {
        Node: {
          type: 'object',
          properties: { value: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } },
        },
      },
    },
    schema: obj({
      root: {
        type: 'object',
        properties: {
          value: { type: 'string' },
          children: {
            type: 'array',
            items: { type: 'object', description: 'Recursive structure (#/$defs/Node); nested levels are not described.' },
          },
        },
      },
    }),
    repairs: [
      '#: "$defs" removed (references are inlined where used)',
      '#/properties/root: inlined $ref "#/$defs/Node"',
      '#/properties/root/properties/children/items: recursive $ref "#/$defs/Node" replaced by a free-form value',
    ],
  },
  {
    name: 'a recursive array type keeps its type in the placeholder',
    input: obj({ l: { $ref: '#/$defs/L' } }, { $defs: { L: { type: 'array', items: { $ref: '#/$defs/L' } } } }),
    schema: obj({
      l: {
        type: 'array',
        items: {
          type: 'array',
          description: 'Recursive structure (#/$defs/L); nested levels are not described.',
          items: anyValue(),
        },
      },
    }),
    repairs: [
      '#: "$defs" removed (references are inlined where used)',
      '#/properties/l: inlined $ref "#/$defs/L"',
      '#/properties/l/items: recursive $ref "#/$defs/L" replaced by a free-form value',
    ],
  },
  {
    name: '$ref "#" (the root itself) is a cycle',
    input: obj({ child: { $ref: '#' } }),
    schema: obj({ child: { type: 'object', description: 'Recursive structure (#); nested levels are not described.' } }),
    repairs: ['#/properties/child: recursive $ref "#" replaced by a free-form value'],
  },
  {
    name: 'a $ref to another document allows any value',
    input: obj({ r: { $ref: 'https://example.com/s.json', description: 'Remote' } }),
    schema: obj({ r: any({ description: 'Remote' }) }),
    repairs: ['#/properties/r: $ref "https://example.com/s.json" does not point inside this schema; any JSON value allowed'],
  },
  {
    name: 'keywords Gemini rejects are removed or moved into the description',
    input: {
      type: 'object',
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'urn:example',
      additionalProperties: false,
      properties: {
        s: { type: 'string', format: 'email', pattern: '^[a-z]+$', minLength: 1, examples: ['a'] },
        n: { type: 'number', exclusiveMinimum: 0, multipleOf: 5, maximum: 100 },
        i: { type: 'integer', minimum: 0, exclusiveMinimum: true, format: 'int64' },
        tags: { type: 'array', items: { type: 'string' }, uniqueItems: true, minItems: 1 },
        meta: { type: 'object', additionalProperties: { type: 'string' }, patternProperties: { '^x-': {} } },
        when: { type: 'string', format: 'date-time', readOnly: true, deprecated: true },
        cond: { type: 'string', if: { minLength: 1 }, then: {}, not: { const: 'x' } },
      },
    },
    schema: obj(
      {
        s: { type: 'string', description: 'Format: email. Must match the regular expression ^[a-z]+$', minLength: 1 },
        n: { type: 'number', description: 'Must be greater than 0. Must be a multiple of 5.', maximum: 100 },
        i: { type: 'integer', description: 'Must be greater than 0.', format: 'int64', minimum: 0 },
        tags: { type: 'array', description: 'Items must be unique.', minItems: 1, items: { type: 'string' } },
        meta: { type: 'object' },
        when: { type: 'string', format: 'date-time' },
        cond: { type: 'string' },
      },
      { additionalProperties: false },
    ),
    repairs: [
      '#/properties/s: format "email" is not accepted for string; moved into the description',
      '#/properties/s: "pattern" moved into the description',
      '#/properties/s: removed keywords Gemini does not accept here: "examples"',
      '#/properties/n: "exclusiveMinimum" moved into the description',
      '#/properties/n: "multipleOf" moved into the description',
      '#/properties/i: "exclusiveMinimum" moved into the description',
      '#/properties/tags: "uniqueItems" moved into the description',
      '#/properties/meta: "additionalProperties" schema removed (Gemini cannot describe maps); extra keys are allowed',
      '#/properties/meta: removed keywords Gemini does not accept here: "patternProperties"',
      '#/properties/when: removed keywords Gemini does not accept here: "readOnly", "deprecated"',
      '#/properties/cond: removed keywords Gemini does not accept here: "if", "then", "not"',
      '#: removed keywords Gemini does not accept here: "$schema", "$id"',
    ],
  },
  {
    name: 'allOf with a $ref base is merged into one object',
    input: {
      allOf: [{ $ref: '#/$defs/Base' }, { type: 'object', properties: { extra: { type: 'boolean' } }, required: ['extra'] }],
      $defs: { Base: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
    },
    schema: obj({ id: { type: 'string' }, extra: { type: 'boolean' } }, { required: ['id', 'extra'] }),
    repairs: ['#: "allOf" merged into one schema', '#: "$defs" removed (references are inlined where used)'],
  },
  {
    name: 'oneOf becomes anyOf',
    input: obj({ id: { oneOf: [{ type: 'string' }, { type: 'integer' }] } }),
    schema: obj({ id: { anyOf: [{ type: 'string' }, { type: 'integer' }] } }),
    repairs: ['#/properties/id: "oneOf" rewritten as "anyOf"'],
  },
  {
    name: 'type and default beside anyOf: type moves into the branches, default goes',
    input: obj({
      u: {
        type: 'object',
        default: {},
        description: 'Either',
        anyOf: [
          { properties: { a: { type: 'string' } }, required: ['a'] },
          { properties: { b: { type: 'string' } }, required: ['b'] },
        ],
      },
    }),
    schema: obj({
      u: {
        description: 'Either',
        anyOf: [
          { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
          { type: 'object', properties: { b: { type: 'string' } }, required: ['b'] },
        ],
      },
    }),
    repairs: [
      '#/properties/u: "type" beside anyOf moved into the branches',
      '#/properties/u: "default" removed next to anyOf (Vertex AI rejects the combination)',
    ],
  },
  {
    name: 'a discriminated union at the root becomes one object with a merged discriminator',
    input: {
      oneOf: [
        { type: 'object', properties: { kind: { const: 'a' }, x: { type: 'string' } }, required: ['kind', 'x'] },
        { type: 'object', properties: { kind: { const: 'b' }, y: { type: 'number' } }, required: ['kind', 'y'] },
      ],
    },
    schema: obj({ kind: { type: 'string', enum: ['a', 'b'] }, x: { type: 'string' }, y: { type: 'number' } }, { required: ['kind'] }),
    repairs: [
      '#: "oneOf" rewritten as "anyOf"',
      '#/oneOf/0/properties/kind: "const" rewritten as a one-value "enum"',
      '#/oneOf/0/properties/kind: no "type"; "string" taken from its enum',
      '#/oneOf/1/properties/kind: "const" rewritten as a one-value "enum"',
      '#/oneOf/1/properties/kind: no "type"; "string" taken from its enum',
      '#: root anyOf merged into one object (Gemini requires an object root); only properties every branch requires stay required',
    ],
  },
  {
    name: 'unknown type names allow any value',
    input: obj({ f: { type: 'file', description: 'Upload' } }),
    schema: obj({ f: any({ description: 'Upload' }) }),
    repairs: ['#/properties/f: unknown type "file" ignored', '#/properties/f: no "type"; any JSON value allowed'],
  },
  {
    name: 'null-only and false properties are removed, and so are their required entries',
    input: obj({ n: { type: 'null' }, never: false, k: { type: 'string' } }, { required: ['n', 'never', 'k'] }),
    schema: obj({ k: { type: 'string' } }, { required: ['k'] }),
    repairs: [
      '#/properties/n: type "null" only; removed (Gemini has no null-only values)',
      '#/properties/never: schema `false` accepts nothing; removed',
      '#: dropped from "required" (not among the properties): "n", "never"',
    ],
  },
  {
    name: 'values that are not schemas allow any value',
    input: obj({ a: 42, b: 'string', c: null, d: true }),
    schema: obj({ a: anyValue(), b: anyValue(), c: anyValue(), d: anyValue() }),
    repairs: [
      '#/properties/a: not a schema (number); any JSON value allowed',
      '#/properties/b: not a schema (string); any JSON value allowed',
      '#/properties/c: not a schema (null); any JSON value allowed',
    ],
  },
  {
    name: 'bad annotations are dropped: NaN default, non-string title and description',
    input: obj({ d: { type: 'number', default: Number.NaN }, t: { type: 'string', title: 5, description: ['x'] } }),
    schema: obj({ d: { type: 'number' }, t: { type: 'string' } }),
    repairs: [
      '#/properties/d: "default" is not plain JSON; removed',
      '#/properties/t: "title" is not a string; removed',
      '#/properties/t: "description" is not a string; removed',
    ],
  },
  {
    name: 'absurdly long property descriptions are truncated',
    input: obj({ p: { type: 'string', description: 'x'.repeat(5000) } }),
    schema: obj({ p: { type: 'string', description: `${'x'.repeat(SCHEMA_LIMITS.maxDescription - 1)}…` } }),
    repairs: ['#/properties/p: description truncated from 5000 to 1024 characters'],
  },
  // Roots that are not object schemas.
  {
    name: 'missing inputSchema',
    input: undefined,
    schema: obj({}),
    repairs: ['#: no inputSchema; the tool takes no arguments'],
  },
  {
    name: 'inputSchema that is a string',
    input: 'object',
    schema: obj({}),
    repairs: ['#: inputSchema is string, not a schema object; the tool takes no arguments'],
  },
  {
    name: 'inputSchema that is an array',
    input: [{ type: 'object' }],
    schema: obj({}),
    repairs: ['#: inputSchema is array, not a schema object; the tool takes no arguments'],
  },
  {
    name: 'empty root {}',
    input: {},
    schema: obj({}),
    repairs: ['#: root schema has no "type"; treated as an object', '#: root object has no "properties"; added an empty map'],
  },
  {
    name: 'root with properties but no type',
    input: { properties: { a: { type: 'string' } } },
    schema: obj({ a: { type: 'string' } }),
    repairs: ['#: root schema has no "type"; treated as an object'],
  },
  {
    name: 'root of type object without properties',
    input: { type: 'object' },
    schema: obj({}),
    repairs: ['#: root object has no "properties"; added an empty map'],
  },
  {
    name: 'root of a scalar type',
    input: { type: 'string' },
    schema: obj({}),
    repairs: ['#: root type "string" is not an object (Gemini requires one); the tool takes no arguments'],
  },
  {
    name: 'nullable root',
    input: { type: ['object', 'null'], properties: {} },
    schema: obj({}),
    repairs: ['#: type ["object","null"] rewritten as "object" with "nullable": true', '#: the root cannot be null; "nullable" removed'],
  },
  {
    name: 'a root that only allows null is rejected',
    input: { type: 'null' },
    reason: 'inputSchema accepts no arguments at all',
    repairs: ['#: type "null" only; removed (Gemini has no null-only values)'],
  },
];

describe('compileInputSchema', () => {
  it.each(CASES)('$name', ({ input, schema, reason, repairs }) => {
    const result = compileInputSchema(input);
    if (schema !== undefined) {
      expect(result).toEqual({ ok: true, schema, repairs });
      if (result.ok) expect(validateGeminiSchema(result.schema)).toEqual([]);
    } else {
      expect(result).toEqual({ ok: false, reason, repairs });
    }
  });

  it('never changes its input', () => {
    const input = {
      type: 'object',
      properties: { a: { type: ['string', 'null'], enum: [1, 2] }, b: { $ref: '#/$defs/B' } },
      $defs: { B: { type: 'array' } },
      required: ['ghost'],
    };
    const before = structuredClone(input);
    compileInputSchema(input);
    expect(input).toEqual(before);
  });

  it('emits keys in a fixed order', () => {
    const result = compileInputSchema(obj({ p: { default: 'x', enum: ['x', 'y'], description: 'P', type: 'string', title: 'T' } }));
    expect(result.ok && JSON.stringify(result.schema)).toBe(
      '{"type":"object","properties":{"p":{"type":"string","title":"T","description":"P","enum":["x","y"],"default":"x"}}}',
    );
  });
});

describe('compileInputSchema on pathological input', () => {
  it('stops at a circular JS object instead of recursing forever', () => {
    const input: Record<string, unknown> = { type: 'object', properties: {} };
    (input.properties as Record<string, unknown>).self = input;
    expect(compileInputSchema(input)).toEqual({
      ok: true,
      schema: obj({ self: { type: 'object', description: 'Recursive structure; nested levels are not described.' } }),
      repairs: ['#/properties/self: circular object reference replaced by a free-form value'],
    });
  });

  it('cuts 10,000 levels of nesting at the depth limit', () => {
    const root: Record<string, unknown> = {};
    let node = root;
    for (let i = 0; i < 10_000; i++) {
      const child: Record<string, unknown> = {};
      Object.assign(node, { type: 'object', properties: { a: child } });
      node = child;
    }
    const result = compileInputSchema(root);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(validateGeminiSchema(result.schema)).toEqual([]);
    let level: Record<string, unknown> = result.schema;
    for (let depth = 0; depth <= SCHEMA_LIMITS.maxDepth; depth++) {
      expect(level.type).toBe('object');
      level = (level.properties as Record<string, Record<string, unknown>>).a as Record<string, unknown>;
    }
    expect(level).toEqual(anyValue());
    const path = `#${'/properties/a'.repeat(SCHEMA_LIMITS.maxDepth + 1)}`;
    expect(result.repairs).toEqual([`${path}: nested more than ${SCHEMA_LIMITS.maxDepth} levels deep; any JSON value allowed below`]);
  });

  it('rejects thousands of properties as too large', () => {
    const properties = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`p${i}`, { type: 'string' }]));
    expect(compileInputSchema(obj(properties))).toEqual({
      ok: false,
      reason: 'schema is too large: more than 2000 schema nodes once $ref is inlined',
      repairs: [],
    });
  });

  it('rejects $ref fan-out that would inline exponentially many nodes', () => {
    // L0 → two refs to L1 → two refs to L2 ... : 2^30 nodes if inlined naively.
    const defs = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`L${i}`, obj({ left: { $ref: `#/$defs/L${i + 1}` }, right: { $ref: `#/$defs/L${i + 1}` } })]),
    );
    const result = compileInputSchema(obj({ top: { $ref: '#/$defs/L0' } }, { $defs: { ...defs, L30: { type: 'string' } } }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toBe('schema is too large: more than 2000 schema nodes once $ref is inlined');
  });

  it('rejects a schema whose getters throw, instead of throwing', () => {
    const input = obj({});
    Object.defineProperty(input, 'required', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(compileInputSchema(input)).toEqual({ ok: false, reason: 'inputSchema could not be read: boom', repairs: [] });
  });

  it('treats a "__proto__" property as an ordinary property', () => {
    const input = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"}},"required":["__proto__"]}');
    const result = compileInputSchema(input);
    expect(result.ok && JSON.stringify(result.schema)).toBe(
      '{"type":"object","properties":{"__proto__":{"type":"string"}},"required":["__proto__"]}',
    );
  });

  it('caps the number of repair notes', () => {
    const properties = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`p${i}`, { type: 'array' }]));
    const result = compileInputSchema(obj(properties));
    expect(result.repairs).toHaveLength(SCHEMA_LIMITS.maxNotes + 1);
    expect(result.repairs.at(-1)).toBe('… and 30 more repairs');
  });
});

describe('compileInputSchema on generated schemas', () => {
  /** Deterministic pseudo-random JSON-Schema-ish values: the same 400 schemas on every run. */
  function generator(seed: number) {
    let state = seed >>> 0;
    const next = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
    const types = ['string', 'number', 'integer', 'boolean', 'array', 'object', 'null', 'file', ['string', 'null'], ['integer', 'string']];
    const scalars = [0, 1, -2.5, 'a', '', true, false, null, Number.NaN];
    const schema = (depth: number): unknown => {
      if (depth > 4 || next() < 0.15) return pick([true, false, {}, 3, 'x', null, { type: pick(types) }]);
      const node: Record<string, unknown> = {};
      const keys = [
        'type',
        'enum',
        'const',
        'items',
        'prefixItems',
        'properties',
        'required',
        'anyOf',
        'oneOf',
        'allOf',
        '$ref',
        'format',
        'pattern',
        'default',
        'nullable',
        'additionalProperties',
        'minimum',
        'minItems',
        'description',
        'title',
        '$defs',
      ];
      for (const key of keys) {
        if (next() > 0.25) continue;
        switch (key) {
          case 'type':
            node.type = pick(types);
            break;
          case 'enum':
            node.enum = Array.from({ length: Math.floor(next() * 4) }, () => pick(scalars));
            break;
          case 'const':
            node.const = pick(scalars);
            break;
          case 'items':
          case 'additionalProperties':
            node[key] = schema(depth + 1);
            break;
          case 'prefixItems':
          case 'anyOf':
          case 'oneOf':
          case 'allOf':
            node[key] = Array.from({ length: Math.floor(next() * 3) }, () => schema(depth + 1));
            break;
          case 'properties':
            node.properties = { a: schema(depth + 1), b: schema(depth + 1) };
            break;
          case 'required':
            node.required = pick([['a'], ['a', 'z'], 'a', [1]]);
            break;
          case '$ref':
            node.$ref = pick(['#', '#/$defs/D', '#/$defs/missing', '#/properties/a', 'http://x']);
            break;
          case '$defs':
            node.$defs = { D: schema(depth + 1) };
            break;
          case 'format':
            node.format = pick(['uri', 'date-time', 'int64', 7]);
            break;
          default:
            node[key] = pick(scalars);
        }
      }
      return node;
    };
    return schema;
  }

  it('always returns either a schema that passes the validator or a reason, and never throws', () => {
    const schema = generator(7);
    for (let i = 0; i < 400; i++) {
      const input = schema(0);
      const result = compileInputSchema(input);
      if (result.ok) expect(validateGeminiSchema(result.schema)).toEqual([]);
      else expect(result.reason).not.toMatch(/still not accepted/);
      expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    }
  });
});
