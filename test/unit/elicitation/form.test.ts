import { ElicitRequestSchema, McpError, type ElicitRequest } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { elicitationAsk } from '../../../daemon/peer/elicitation-form.js';
import { FORM_LIMITS } from '../../../src/elicitation/fields.js';
import { EVERYTHING_FORM } from './fixtures.js';

/** The params as the SDK hands them to mcpd's handler: parsed by its own schema first. */
function asSdk(params: unknown): ElicitRequest['params'] {
  return ElicitRequestSchema.parse({ method: 'elicitation/create', params }).params;
}

function form(properties: Record<string, unknown>, required?: string[]): ElicitRequest['params'] {
  return asSdk({ message: 'm', requestedSchema: { type: 'object', properties, ...(required ? { required } : {}) } });
}

describe('a server’s elicitation as a question', () => {
  it('turns every kind of field of the spec into a typed field, in order, titles kept', () => {
    const ask = elicitationAsk(asSdk(EVERYTHING_FORM));
    if (ask.mode !== 'form') throw new Error('expected a form');
    expect(ask.fields.map((f) => [f.name, f.type, f.required])).toEqual([
      ['name', 'string', true],
      ['check', 'boolean', false],
      ['firstLine', 'string', false],
      ['email', 'string', false],
      ['homepage', 'string', false],
      ['birthdate', 'string', false],
      ['integer', 'integer', false],
      ['number', 'number', false],
      ['untitledSingleSelectEnum', 'enum', false],
      ['untitledMultipleSelectEnum', 'multi', false],
      ['titledSingleSelectEnum', 'enum', false],
      ['titledMultipleSelectEnum', 'multi', false],
      ['legacyTitledEnum', 'enum', false],
    ]);
    expect(ask.fields.find((f) => f.name === 'email')).toMatchObject({ format: 'email' });
    expect(ask.fields.find((f) => f.name === 'integer')).toMatchObject({ minimum: 1, maximum: 100, default: 42 });
    expect(ask.fields.find((f) => f.name === 'legacyTitledEnum')).toMatchObject({
      options: [
        { value: 'pet-1', title: 'Cats' },
        { value: 'pet-2', title: 'Dogs' },
      ],
    });
    expect(ask.fields.find((f) => f.name === 'titledMultipleSelectEnum')).toMatchObject({
      options: [
        { value: 'fish-1', title: 'Tuna' },
        { value: 'fish-2', title: 'Salmon' },
      ],
      minItems: 1,
      default: ['fish-1'],
    });
  });

  it('refuses malformed, contradictory and oversized forms with an MCP error, naming the problem', () => {
    const refused = (params: ElicitRequest['params'], why: RegExp): void => {
      expect(() => elicitationAsk(params)).toThrow(McpError);
      expect(() => elicitationAsk(params)).toThrow(why);
    };
    refused(form({}), /no fields/);
    refused(form({ a: { type: 'string' } }, ['b']), /"b" is required but not a field/);
    refused(form({ a: { type: 'integer', minimum: 5, maximum: 1 } }), /minimum is over maximum/);
    refused(form({ a: { type: 'string', minLength: 1.5 } }), /field "a"/);
    refused(form({ a: { type: 'integer', minimum: 1, default: 0 } }), /its default must be at least 1/);
    refused(form({ a: { type: 'string', enum: ['x', 'x'] } }), /lists a choice twice/);
    refused(form({ 'a b': { type: 'string' } }), /names are letters/);
    refused(form({ a: { type: 'string', title: 't'.repeat(FORM_LIMITS.titleChars + 1) } }), /field "a"/);
    const many = Object.fromEntries(Array.from({ length: FORM_LIMITS.fields + 1 }, (_, i) => [`f${i}`, { type: 'boolean' }]));
    refused(form(many), /33 fields, over 32/);
    refused(
      asSdk({
        message: 'x'.repeat(FORM_LIMITS.messageChars + 1),
        requestedSchema: { type: 'object', properties: { a: { type: 'boolean' } } },
      }),
      /message/,
    );
    const options = Array.from({ length: FORM_LIMITS.options + 1 }, (_, i) => `o${i}`);
    refused(form({ a: { type: 'string', enum: options } }), /field "a"/);
  });

  it('shows a URL only when it is http(s) without credentials, with its host', () => {
    const url = (u: string) => asSdk({ mode: 'url', message: 'sign in', elicitationId: 'e1', url: u });
    expect(elicitationAsk(url('https://auth.example.com/login?x=1'))).toMatchObject({
      mode: 'url',
      elicitationId: 'e1',
      url: { host: 'auth.example.com', href: 'https://auth.example.com/login?x=1', secure: true },
    });
    // An international host is shown in its xn-- form, so a look-alike cannot pass for the real name.
    expect(elicitationAsk(url('https://exаmple.com/'))).toMatchObject({ url: { host: 'xn--exmple-4nf.com' } });
    expect(elicitationAsk(url('http://example.org/'))).toMatchObject({ url: { secure: false } });
    expect(() => elicitationAsk(url('javascript:alert(1)'))).toThrow(/only http and https/);
    expect(() => elicitationAsk(url('file:///etc/passwd'))).toThrow(/only http and https/);
    expect(() => elicitationAsk(url('https://bank.example@evil.example/'))).toThrow(/user name or password/);
    expect(() => elicitationAsk(url(`https://example.com/${'a'.repeat(2100)}`))).toThrow(/longer than/);
  });
});
