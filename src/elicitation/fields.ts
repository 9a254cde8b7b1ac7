import { z } from 'zod';

/**
 * An elicitation form as mcpgw keeps it: the server's restricted JSON Schema (flat object of primitives) turned
 * into an ordered list of typed fields. The daemon builds it from the server's request and refuses anything that
 * does not fit (bounds below); the clients draw their forms from it and the daemon checks answers against it, so
 * the three never read the server's raw schema.
 */

/** The bounds of a form a server may ask for: past them the request is refused, never trimmed. */
export const FORM_LIMITS = {
  fields: 32,
  nameChars: 64,
  titleChars: 200,
  descriptionChars: 1000,
  messageChars: 4000,
  options: 100,
  optionChars: 200,
  /** The longest string a person may send back (a field's own maxLength may be lower). */
  valueChars: 10_000,
} as const;

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

export const STRING_FORMATS = ['email', 'uri', 'date', 'date-time'] as const;

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

/** One value a person gives back. */
export type ElicitValue = string | number | boolean | string[];

/** What an accepted form sends back: field name → value (only fields that have one). */
export type ElicitContent = Record<string, ElicitValue>;

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

/** The label a person sees for a field: its title, else its name. */
export function fieldLabel(field: ElicitField): string {
  return field.title?.trim() || field.name;
}

/** The title of an option's value, or the value itself when the field has no such option. */
export function optionTitle(field: ElicitField & { options: EnumOption[] }, value: string): string {
  return field.options.find((o) => o.value === value)?.title ?? value;
}
