import { z } from 'zod';
import { FORM_LIMITS, STRING_FORMATS } from './fields.js';

// The zod side of a form (daemon and protocol only): the clients import fields.ts and validate.ts, which hold no zod,
// because zod in the web bundle trips the page's CSP.

const text = (max: number) => z.string().max(max);
const base = {
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'names are letters, digits, "_", "." and "-"')
    .max(FORM_LIMITS.nameChars),
  title: text(FORM_LIMITS.titleChars).optional(),
  description: text(FORM_LIMITS.descriptionChars).optional(),
  required: z.boolean(),
};
const count = z.number().int().min(0);
const option = z.strictObject({ value: text(FORM_LIMITS.optionChars), title: text(FORM_LIMITS.optionChars) });
const options = z.array(option).min(1).max(FORM_LIMITS.options);

/** One field of a form, told apart by `type`; `enum` is a single choice and `multi` several (each with titles). */
export const elicitFieldSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...base,
    type: z.literal('string'),
    format: z.enum(STRING_FORMATS).optional(),
    minLength: count.max(FORM_LIMITS.valueChars).optional(),
    maxLength: count.max(FORM_LIMITS.valueChars).optional(),
    default: text(FORM_LIMITS.valueChars).optional(),
  }),
  z.strictObject({
    ...base,
    type: z.enum(['number', 'integer']),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    default: z.number().optional(),
  }),
  z.strictObject({ ...base, type: z.literal('boolean'), default: z.boolean().optional() }),
  z.strictObject({ ...base, type: z.literal('enum'), options, default: text(FORM_LIMITS.optionChars).optional() }),
  z.strictObject({
    ...base,
    type: z.literal('multi'),
    options,
    minItems: count.max(FORM_LIMITS.options).optional(),
    maxItems: count.max(FORM_LIMITS.options).optional(),
    default: z.array(text(FORM_LIMITS.optionChars)).max(FORM_LIMITS.options).optional(),
  }),
]);

export type ElicitField = z.infer<typeof elicitFieldSchema>;
export type ElicitFieldType = ElicitField['type'];
export type EnumOption = z.infer<typeof option>;

/** A form's fields, in the order the server listed them. */
export const elicitFormSchema = z.array(elicitFieldSchema).max(FORM_LIMITS.fields);

/** The content of an answer as it crosses the wire (bounded; checked against the form afterwards). */
export const elicitContentSchema = z
  .record(
    z.string().max(FORM_LIMITS.nameChars),
    z.union([
      z.string().max(FORM_LIMITS.valueChars),
      z.number(),
      z.boolean(),
      z.array(z.string().max(FORM_LIMITS.optionChars)).max(FORM_LIMITS.options),
    ]),
  )
  .refine((c) => Object.keys(c).length <= FORM_LIMITS.fields, `at most ${FORM_LIMITS.fields} fields`);
