import { describe, expect, it } from 'vitest';
import { elicitationAsk } from '../../../daemon/peer/elicitation-form.js';
import type { ElicitField } from '../../../src/elicitation/fields.js';
import { checkContent, describeProblems, fieldProblem, initialContent, valueFromText } from '../../../src/elicitation/validate.js';
import { EVERYTHING_FORM } from './fixtures.js';

const text = (extra: Partial<Extract<ElicitField, { type: 'string' }>> = {}): ElicitField => ({
  name: 't',
  type: 'string',
  required: false,
  ...extra,
});

describe('one field’s value', () => {
  it('checks string lengths (in characters, not UTF-16 units) and the four formats', () => {
    expect(fieldProblem(text({ minLength: 2 }), 'a')).toBe('needs at least 2 characters');
    expect(fieldProblem(text({ maxLength: 2 }), '😀😀')).toBeUndefined();
    expect(fieldProblem(text({ maxLength: 2 }), 'abc')).toBe('takes at most 2 characters');
    expect(fieldProblem(text({ format: 'email' }), 'a@example.org')).toBeUndefined();
    for (const bad of ['a@b', 'no at.org', 'a @b.org', '@b.org']) expect(fieldProblem(text({ format: 'email' }), bad)).toMatch(/email/);
    expect(fieldProblem(text({ format: 'uri' }), 'https://example.org/x')).toBeUndefined();
    expect(fieldProblem(text({ format: 'uri' }), 'example.org')).toMatch(/scheme/);
    expect(fieldProblem(text({ format: 'date' }), '2024-02-29')).toBeUndefined();
    expect(fieldProblem(text({ format: 'date' }), '2023-02-29')).toMatch(/date/);
    expect(fieldProblem(text({ format: 'date' }), '29/02/2024')).toMatch(/date/);
    expect(fieldProblem(text({ format: 'date-time' }), '2024-02-29T23:59:59Z')).toBeUndefined();
    expect(fieldProblem(text({ format: 'date-time' }), '2024-02-29T10:00:00.5+02:00')).toBeUndefined();
    expect(fieldProblem(text({ format: 'date-time' }), '2024-02-29T24:00:00Z')).toMatch(/date and time/);
    expect(fieldProblem(text({ format: 'date-time' }), '2024-02-29 10:00')).toMatch(/date and time/);
  });

  it('checks numbers, integers, booleans, choices and lists of choices', () => {
    const int: ElicitField = { name: 'n', type: 'integer', required: false, minimum: 1, maximum: 10 };
    expect(fieldProblem(int, 5)).toBeUndefined();
    expect(fieldProblem(int, 5.5)).toBe('must be a whole number');
    expect(fieldProblem(int, 0)).toBe('must be at least 1');
    expect(fieldProblem(int, 11)).toBe('must be at most 10');
    expect(fieldProblem(int, '5')).toBe('must be a number');
    expect(fieldProblem({ name: 'b', type: 'boolean', required: false }, 'yes')).toBe('must be yes or no');
    const options = [
      { value: 'a', title: 'A' },
      { value: 'b', title: 'B' },
      { value: 'c', title: 'C' },
    ];
    expect(fieldProblem({ name: 'e', type: 'enum', required: false, options }, 'z')).toBe('must be one of: a, b, c');
    const multi: ElicitField = { name: 'm', type: 'multi', required: true, options, minItems: 1, maxItems: 2 };
    expect(fieldProblem(multi, ['a', 'b'])).toBeUndefined();
    expect(fieldProblem(multi, ['a', 'a'])).toBe('lists a choice twice');
    expect(fieldProblem(multi, ['a', 'z'])).toBe('may only hold: a, b, c');
    expect(fieldProblem(multi, ['a', 'b', 'c'])).toBe('takes at most 2 choices');
    expect(fieldProblem(multi, [])).toBe('needs at least 1 choices');
    expect(fieldProblem(multi, undefined)).toBe('is required');
  });

  it('reads typed text as the field’s value', () => {
    expect(valueFromText({ name: 'n', type: 'number', required: false }, ' 3.5 ')).toEqual({ value: 3.5 });
    expect(valueFromText({ name: 'n', type: 'number', required: false }, 'three')).toEqual({ problem: 'must be a number' });
    expect(valueFromText({ name: 'n', type: 'number', required: false }, '')).toEqual({});
    expect(valueFromText(text(), '')).toEqual({});
    expect(valueFromText(text(), ' x ')).toEqual({ value: ' x ' });
  });
});

describe('an accepted form', () => {
  const ask = elicitationAsk(EVERYTHING_FORM);
  if (ask.mode !== 'form') throw new Error('expected a form');
  const { fields } = ask;

  it('starts from the defaults, and those alone miss only the required name', () => {
    const start = initialContent(fields);
    expect(start).toMatchObject({ integer: 42, untitledMultipleSelectEnum: ['Guitar'], legacyTitledEnum: 'pet-1' });
    const checked = checkContent(fields, start);
    expect(checked).toEqual({ ok: false, problems: [{ field: 'name', message: 'is required' }] });
    if (!checked.ok) expect(describeProblems(fields, checked.problems)).toBe('String is required');
  });

  it('passes a full answer through unchanged, and refuses fields the form did not ask for and wrong kinds', () => {
    const content = { ...initialContent(fields), name: 'Ada', email: 'ada@example.org', check: true };
    expect(checkContent(fields, content)).toEqual({ ok: true, content });
    expect(checkContent(fields, { ...content, extra: 'x' })).toEqual({
      ok: false,
      problems: [{ field: 'extra', message: 'is not a field of this form' }],
    });
    expect(checkContent(fields, { ...content, check: { nested: true } })).toEqual({
      ok: false,
      problems: [{ field: 'check', message: 'has a value of the wrong kind' }],
    });
    expect(checkContent(fields, { ...content, name: '' })).toMatchObject({
      ok: false,
      problems: [{ field: 'name', message: 'is required' }],
    });
  });
});
