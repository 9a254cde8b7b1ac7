/**
 * The JSON Schema subset this module emits for Gemini's `parametersJsonSchema`, and a validator for it.
 *
 * Why a subset and not "whatever JSON Schema Gemini documents": `parametersJsonSchema` accepts more than the
 * `Schema` object (docs list anyOf, $ref, $defs, type arrays), but real requests still fail on the parts that do not
 * map onto `Schema` ("reference to undefined schema", "$ref ... set alongside unsupported fields",
 * "enum: only allowed for STRING type", "items: missing field" — google-gemini/gemini-cli#13326,
 * anomalyco/opencode#12295, JetBrains/mcp-jetbrains#71, cline/cline#7339), and one bad declaration fails the whole
 * request. So every node we emit is one that Google's own converter (`processJsonSchema` in @google/genai) turns
 * into a valid `Schema`: one concrete type, fields of `Schema` only, plus `additionalProperties: false`, which
 * the `parametersJsonSchema` reference uses in its own example. "Or null" is `nullable: true`, the form that same
 * converter produces for `type: [T, "null"]`.
 */
import { cloneJson, isPlainObject, type JsonObject } from './json.js';

export type GeminiType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';

export const GEMINI_TYPES: readonly GeminiType[] = ['string', 'number', 'integer', 'boolean', 'array', 'object'];

/** True when `value` names one of the six types a Gemini schema node may have (there is no "null" node). */
export function isGeminiType(value: unknown): value is GeminiType {
  return typeof value === 'string' && (GEMINI_TYPES as readonly string[]).includes(value);
}

/** Bounds that keep compiling cheap and the declarations a size Gemini serves; each one is enforced and noted. */
export const SCHEMA_LIMITS = {
  /** Nesting of schema nodes below the root; deeper parts become "any value". */
  maxDepth: 24,
  /** Schema nodes per tool after inlining `$ref`; more rejects the tool (guards against exponential inlining). */
  maxNodes: 2000,
  /** Nested `$ref` expansions on one path. */
  maxRefDepth: 16,
  /** `anyOf` branches kept. */
  maxBranches: 32,
  /** String enum values; larger enums move into the description. */
  maxEnumValues: 256,
  maxTitle: 256,
  maxDescription: 1024,
  maxToolDescription: 4096,
  /** Repair notes kept per tool. */
  maxNotes: 50,
} as const;

/** Keywords any typed node may carry. (`example` is left out: it is not JSON Schema, and nothing needs it.) */
export const COMMON_KEYWORDS: readonly string[] = ['type', 'title', 'description', 'nullable', 'default'];

/** Keywords per type, all fields of Gemini's `Schema`. `pattern` is absent on purpose, see schema-typed.ts. */
export const TYPE_KEYWORDS: Record<GeminiType, readonly string[]> = {
  string: ['enum', 'format', 'minLength', 'maxLength'],
  number: ['format', 'minimum', 'maximum'],
  integer: ['format', 'minimum', 'maximum'],
  boolean: [],
  array: ['items', 'minItems', 'maxItems'],
  object: ['properties', 'required', 'additionalProperties', 'propertyOrdering', 'minProperties', 'maxProperties'],
};

/**
 * Keywords of a union node. No `type` next to `anyOf` ("type and anyOf cannot be both populated", @google/genai)
 * and no `default` either (gemini-cli drops it there: "Vertex AI gets confused if both anyOf and default are set").
 */
export const UNION_KEYWORDS: readonly string[] = ['anyOf', 'title', 'description', 'nullable'];

/**
 * Formats kept. Gemini's `Schema` documents float/double and int32/int64; for strings the Developer API has
 * rejected everything but "enum" and "date-time" (Firebase AI SchemaInterface docs; gemini-cli's old sanitizer kept
 * exactly those). Other formats are moved into the description so the model still sees them.
 */
export const ALLOWED_FORMATS: Record<GeminiType, readonly string[]> = {
  string: ['date-time', 'enum'],
  number: ['float', 'double'],
  integer: ['int32', 'int64'],
  boolean: [],
  array: [],
  object: [],
};

/** Canonical key order of emitted nodes, so output is stable and easy to read in tests and `servers test`. */
const KEY_ORDER: readonly string[] = [
  'type',
  'title',
  'description',
  'nullable',
  'enum',
  'format',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'properties',
  'required',
  'additionalProperties',
  'propertyOrdering',
  'items',
  'anyOf',
  'default',
];

/** `node` with its keys in canonical order (keys outside the subset are dropped; callers note them first). */
export function ordered(node: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of KEY_ORDER) if (Object.hasOwn(node, key)) out[key] = node[key];
  return out;
}

const scalarOrObject = (): JsonObject[] => [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'object' }];

/**
 * The branches of "any JSON value", spelled with concrete types. A node without `type` becomes TYPE_UNSPECIFIED in
 * Gemini's `Schema`, which Gemini 3 rejects (UKGovernmentBEIS/inspect_ai#3097) and gemini-cli once skipped tools
 * for (#5694), so an untyped `{}` is not safe. Fresh objects on every call: callers attach descriptions.
 */
export function anyValueBranches(): JsonObject[] {
  return [...scalarOrObject(), { type: 'array', items: { anyOf: scalarOrObject() } }];
}

/** "Any JSON value" as a union node. */
export function anyValue(): JsonObject {
  return { anyOf: anyValueBranches() };
}

/** `{type: 'object', properties: {}}`: the parameters of a tool that takes no arguments. */
export function emptyObject(): JsonObject {
  return { type: 'object', properties: {} };
}

const COUNT_KEYWORDS = ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties'];
const MAX_PROBLEMS = 20;

interface WalkState {
  problems: string[];
  nodes: number;
  stack: Set<object>;
}

/**
 * Checks a parameters schema against the subset above and returns what is wrong (empty when Gemini will take it).
 * Independent of the compiler on purpose: it is the second opinion that decides whether a tool is sent.
 */
export function validateGeminiSchema(schema: unknown): string[] {
  const state: WalkState = { problems: [], nodes: 0, stack: new Set() };
  if (!isPlainObject(schema) || schema.type !== 'object') {
    state.problems.push('#: the root must be an object schema ("type": "object")');
  } else if (!isPlainObject(schema.properties)) {
    state.problems.push('#: the root must have "properties"');
  } else if (schema.nullable !== undefined) {
    state.problems.push('#: the root cannot be nullable');
  }
  checkNode(schema, '#', 0, state);
  return state.problems;
}

function checkNode(node: unknown, path: string, depth: number, state: WalkState): void {
  const problem = (message: string): void => {
    if (state.problems.length < MAX_PROBLEMS) state.problems.push(`${path}: ${message}`);
  };
  if (state.problems.length >= MAX_PROBLEMS) return;
  // anyValue() adds up to three levels below the deepest compiled node.
  if (++state.nodes > SCHEMA_LIMITS.maxNodes * 8) return problem('schema is too large');
  if (depth > SCHEMA_LIMITS.maxDepth + 4) return problem('schema is nested too deeply');
  if (!isPlainObject(node)) return problem(`expected a schema object, got ${Array.isArray(node) ? 'array' : typeof node}`);
  if (state.stack.has(node)) return problem('circular reference');
  state.stack.add(node);
  try {
    checkKeywords(node, path, depth, state, problem);
  } finally {
    state.stack.delete(node);
  }
}

function checkKeywords(node: JsonObject, path: string, depth: number, state: WalkState, problem: (message: string) => void): void {
  const hasType = Object.hasOwn(node, 'type');
  const hasAnyOf = Object.hasOwn(node, 'anyOf');
  let allowed: readonly string[] = UNION_KEYWORDS;
  let type: GeminiType | undefined;
  if (hasType && hasAnyOf) problem('"type" and "anyOf" cannot both be set');
  if (hasType) {
    if (!isGeminiType(node.type)) problem(`"type" must be one of ${GEMINI_TYPES.join(', ')}; got ${JSON.stringify(node.type)}`);
    else type = node.type;
    allowed = type === undefined ? COMMON_KEYWORDS : [...COMMON_KEYWORDS, ...TYPE_KEYWORDS[type]];
  } else if (!hasAnyOf) {
    problem('every node needs a "type" (or "anyOf")');
  }
  for (const key of Object.keys(node)) {
    if (!allowed.includes(key)) problem(`keyword "${key}" is not accepted${type ? ` on type ${type}` : ''}`);
  }
  if (node.title !== undefined && (typeof node.title !== 'string' || node.title.length > SCHEMA_LIMITS.maxTitle)) {
    problem('"title" must be a short string');
  }
  if (node.description !== undefined && (typeof node.description !== 'string' || node.description.length > SCHEMA_LIMITS.maxDescription)) {
    problem(`"description" must be a string of at most ${SCHEMA_LIMITS.maxDescription} characters`);
  }
  if (node.nullable !== undefined && typeof node.nullable !== 'boolean') problem('"nullable" must be a boolean');
  if (Object.hasOwn(node, 'default') && cloneJson(node.default) === undefined) problem('"default" must be plain JSON');
  for (const key of COUNT_KEYWORDS) {
    const value = node[key];
    if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) >= 0)) {
      problem(`"${key}" must be a non-negative integer`);
    }
  }
  for (const key of ['minimum', 'maximum']) {
    if (node[key] !== undefined && !Number.isFinite(node[key])) problem(`"${key}" must be a finite number`);
  }
  if (node.format !== undefined && !(type && ALLOWED_FORMATS[type].includes(node.format as string))) {
    problem(`"format" ${JSON.stringify(node.format)} is not accepted${type ? ` for ${type}` : ''}`);
  }
  if (node.enum !== undefined) checkEnum(node.enum, problem);
  if (hasAnyOf) {
    if (!Array.isArray(node.anyOf) || node.anyOf.length === 0) problem('"anyOf" must be a non-empty array');
    else node.anyOf.forEach((branch, i) => checkNode(branch, `${path}/anyOf/${i}`, depth + 1, state));
  }
  if (type === 'array') {
    if (!Object.hasOwn(node, 'items')) problem('arrays need "items"');
    else checkNode(node.items, `${path}/items`, depth + 1, state);
  }
  if (type === 'object') checkObject(node, path, depth, state, problem);
}

function checkEnum(values: unknown, problem: (message: string) => void): void {
  if (!Array.isArray(values) || values.length === 0 || values.length > SCHEMA_LIMITS.maxEnumValues) {
    problem(`"enum" must be an array of 1 to ${SCHEMA_LIMITS.maxEnumValues} strings`);
  } else if (!values.every((v) => typeof v === 'string')) {
    problem('"enum" values must all be strings');
  } else if (new Set(values).size !== values.length) {
    problem('"enum" values must be unique');
  }
}

function checkObject(node: JsonObject, path: string, depth: number, state: WalkState, problem: (message: string) => void): void {
  const props = node.properties;
  if (props !== undefined && !isPlainObject(props)) problem('"properties" must be an object');
  const names = isPlainObject(props) ? Object.keys(props) : [];
  if (isPlainObject(props)) {
    for (const name of names) checkNode(props[name], `${path}/properties/${name}`, depth + 1, state);
  }
  const known = new Set(names);
  for (const key of ['required', 'propertyOrdering']) {
    const list = node[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || !list.every((n) => typeof n === 'string' && known.has(n))) {
      problem(`"${key}" must list declared property names`);
    } else if (new Set(list).size !== list.length) {
      problem(`"${key}" has duplicates`);
    }
  }
  if (node.additionalProperties !== undefined && node.additionalProperties !== false) {
    problem('"additionalProperties" may only be false');
  }
}
