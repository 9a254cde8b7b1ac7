import { formatBytes } from '../../src/text/bytes.js';
import { truncateMiddle } from '../../src/text/truncate.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const size = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/**
 * Shrinks an event payload until its JSON fits `maxBytes`, keeping its shape (every field stays, with its type):
 * the longest strings are cut in the middle first, each with a note of how much went; if that is not enough (a
 * payload made of very many small parts), the biggest nested object or array is replaced by a one-entry note.
 */
export function fitPayload<T extends object>(payload: T, maxBytes: number): T {
  let current = payload as unknown as Json;
  let over = size(current) - maxBytes;
  if (over <= 0) return payload;
  // A character cut saves at least a byte of JSON (more for escapes and multi-byte text); strings are never cut
  // below 120 characters, so when the cap is small a retry aims lower.
  for (let attempt = 0; attempt < 4 && over > 0; attempt++) {
    const level = waterLevel(collectStrings(current), (over + 64) * 2 ** attempt);
    if (level === undefined) break;
    current = mapStrings(current, (s) => (s.length > level ? truncateMiddle(s, Math.max(level, 120)).text : s));
    over = size(current) - maxBytes;
  }
  while (over > 0) {
    const next = replaceBiggestContainer(current);
    if (next === current) break;
    current = next;
    over = size(current) - maxBytes;
  }
  return current as unknown as T;
}

/** The length every string is cut down to so that `excess` characters go, cutting the longest ones first. */
function waterLevel(lengths: number[], excess: number): number | undefined {
  const sorted = lengths.filter((n) => n > 120).sort((a, b) => b - a);
  let removable = 0;
  for (let i = 0; i < sorted.length; i++) {
    const next = sorted[i + 1] ?? 120;
    removable += (i + 1) * ((sorted[i] ?? 0) - next);
    if (removable >= excess) return Math.floor(next + (removable - excess) / (i + 1));
  }
  return sorted.length > 0 ? 120 : undefined;
}

function collectStrings(value: Json, out: number[] = []): number[] {
  if (typeof value === 'string') out.push(value.length);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collectStrings(v, out);
  return out;
}

function mapStrings(value: Json, cut: (s: string) => string): Json {
  if (typeof value === 'string') return cut(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, cut));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, cut)]));
  return value;
}

/** Replaces the nested object or array with the biggest JSON (never the payload itself) by a note. */
function replaceBiggestContainer(root: Json): Json {
  let best: { path: Array<string | number>; bytes: number } | undefined;
  const visit = (value: Json, path: Array<string | number>): void => {
    if (!value || typeof value !== 'object') return;
    if (path.length > 0) {
      const bytes = size(value);
      if (bytes > 64 && (!best || bytes > best.bytes)) best = { path, bytes };
    }
    for (const [k, v] of Object.entries(value)) visit(v, [...path, Array.isArray(value) ? Number(k) : k]);
  };
  visit(root, []);
  if (!best) return root;
  const { path, bytes } = best;
  const replace = (value: Json, depth: number): Json => {
    if (depth === path.length) {
      const note = `[mcpgw] ${Array.isArray(value) ? 'items' : 'fields'} (${formatBytes(bytes)}) cut to keep the event small`;
      return Array.isArray(value) ? [note] : { '[mcpgw]': note };
    }
    const key = path[depth]!;
    if (Array.isArray(value)) return value.map((v, i) => (i === key ? replace(v, depth + 1) : v));
    const obj = value as { [key: string]: Json };
    return { ...obj, [key]: replace(obj[key as string]!, depth + 1) };
  };
  return replace(root, 0);
}
