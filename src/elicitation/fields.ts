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

export const STRING_FORMATS = ['email', 'uri', 'date', 'date-time'] as const;

export type { ElicitField, ElicitFieldType, EnumOption } from './schema.js';
import type { ElicitField, EnumOption } from './schema.js';

/** One value a person gives back. */
export type ElicitValue = string | number | boolean | string[];

/** What an accepted form sends back: field name → value (only fields that have one). */
export type ElicitContent = Record<string, ElicitValue>;

/** The label a person sees for a field: its title, else its name. */
export function fieldLabel(field: ElicitField): string {
  return field.title?.trim() || field.name;
}

/** The title of an option's value, or the value itself when the field has no such option. */
export function optionTitle(field: ElicitField & { options: EnumOption[] }, value: string): string {
  return field.options.find((o) => o.value === value)?.title ?? value;
}
