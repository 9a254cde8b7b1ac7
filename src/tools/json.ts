/** Small, bounded helpers for reading untrusted JSON-like values (tool schemas come from arbitrary MCP servers). */

export type JsonObject = Record<string, unknown>;

/** True for `{...}` literals and null-prototype objects; false for arrays, null, Dates, Maps and other instances. */
export function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A short word for what a value is, for repair notes ("array", "null", "number", ...). */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const NOT_JSON: unique symbol = Symbol('not-json');

/**
 * A deep copy of `value` if it is plain JSON (finite numbers, no cycles, no functions) within the given size;
 * undefined otherwise. Used for `default` and annotations, which end up in a request body that must serialise.
 */
export function cloneJson(value: unknown, maxNodes = 500, maxDepth = 16): { value: unknown } | undefined {
  let nodes = 0;
  const stack = new Set<object>();
  const walk = (v: unknown, depth: number): unknown => {
    if (++nodes > maxNodes || depth > maxDepth) return NOT_JSON;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : NOT_JSON;
    if (typeof v !== 'object' || stack.has(v)) return NOT_JSON;
    if (!Array.isArray(v) && !isPlainObject(v)) return NOT_JSON;
    stack.add(v);
    try {
      if (Array.isArray(v)) {
        const out: unknown[] = [];
        for (const item of v) {
          const copy = walk(item, depth + 1);
          if (copy === NOT_JSON) return NOT_JSON;
          out.push(copy);
        }
        return out;
      }
      const entries: [string, unknown][] = [];
      for (const [key, item] of Object.entries(v)) {
        if (item === undefined) continue;
        const copy = walk(item, depth + 1);
        if (copy === NOT_JSON) return NOT_JSON;
        entries.push([key, copy]);
      }
      // fromEntries, not assignment: a key named "__proto__" must stay an ordinary property.
      return Object.fromEntries(entries);
    } finally {
      stack.delete(v);
    }
  };
  const result = walk(value, 0);
  return result === NOT_JSON ? undefined : { value: result };
}

/** Cuts `text` to at most `max` characters (ending in "…"), never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - 1);
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/** A value shown inside a note or description: strings quoted and cut short, other things by kind. */
export function label(value: unknown, max = 60): string {
  if (typeof value === 'string') return JSON.stringify(truncate(value, max));
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  const copy = cloneJson(value, 50, 4);
  return copy === undefined ? kindOf(value) : truncate(JSON.stringify(copy.value), max);
}

/** Escapes one JSON Pointer segment (RFC 6901), for the paths in repair notes. */
export function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

const MAX_POINTER_SEGMENTS = 64;

/**
 * Follows a same-document `$ref` ("#", "#/$defs/Name", "#/properties/a/items") from `root`; undefined when the
 * reference points elsewhere (another document, an `$id` anchor) or at nothing.
 */
export function resolvePointer(root: unknown, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  const segments = ref.slice(2).split('/');
  if (segments.length > MAX_POINTER_SEGMENTS) return undefined;
  let current: unknown = root;
  for (const raw of segments) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    if (Array.isArray(current) && /^(0|[1-9]\d*)$/.test(segment)) current = current[Number(segment)];
    else if (isPlainObject(current) && Object.hasOwn(current, segment)) current = current[segment];
    else return undefined;
  }
  return current;
}
