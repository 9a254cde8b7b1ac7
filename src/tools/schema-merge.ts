/** Raw-schema plumbing before keywords are compiled: `$ref` lookup and flattening of `allOf`. */
import { SCHEMA_LIMITS } from './gemini-subset.js';
import { isPlainObject, label, resolvePointer, type JsonObject } from './json.js';
import type { CompileContext } from './schema-context.js';

const GENERIC_KEYS = new Set(['title', 'description', 'default', 'examples', 'example', 'nullable', '$comment']);
const MAX_ALLOF_DEPTH = 4;

/** Splits a schema into annotations (title, description, default, ...) and the constraints that shape values. */
export function splitGeneric(node: JsonObject): { generic: JsonObject; rest: JsonObject } {
  const generic: JsonObject = {};
  const rest: JsonObject = {};
  for (const [key, value] of Object.entries(node)) (GENERIC_KEYS.has(key) ? generic : rest)[key] = value;
  return { generic, rest };
}

/**
 * Merges `sub` into `acc` as a conjunction, `acc` winning on conflicts: properties are united, `required` is
 * united, any other keyword keeps the value `acc` already has. Returns a new object; inputs are not touched.
 */
export function mergeInto(acc: JsonObject, sub: JsonObject, path: string, ctx: CompileContext): JsonObject {
  const out: JsonObject = { ...acc };
  for (const [key, value] of Object.entries(sub)) {
    if (key === 'properties' && isPlainObject(value) && isPlainObject(out.properties)) {
      const merged = Object.entries(out.properties);
      for (const [name, schema] of Object.entries(value)) {
        if (!Object.hasOwn(out.properties, name)) merged.push([name, schema]);
      }
      out.properties = Object.fromEntries(merged);
    } else if (key === 'required' && Array.isArray(value) && Array.isArray(out.required)) {
      out.required = [...new Set([...(out.required as unknown[]), ...value])];
    } else if (key === 'type' && out.type !== undefined && label(out.type) !== label(value)) {
      ctx.notes.add(path, `conflicting types ${label(out.type)} and ${label(value)}; kept the first`);
    } else if (!Object.hasOwn(out, key)) {
      out[key] = value;
    }
  }
  return out;
}

type Deref = { kind: 'schema'; node: JsonObject } | { kind: 'none' };

/**
 * Follows `$ref` chains on a raw schema (siblings override the target) until a node without `$ref`, so that it can
 * be merged with another. Cycles, dangling and foreign refs give `none` and a note; the caller leaves it out.
 */
export function derefShallow(value: unknown, path: string, ctx: CompileContext): Deref {
  let current = value;
  const seen: string[] = [];
  while (isPlainObject(current) && typeof current.$ref === 'string') {
    const ref = current.$ref;
    if (seen.includes(ref) || ctx.refs.includes(ref) || seen.length >= SCHEMA_LIMITS.maxRefDepth) {
      ctx.notes.add(path, `recursive $ref "${ref}" cannot be merged; left out`);
      return { kind: 'none' };
    }
    seen.push(ref);
    const target = resolvePointer(ctx.root, ref);
    const { $ref: _ref, ...siblings } = current;
    if (target === true) current = siblings;
    else if (isPlainObject(target)) current = { ...target, ...siblings };
    else {
      ctx.notes.add(path, `$ref "${ref}" cannot be resolved; left out of the merge`);
      return { kind: 'none' };
    }
  }
  if (current === true) return { kind: 'schema', node: {} };
  if (!isPlainObject(current)) {
    ctx.notes.add(path, 'a member that is not a schema was left out of the merge');
    return { kind: 'none' };
  }
  return { kind: 'schema', node: current };
}

/**
 * Replaces `allOf` by one merged schema. Gemini's `Schema` has no allOf; merging is exact for the usual
 * "base object + extra properties" shape, and for anything else it keeps the first member's constraints.
 */
export function mergeAllOf(node: JsonObject, path: string, ctx: CompileContext): JsonObject {
  const { allOf, ...base } = node;
  if (!Array.isArray(allOf)) {
    ctx.notes.add(path, '"allOf" is not an array; removed');
    return base;
  }
  ctx.notes.add(path, '"allOf" merged into one schema');
  return flatten(base, allOf, path, ctx, 1);
}

function flatten(acc: JsonObject, members: readonly unknown[], path: string, ctx: CompileContext, level: number): JsonObject {
  let out = acc;
  for (const [i, member] of members.entries()) {
    if (i >= SCHEMA_LIMITS.maxBranches) {
      ctx.notes.add(path, `only the first ${SCHEMA_LIMITS.maxBranches} allOf members merged`);
      break;
    }
    if (member === false) {
      ctx.notes.add(path, 'allOf member `false` ignored');
      continue;
    }
    const resolved = derefShallow(member, path, ctx);
    if (resolved.kind === 'none') continue;
    const { allOf: nested, ...own } = resolved.node;
    out = mergeInto(out, own, path, ctx);
    if (Array.isArray(nested)) {
      if (level < MAX_ALLOF_DEPTH) out = flatten(out, nested, path, ctx, level + 1);
      else ctx.notes.add(path, `allOf nested more than ${MAX_ALLOF_DEPTH} levels deep; inner members ignored`);
    }
  }
  return out;
}
