/** Reading `type`, `enum` and friends before a node is built: what the node's single Gemini type will be. */
import { isGeminiType, SCHEMA_LIMITS, type GeminiType } from './gemini-subset.js';
import { isPlainObject, label, type JsonObject } from './json.js';
import type { CompileContext } from './schema-context.js';

export type EnumInfo =
  | { kind: 'strings'; values: string[]; hadNull: boolean }
  | { kind: 'described'; hint: string; inferred: GeminiType | undefined; hadNull: boolean; note: string }
  | { kind: 'null-only' }
  | { kind: 'invalid' };

const HINT_VALUES = 20;

/**
 * Reads `enum`. Gemini's `Schema.enum` is string[] ("enum: only allowed for STRING type", JetBrains/mcp-jetbrains#71;
 * "Invalid value at ...enum[0] (TYPE_STRING), 2", microsoft/azure-devops-mcp#145), so only string enums survive.
 * Number, boolean and mixed enums keep their real type and list the values in the description instead of being
 * stringified: a string enum would make the model send "2" to a server that validates against the original
 * schema and wants 2.
 */
export function analyseEnum(value: unknown): EnumInfo {
  if (!Array.isArray(value) || value.length === 0) return { kind: 'invalid' };
  const hadNull = value.includes(null);
  const values = value.filter((v) => v !== null);
  if (values.length === 0) return { kind: 'null-only' };
  if (values.every((v) => typeof v === 'string')) {
    const unique = [...new Set(values as string[])];
    if (unique.length <= SCHEMA_LIMITS.maxEnumValues) return { kind: 'strings', values: unique, hadNull };
    const note = `enum of ${unique.length} values is over the limit of ${SCHEMA_LIMITS.maxEnumValues}; moved into the description`;
    return { kind: 'described', hint: allowedHint(unique), inferred: 'string', hadNull, note };
  }
  const note = 'enum of non-string values moved into the description (Gemini only accepts string enums)';
  return { kind: 'described', hint: allowedHint(values), inferred: inferFromValues(values), hadNull, note };
}

function allowedHint(values: readonly unknown[]): string {
  const shown = values
    .slice(0, HINT_VALUES)
    .map((v) => label(v, 40))
    .join(', ');
  return values.length > HINT_VALUES
    ? `Allowed values (first ${HINT_VALUES} of ${values.length}): ${shown}, …`
    : `Allowed values: ${shown}.`;
}

function inferFromValues(values: readonly unknown[]): GeminiType | undefined {
  if (values.every((v) => Number.isInteger(v))) return 'integer';
  if (values.every((v) => Number.isFinite(v))) return 'number';
  if (values.every((v) => typeof v === 'boolean')) return 'boolean';
  if (values.every((v) => isPlainObject(v))) return 'object';
  if (values.every((v) => Array.isArray(v))) return 'array';
  return undefined;
}

export interface DeclaredTypes {
  types: GeminiType[];
  nullable: boolean;
  /** `type: "null"`: nothing but null is allowed, which Gemini cannot express ("type: null can not be the only
   * possible type", @google/genai). */
  nullOnly: boolean;
}

/**
 * Reads `type`, which may be an array. `[T, "null"]` becomes T with `nullable: true`: exactly what Google's own
 * converter does (`flattenTypeArrayToAnyOf` in @google/genai), and `Schema.type` is a single enum, so a list fails
 * with "Proto field is not repeating, cannot start list" (voocel/litellm#9, aoci-spec/aoci-code#61).
 */
export function readTypes(value: unknown, path: string, ctx: CompileContext): DeclaredTypes {
  if (value === undefined) return { types: [], nullable: false, nullOnly: false };
  const list: unknown[] = Array.isArray(value) ? value.slice(0, 16) : [value];
  let types: GeminiType[] = [];
  let nullable = false;
  const unknown: string[] = [];
  for (const t of list) {
    if (t === 'null') nullable = true;
    else if (isGeminiType(t)) {
      if (!types.includes(t)) types.push(t);
    } else unknown.push(label(t, 30));
  }
  // Every integer is a number, so the union is just "number".
  if (types.includes('integer') && types.includes('number')) types = types.filter((t) => t !== 'integer');
  if (unknown.length > 0) ctx.notes.add(path, `unknown type ${unknown.join(', ')} ignored`);
  if (Array.isArray(value) && types.length === 1) {
    const how = nullable ? ' with "nullable": true' : '';
    ctx.notes.add(path, `type ${label(value)} rewritten as "${types[0] ?? ''}"${how}`);
  }
  return { types, nullable, nullOnly: nullable && types.length === 0 && unknown.length === 0 };
}

const FAMILIES: readonly (readonly [GeminiType, readonly string[]])[] = [
  ['object', ['properties', 'required', 'additionalProperties', 'patternProperties', 'minProperties', 'maxProperties']],
  ['array', ['items', 'prefixItems', 'minItems', 'maxItems', 'uniqueItems', 'contains']],
  ['string', ['minLength', 'maxLength', 'pattern']],
  ['number', ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']],
];

/** Guesses the type of an untyped node from its keywords (`properties` means object, and so on). */
export function inferType(work: JsonObject, en: EnumInfo | undefined): GeminiType | undefined {
  if (en?.kind === 'described' && en.inferred !== undefined) return en.inferred;
  for (const [type, keys] of FAMILIES) if (keys.some((key) => Object.hasOwn(work, key))) return type;
  return undefined;
}

/** The keywords of `work` that can apply to `type`, for splitting `type: [a, b]` into one branch per type. */
export function keywordsFor(work: JsonObject, type: GeminiType): JsonObject {
  const own = type === 'integer' ? 'number' : type;
  const foreign = new Set(FAMILIES.filter(([t]) => t !== own).flatMap(([, keys]) => keys));
  return Object.fromEntries(Object.entries(work).filter(([key]) => !foreign.has(key)));
}
