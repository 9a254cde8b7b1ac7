/** Keyword-level compilation of one node whose type is known, into the subset described in gemini-subset.ts. */
import { ALLOWED_FORMATS, anyValue, ordered, SCHEMA_LIMITS, type GeminiType } from './gemini-subset.js';
import { cloneJson, escapeSegment, isPlainObject, label, truncate, type JsonObject } from './json.js';
import type { CompileContext } from './schema-context.js';
import type { EnumInfo } from './schema-types.js';

type Take = (key: string) => unknown;

/** Builds a node of one Gemini type; keywords are consumed from `work`, and whatever is left over is noted. */
export function buildTyped(
  work: JsonObject,
  type: GeminiType,
  nullable: boolean,
  en: EnumInfo | undefined,
  path: string,
  depth: number,
  ctx: CompileContext,
): JsonObject {
  const out: JsonObject = { type };
  const hints: string[] = [];
  const take: Take = (key) => {
    const value = work[key];
    delete work[key];
    return value;
  };
  if (en?.kind === 'strings') out.enum = en.values;
  if (en?.kind === 'described') {
    hints.push(en.hint);
    ctx.notes.add(path, en.note);
  }
  switch (type) {
    case 'string':
      stringKeywords(out, take, hints, path, ctx);
      break;
    case 'number':
    case 'integer':
      numberKeywords(out, type, take, hints, path, ctx);
      break;
    case 'array':
      arrayKeywords(out, take, hints, path, depth, ctx);
      break;
    case 'object':
      objectKeywords(out, take, path, depth, ctx);
      break;
    case 'boolean':
      break;
    default:
      return assertNever(type);
  }
  finishGeneric(out, work, hints, nullable, true, path, ctx);
  return ordered(out);
}

/** A union node (`anyOf`) carrying the annotations left in `work`. */
export function unionNode(
  branches: JsonObject[],
  work: JsonObject,
  hints: string[],
  nullable: boolean,
  path: string,
  ctx: CompileContext,
): JsonObject {
  const out: JsonObject = { anyOf: branches };
  finishGeneric(out, work, hints, nullable, false, path, ctx);
  return ordered(out);
}

function assertNever(value: never): never {
  throw new Error(`unexpected schema type ${String(value)}`);
}

function formatKeyword(out: JsonObject, type: GeminiType, take: Take, hints: string[], path: string, ctx: CompileContext): void {
  const format = take('format');
  if (format === undefined) return;
  if (typeof format === 'string' && ALLOWED_FORMATS[type].includes(format)) {
    out.format = format;
    return;
  }
  if (typeof format === 'string') hints.push(`Format: ${truncate(format, 40)}.`);
  ctx.notes.add(path, `format ${label(format)} is not accepted for ${type}; moved into the description`);
}

function countKeyword(out: JsonObject, take: Take, key: string, path: string, ctx: CompileContext): void {
  const value = take(key);
  if (value === undefined) return;
  if (Number.isSafeInteger(value) && (value as number) >= 0) out[key] = value;
  else ctx.notes.add(path, `"${key}" is not a non-negative integer; removed`);
}

function stringKeywords(out: JsonObject, take: Take, hints: string[], path: string, ctx: CompileContext): void {
  formatKeyword(out, 'string', take, hints, path, ctx);
  countKeyword(out, take, 'minLength', path, ctx);
  countKeyword(out, take, 'maxLength', path, ctx);
  // Gemini documents no regex dialect for `pattern` (the JSON Schema subset it lists for structured output has none);
  // an ECMAScript-only construct could fail the whole request, so the pattern is told, not enforced.
  const pattern = take('pattern');
  if (typeof pattern === 'string') {
    hints.push(`Must match the regular expression ${truncate(pattern, 200)}`);
    ctx.notes.add(path, '"pattern" moved into the description');
  } else if (pattern !== undefined) {
    ctx.notes.add(path, '"pattern" is not a string; removed');
  }
}

function numberKeywords(out: JsonObject, type: 'number' | 'integer', take: Take, hints: string[], path: string, ctx: CompileContext): void {
  formatKeyword(out, type, take, hints, path, ctx);
  for (const key of ['minimum', 'maximum']) {
    const value = take(key);
    if (value === undefined) continue;
    if (Number.isFinite(value)) out[key] = value;
    else ctx.notes.add(path, `"${key}" is not a finite number; removed`);
  }
  // Draft 6+ writes exclusive bounds as numbers, draft 4 as booleans beside minimum/maximum; `Schema` has neither.
  const bounds = [
    ['exclusiveMinimum', 'greater', out.minimum],
    ['exclusiveMaximum', 'less', out.maximum],
  ] as const;
  for (const [key, word, inclusive] of bounds) {
    const value = take(key);
    if (value === undefined || value === false) continue;
    const bound = typeof value === 'number' ? value : value === true ? inclusive : undefined;
    if (Number.isFinite(bound)) {
      hints.push(`Must be ${word} than ${String(bound)}.`);
      ctx.notes.add(path, `"${key}" moved into the description`);
    } else {
      ctx.notes.add(path, `"${key}" is not a number; removed`);
    }
  }
  const multipleOf = take('multipleOf');
  if (typeof multipleOf === 'number' && multipleOf > 0 && Number.isFinite(multipleOf)) {
    hints.push(`Must be a multiple of ${multipleOf}.`);
    ctx.notes.add(path, '"multipleOf" moved into the description');
  } else if (multipleOf !== undefined) {
    ctx.notes.add(path, '"multipleOf" is not a positive number; removed');
  }
}

function arrayKeywords(out: JsonObject, take: Take, hints: string[], path: string, depth: number, ctx: CompileContext): void {
  const items = take('items');
  const prefix = take('prefixItems');
  const itemsPath = `${path}/items`;
  const tuple = Array.isArray(prefix) ? prefix : Array.isArray(items) ? items : undefined;
  if (tuple !== undefined) {
    // Tuples have no `Schema` form; letting every position take any of the entries stays true to the entries.
    const members: unknown[] = [...tuple];
    if (Array.isArray(prefix) && items !== undefined && items !== false && !Array.isArray(items)) members.push(items);
    ctx.notes.add(path, 'tuple items rewritten as items that may match any tuple entry');
    const raw = members.length === 1 ? members[0] : { anyOf: members };
    out.items = members.length === 0 ? anyValue() : (ctx.compile(raw, itemsPath, depth + 1) ?? anyValue());
  } else if (items === undefined) {
    // Gemini rejects arrays without items ("items: missing field", cline/cline#7339).
    ctx.notes.add(path, 'array without "items"; items may be any JSON value');
    out.items = anyValue();
  } else {
    const compiled = ctx.compile(items, itemsPath, depth + 1);
    if (compiled === undefined) ctx.notes.add(itemsPath, 'items accept nothing; any JSON value allowed instead');
    out.items = compiled ?? anyValue();
  }
  countKeyword(out, take, 'minItems', path, ctx);
  countKeyword(out, take, 'maxItems', path, ctx);
  const unique = take('uniqueItems');
  if (unique === true) {
    hints.push('Items must be unique.');
    ctx.notes.add(path, '"uniqueItems" moved into the description');
  } else if (unique !== undefined && unique !== false) {
    ctx.notes.add(path, '"uniqueItems" is not a boolean; removed');
  }
}

function objectKeywords(out: JsonObject, take: Take, path: string, depth: number, ctx: CompileContext): void {
  const props = take('properties');
  const entries: [string, JsonObject][] = [];
  if (isPlainObject(props)) {
    for (const [name, schema] of Object.entries(props)) {
      if (ctx.failure !== undefined) break;
      const child = ctx.compile(schema, `${path}/properties/${escapeSegment(name)}`, depth + 1);
      if (child !== undefined) entries.push([name, child]);
    }
    // fromEntries keeps a property called "__proto__" an ordinary key.
    out.properties = Object.fromEntries(entries);
  } else if (props !== undefined) {
    ctx.notes.add(path, '"properties" is not an object; removed');
  }
  const names = new Set(entries.map(([name]) => name));
  requiredKeyword(out, take('required'), names, path, ctx);
  const extra = take('additionalProperties');
  if (extra === false) out.additionalProperties = false;
  else if (extra !== undefined && extra !== true) {
    ctx.notes.add(path, '"additionalProperties" schema removed (Gemini cannot describe maps); extra keys are allowed');
  }
  const order = take('propertyOrdering');
  if (order !== undefined) {
    const valid = Array.isArray(order) && order.every((n) => typeof n === 'string' && names.has(n));
    if (valid && new Set(order).size === order.length) out.propertyOrdering = [...(order as string[])];
    else ctx.notes.add(path, '"propertyOrdering" does not list declared properties; removed');
  }
  countKeyword(out, take, 'minProperties', path, ctx);
  countKeyword(out, take, 'maxProperties', path, ctx);
}

function requiredKeyword(out: JsonObject, required: unknown, names: Set<string>, path: string, ctx: CompileContext): void {
  if (required === undefined) return;
  if (!Array.isArray(required)) {
    ctx.notes.add(path, '"required" is not an array; removed');
    return;
  }
  const kept = new Set<string>();
  const dropped: unknown[] = [];
  for (const name of required) {
    if (typeof name === 'string' && names.has(name)) kept.add(name);
    else dropped.push(name);
  }
  if (dropped.length > 0) {
    const shown = dropped
      .slice(0, 5)
      .map((n) => label(n, 40))
      .join(', ');
    const more = dropped.length > 5 ? `, … (${dropped.length} in all)` : '';
    ctx.notes.add(path, `dropped from "required" (not among the properties): ${shown}${more}`);
  }
  if (kept.size > 0) out.required = [...kept];
}

/** Title, description (plus hints), nullable and default; then notes every keyword nobody consumed. */
function finishGeneric(
  out: JsonObject,
  work: JsonObject,
  hints: string[],
  nullable: boolean,
  allowDefault: boolean,
  path: string,
  ctx: CompileContext,
): void {
  const { title, description, default: fallback, ...rest } = work;
  const hasDefault = Object.hasOwn(work, 'default');
  if (typeof title === 'string') {
    out.title = truncate(title, SCHEMA_LIMITS.maxTitle);
    if (title.length > SCHEMA_LIMITS.maxTitle) ctx.notes.add(path, `"title" truncated to ${SCHEMA_LIMITS.maxTitle} characters`);
  } else if (title !== undefined) {
    ctx.notes.add(path, '"title" is not a string; removed');
  }
  if (description !== undefined && typeof description !== 'string') ctx.notes.add(path, '"description" is not a string; removed');
  const text = sentences([typeof description === 'string' ? description : '', ...hints]);
  if (text.length > 0) {
    out.description = truncate(text, SCHEMA_LIMITS.maxDescription);
    if (text.length > SCHEMA_LIMITS.maxDescription) {
      ctx.notes.add(path, `description truncated from ${text.length} to ${SCHEMA_LIMITS.maxDescription} characters`);
    }
  }
  if (nullable) out.nullable = true;
  if (hasDefault && !allowDefault) {
    ctx.notes.add(path, '"default" removed next to anyOf (Vertex AI rejects the combination)');
  } else if (hasDefault) {
    const copy = cloneJson(fallback);
    if (copy !== undefined) out.default = copy.value;
    else ctx.notes.add(path, '"default" is not plain JSON; removed');
  }
  const leftovers = Object.keys(rest);
  if (leftovers.length > 0) {
    const shown = leftovers.slice(0, 8).map((key) => JSON.stringify(truncate(key, 40)));
    const more = leftovers.length > 8 ? `, … (${leftovers.length} in all)` : '';
    ctx.notes.add(path, `removed keywords Gemini does not accept here: ${shown.join(', ')}${more}`);
  }
}

/** Joins description parts as sentences, so a hint never runs on from a description without a full stop. */
function sentences(parts: readonly string[]): string {
  const kept = parts.filter((p) => p.trim().length > 0);
  if (kept.length <= 1) return kept[0] ?? '';
  return kept.map((p, i) => (i < kept.length - 1 && !/[.!?:;)]\s*$/.test(p) ? `${p.trimEnd()}.` : p.trim())).join(' ');
}
