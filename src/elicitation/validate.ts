import { assertNever } from '../checks.js';
import { FORM_LIMITS, fieldLabel, type ElicitContent, type ElicitField, type ElicitValue } from './fields.js';

/**
 * One check of a form's answers, used by the daemon before anything goes back to the server and by both clients
 * as a person types, so a message a client shows is the one the daemon would give.
 */

/** A field's answer that does not fit, in words for the person filling the form. */
export interface FieldProblem {
  field: string;
  message: string;
}

export type ContentCheck = { ok: true; content: ElicitContent } | { ok: false; problems: FieldProblem[] };

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** Characters as a person counts them (code points, as JSON Schema's minLength/maxLength do). */
function length(text: string): number {
  return [...text].length;
}

function validDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

function formatProblem(format: NonNullable<Extract<ElicitField, { type: 'string' }>['format']>, value: string): string | undefined {
  switch (format) {
    case 'email':
      return EMAIL.test(value) && value.length <= 254 ? undefined : 'is not an email address (name@example.org)';
    case 'uri': {
      if (!SCHEME.test(value)) return 'is not a URI (it needs a scheme, like https://)';
      try {
        new URL(value);
        return undefined;
      } catch {
        return 'is not a URI';
      }
    }
    case 'date': {
      const m = DATE.exec(value);
      return m && validDate(m[1] ?? '', m[2] ?? '', m[3] ?? '') ? undefined : 'is not a date (YYYY-MM-DD)';
    }
    case 'date-time': {
      const m = DATE_TIME.exec(value);
      const ok =
        m !== null &&
        validDate(m[1] ?? '', m[2] ?? '', m[3] ?? '') &&
        Number(m[4]) < 24 &&
        Number(m[5]) < 60 &&
        Number(m[6]) < 61 &&
        (m[9] === undefined || (Number(m[9]) < 24 && Number(m[10]) < 60));
      return ok ? undefined : 'is not a date and time (YYYY-MM-DDTHH:MM:SSZ or with an offset like +02:00)';
    }
    default:
      return assertNever(format);
  }
}

function choices(field: { options: { value: string }[] }): string {
  return field.options.map((o) => o.value).join(', ');
}

/** Why `value` does not fit `field` (undefined: it fits). An absent value is a problem only for a required field. */
export function fieldProblem(field: ElicitField, value: ElicitValue | undefined): string | undefined {
  if (value === undefined) return field.required ? 'is required' : undefined;
  switch (field.type) {
    case 'string': {
      if (typeof value !== 'string') return 'must be text';
      if (field.required && value === '') return 'is required';
      const n = length(value);
      if (field.minLength !== undefined && n < field.minLength) return `needs at least ${field.minLength} characters`;
      const max = Math.min(field.maxLength ?? FORM_LIMITS.valueChars, FORM_LIMITS.valueChars);
      if (n > max) return `takes at most ${max} characters`;
      return field.format && value !== '' ? formatProblem(field.format, value) : undefined;
    }
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (field.type === 'integer' && !Number.isInteger(value)) return 'must be a whole number';
      if (field.minimum !== undefined && value < field.minimum) return `must be at least ${field.minimum}`;
      if (field.maximum !== undefined && value > field.maximum) return `must be at most ${field.maximum}`;
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be yes or no';
    case 'enum':
      return typeof value === 'string' && field.options.some((o) => o.value === value) ? undefined : `must be one of: ${choices(field)}`;
    case 'multi': {
      if (!Array.isArray(value)) return 'must be a list of choices';
      const unknown = value.find((v) => !field.options.some((o) => o.value === v));
      if (unknown !== undefined) return `may only hold: ${choices(field)}`;
      if (new Set(value).size !== value.length) return 'lists a choice twice';
      if (field.minItems !== undefined && value.length < field.minItems) return `needs at least ${field.minItems} choices`;
      if (field.maxItems !== undefined && value.length > field.maxItems) return `takes at most ${field.maxItems} choices`;
      if (field.required && value.length === 0) return 'is required';
      return undefined;
    }
    default:
      return assertNever(field);
  }
}

/**
 * Checks an accepted form's content against its fields: every value fits its field, every required field has
 * one, and nothing the form did not ask for is sent. Returns the content to send, or every problem found.
 */
export function checkContent(fields: readonly ElicitField[], content: Readonly<Record<string, unknown>>): ContentCheck {
  const problems: FieldProblem[] = [];
  const out: ElicitContent = {};
  const known = new Map(fields.map((f) => [f.name, f]));
  for (const name of Object.keys(content)) {
    if (!known.has(name)) problems.push({ field: name, message: 'is not a field of this form' });
  }
  for (const field of fields) {
    const raw = Object.hasOwn(content, field.name) ? content[field.name] : undefined;
    const value = isValue(raw) ? raw : undefined;
    const message = raw !== undefined && value === undefined ? 'has a value of the wrong kind' : fieldProblem(field, value);
    if (message) problems.push({ field: field.name, message });
    else if (value !== undefined) out[field.name] = value;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, content: out };
}

function isValue(raw: unknown): raw is ElicitValue {
  return (
    typeof raw === 'string' ||
    typeof raw === 'number' ||
    typeof raw === 'boolean' ||
    (Array.isArray(raw) && raw.every((v) => typeof v === 'string'))
  );
}

/** Problems as one line: "Email is not an email address; Name is required". */
export function describeProblems(fields: readonly ElicitField[], problems: readonly FieldProblem[]): string {
  const label = (name: string): string => {
    const field = fields.find((f) => f.name === name);
    return field ? fieldLabel(field) : name;
  };
  return problems.map((p) => `${label(p.field)} ${p.message}`).join('; ');
}

/**
 * Why a form itself is unusable (a server's mistake or trick), or undefined: duplicate names or choices, bounds
 * that exclude every value, a default that breaks its own field.
 */
export function formProblem(fields: readonly ElicitField[]): string | undefined {
  const names = new Set<string>();
  for (const field of fields) {
    if (names.has(field.name)) return `field "${field.name}" appears twice`;
    names.add(field.name);
    const what = `field "${field.name}"`;
    if (field.type === 'string' && (field.minLength ?? 0) > (field.maxLength ?? FORM_LIMITS.valueChars))
      return `${what}: minLength is over maxLength`;
    if ((field.type === 'number' || field.type === 'integer') && (field.minimum ?? -Infinity) > (field.maximum ?? Infinity))
      return `${what}: minimum is over maximum`;
    if (field.type === 'enum' || field.type === 'multi') {
      if (new Set(field.options.map((o) => o.value)).size !== field.options.length) return `${what} lists a choice twice`;
    }
    if (field.type === 'multi' && (field.minItems ?? 0) > Math.min(field.maxItems ?? field.options.length, field.options.length))
      return `${what}: minItems cannot be met`;
    if (field.default !== undefined) {
      const problem = fieldProblem({ ...field, required: false }, field.default);
      if (problem) return `${what}: its default ${problem}`;
    }
  }
  return undefined;
}

/** The values a form starts with: each field's default, if it has one. */
export function initialContent(fields: readonly ElicitField[]): ElicitContent {
  const out: ElicitContent = {};
  for (const field of fields) if (field.default !== undefined) out[field.name] = field.default;
  return out;
}

/**
 * What a person typed into a text box, as the field's value: text stays text, a number field's text becomes a
 * number (or a problem). Empty text is "no value".
 */
export function valueFromText(field: ElicitField, text: string): { value?: ElicitValue; problem?: string } {
  if (field.type === 'number' || field.type === 'integer') {
    const trimmed = text.trim();
    if (trimmed === '') return {};
    const n = Number(trimmed);
    return Number.isFinite(n) ? { value: n } : { problem: 'must be a number' };
  }
  if (field.type === 'string') return text === '' ? {} : { value: text };
  return { problem: 'is not a text field' };
}
