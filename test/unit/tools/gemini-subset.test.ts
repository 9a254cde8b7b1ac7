import { describe, expect, it } from 'vitest';
import { anyValue, validateGeminiSchema } from '../../../src/tools/index.js';

const root = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  ...extra,
});

describe('validateGeminiSchema', () => {
  it('accepts the subset the compiler emits', () => {
    expect(
      validateGeminiSchema(
        root(
          {
            s: { type: 'string', title: 'S', description: 'd', nullable: true, enum: ['a'], format: 'date-time' },
            n: { type: 'integer', format: 'int64', minimum: 0, maximum: 9, default: 3 },
            list: { type: 'array', items: { type: 'number', format: 'double' }, minItems: 0, maxItems: 2 },
            o: { type: 'object', properties: { x: { type: 'boolean' } }, required: ['x'], additionalProperties: false },
            u: { description: 'either', anyOf: [{ type: 'string' }, { type: 'integer' }] },
            any: anyValue(),
          },
          { required: ['s'], propertyOrdering: ['s', 'n', 'list', 'o', 'u', 'any'] },
        ),
      ),
    ).toEqual([]);
  });

  // Each of these is a shape that Gemini has answered with 400 INVALID_ARGUMENT (see gemini-subset.ts).
  it.each([
    ['a root that is not an object', { type: 'string' }, '#: the root must be an object schema ("type": "object")'],
    ['a root without properties', { type: 'object' }, '#: the root must have "properties"'],
    [
      'a type list',
      root({ a: { type: ['string', 'null'] } }),
      '#/properties/a: "type" must be one of string, number, integer, boolean, array, object; got ["string","null"]',
    ],
    [
      'a null type',
      root({ a: { type: 'null' } }),
      '#/properties/a: "type" must be one of string, number, integer, boolean, array, object; got "null"',
    ],
    ['an untyped node', root({ a: { description: 'x' } }), '#/properties/a: every node needs a "type" (or "anyOf")'],
    [
      'type beside anyOf',
      root({ a: { type: 'string', anyOf: [{ type: 'string' }] } }),
      '#/properties/a: "type" and "anyOf" cannot both be set',
    ],
    ['an integer enum', root({ a: { type: 'integer', enum: [1, 2] } }), '#/properties/a: keyword "enum" is not accepted on type integer'],
    ['a string enum with numbers', root({ a: { type: 'string', enum: ['1', 2] } }), '#/properties/a: "enum" values must all be strings'],
    ['an array without items', root({ a: { type: 'array' } }), '#/properties/a: arrays need "items"'],
    ['a $ref', root({ a: { $ref: '#/$defs/A' } }), '#/properties/a: every node needs a "type" (or "anyOf")'],
    ['$schema', root({}, { $schema: 'x' }), '#: keyword "$schema" is not accepted on type object'],
    ['const', root({ a: { type: 'string', const: 'x' } }), '#/properties/a: keyword "const" is not accepted on type string'],
    ['an unsupported format', root({ a: { type: 'string', format: 'uri' } }), '#/properties/a: "format" "uri" is not accepted for string'],
    [
      'a schema-valued additionalProperties',
      root({}, { additionalProperties: { type: 'string' } }),
      '#: "additionalProperties" may only be false',
    ],
    ['required naming a missing property', root({}, { required: ['ghost'] }), '#: "required" must list declared property names'],
    [
      'default beside anyOf',
      root({ a: { anyOf: [{ type: 'string' }], default: 'x' } }),
      '#/properties/a: keyword "default" is not accepted',
    ],
    ['a negative count', root({ a: { type: 'string', minLength: -1 } }), '#/properties/a: "minLength" must be a non-negative integer'],
    ['a nullable root', root({}, { nullable: true }), '#: the root cannot be nullable'],
  ])('rejects %s', (_name, schema, problem) => {
    expect(validateGeminiSchema(schema)).toContain(problem);
  });

  it('reports a circular schema instead of looping', () => {
    const schema = root({});
    (schema.properties as Record<string, unknown>).self = schema;
    expect(validateGeminiSchema(schema)).toContain('#/properties/self: circular reference');
  });
});
