/** MCP `inputSchema` → Gemini `parametersJsonSchema`, for one tool at a time. */
import { errorMessage } from '../errors.js';
import { emptyObject, ordered, SCHEMA_LIMITS, validateGeminiSchema } from './gemini-subset.js';
import { isPlainObject, kindOf, label, type JsonObject } from './json.js';
import { RepairNotes, type CompileContext } from './schema-context.js';
import { compileNode } from './schema-node.js';

export type SchemaCompileResult = { ok: true; schema: JsonObject; repairs: string[] } | { ok: false; reason: string; repairs: string[] };

/**
 * Compiles an MCP tool's `inputSchema` into a schema Gemini accepts, noting every repair. Never throws on odd
 * input (wrong types, cycles, 10k-deep nesting): work is bounded and an unusable schema comes back as `ok: false`.
 */
export function compileInputSchema(input: unknown): SchemaCompileResult {
  const notes = new RepairNotes();
  const ctx: CompileContext = {
    root: input,
    notes,
    // The root is "being expanded" from the start, so `$ref: "#"` is a cycle rather than one more copy of it.
    refs: ['#'],
    ancestors: new Set(),
    nodes: 0,
    failure: undefined,
    compile: (raw, path, depth) => compileNode(raw, path, depth, ctx),
  };
  let out: JsonObject | undefined;
  try {
    if (input === undefined || input === null) {
      notes.add('#', 'no inputSchema; the tool takes no arguments');
      out = emptyObject();
    } else if (!isPlainObject(input)) {
      notes.add('#', `inputSchema is ${kindOf(input)}, not a schema object; the tool takes no arguments`);
      out = emptyObject();
    } else {
      out = compileNode(withRootType(input, notes), '#', 0, ctx);
    }
  } catch (err) {
    // Only exotic objects get here (a throwing getter, a Proxy): JSON from a server cannot.
    return { ok: false, reason: `inputSchema could not be read: ${errorMessage(err)}`, repairs: notes.list() };
  }
  if (ctx.failure !== undefined) return { ok: false, reason: ctx.failure, repairs: notes.list() };
  if (out === undefined) return { ok: false, reason: 'inputSchema accepts no arguments at all', repairs: notes.list() };
  const schema = asObjectRoot(out, notes);
  // A second opinion: what the compiler emits must pass the independent check of the subset, or nothing is sent.
  const problems = validateGeminiSchema(schema);
  if (problems.length > 0) {
    return { ok: false, reason: `schema is still not accepted after repairs: ${problems.join('; ')}`, repairs: notes.list() };
  }
  return { ok: true, schema, repairs: notes.list() };
}

const COMPOSED = ['type', '$ref', 'anyOf', 'oneOf', 'allOf'];

/** Tool arguments are always an object (MCP `tools/call`), so an untyped root such as `{}` means one. */
function withRootType(input: JsonObject, notes: RepairNotes): JsonObject {
  if (COMPOSED.some((key) => Object.hasOwn(input, key))) return input;
  notes.add('#', 'root schema has no "type"; treated as an object');
  return { ...input, type: 'object' };
}

/** Gemini wants an object at the root: "The schema must describe an object" (FunctionDeclaration reference). */
function asObjectRoot(out: JsonObject, notes: RepairNotes): JsonObject {
  let root = out;
  if (Array.isArray(root.anyOf)) {
    root = mergeRootUnion(root, notes);
  } else if (root.type !== 'object') {
    notes.add('#', `root type ${label(root.type)} is not an object (Gemini requires one); the tool takes no arguments`);
    return emptyObject();
  }
  if (!isPlainObject(root.properties)) {
    notes.add('#', 'root object has no "properties"; added an empty map');
    root = ordered({ ...root, properties: {} });
  }
  if (root.nullable !== undefined) {
    notes.add('#', 'the root cannot be null; "nullable" removed');
    const { nullable: _nullable, ...rest } = root;
    root = rest;
  }
  return root;
}

/** A root union becomes one object: every branch's properties, and only the ones all branches require. */
function mergeRootUnion(union: JsonObject, notes: RepairNotes): JsonObject {
  notes.add('#', 'root anyOf merged into one object (Gemini requires an object root); only properties every branch requires stay required');
  const branches = (union.anyOf as unknown[]).filter((b): b is JsonObject => isPlainObject(b) && b.type === 'object');
  const properties = new Map<string, JsonObject>();
  for (const branch of branches) {
    const props = isPlainObject(branch.properties) ? branch.properties : {};
    for (const [name, schema] of Object.entries(props)) {
      if (!isPlainObject(schema)) continue;
      const seen = properties.get(name);
      properties.set(name, seen === undefined ? schema : either(seen, schema));
    }
  }
  const requiredBy = branches.map((b) => new Set(Array.isArray(b.required) ? (b.required as string[]) : []));
  const required = [...properties.keys()].filter((name) => requiredBy.length > 0 && requiredBy.every((r) => r.has(name)));
  const out: JsonObject = { type: 'object', properties: Object.fromEntries(properties) };
  if (typeof union.title === 'string') out.title = union.title;
  if (typeof union.description === 'string') out.description = union.description;
  if (required.length > 0) out.required = required;
  return ordered(out);
}

/**
 * One property declared by several branches: the usual discriminator (`kind: "a"` here, `kind: "b"` there) becomes
 * one string enum with both values; anything else becomes an anyOf of the distinct schemas.
 */
function either(a: JsonObject, b: JsonObject): JsonObject {
  if (JSON.stringify(a) === JSON.stringify(b)) return a;
  if (a.type === 'string' && b.type === 'string' && Array.isArray(a.enum) && Array.isArray(b.enum)) {
    const values = [...new Set([...(a.enum as string[]), ...(b.enum as string[])])];
    if (values.length <= SCHEMA_LIMITS.maxEnumValues) return { ...a, enum: values };
  }
  const branches = (s: JsonObject): JsonObject[] => (Array.isArray(s.anyOf) && s.type === undefined ? (s.anyOf as JsonObject[]) : [s]);
  const all = [...branches(a), ...branches(b)];
  const distinct = all.filter((s, i) => all.findIndex((t) => JSON.stringify(t) === JSON.stringify(s)) === i);
  return { anyOf: distinct };
}
