/**
 * Gemini function names for MCP tools: `server__tool`, made valid, at most 64 characters, and unique across every
 * server of a session. Names are looked up in a table, never parsed back: "a___b" could be server "a_" with tool
 * "b" or server "a" with tool "_b".
 */

/** The rule in Gemini's own 400 message ("Must start with a letter or an underscore ... maximum length of 64"). */
export const GEMINI_FUNCTION_NAME = /^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/;

const MAX_LENGTH = 64;
const HASH_LENGTH = 8;
/**
 * Colons are legal today, but the API rejected them as late as 2025 ("Must be alphameric (a-z, A-Z, 0-9),
 * underscores (_), dots (.) or dashes (-)", google-gemini/gemini-cli#7869); names without them pass both rules.
 * The `u` flag makes an astral character (an emoji) one match, so it becomes one underscore.
 */
const INVALID_CHARS = /[^A-Za-z0-9_.-]/gu;

export interface ToolRef {
  readonly server: string;
  readonly tool: string;
}

const encoder = new TextEncoder();

/** 32-bit FNV-1a of the UTF-8 bytes of `text`, as 8 hex digits: small, pure, and the same in Node and browsers. */
export function fnv1a32(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(HASH_LENGTH, '0');
}

/** `server__tool` with invalid characters replaced and a valid first character; may still be too long. */
export function sanitizeFunctionName(ref: ToolRef): string {
  const name = `${ref.server}__${ref.tool}`.replace(INVALID_CHARS, '_');
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

/** A readable prefix plus a hash of the exact (server, tool) pair: different pairs get different suffixes. */
function hashedName(sanitized: string, ref: ToolRef, salt: number): string {
  const key = salt === 0 ? `${ref.server}\u0000${ref.tool}` : `${ref.server}\u0000${ref.tool}\u0000${salt}`;
  return `${sanitized.slice(0, MAX_LENGTH - HASH_LENGTH - 1)}_${fnv1a32(key)}`;
}

export interface FunctionNames {
  /** The function name given to a tool; undefined for a tool that was not in the list. */
  nameOf(ref: ToolRef): string | undefined;
  /** The tool behind a function name the model called; undefined for a name we never gave out. */
  resolve(functionName: string): ToolRef | undefined;
}

interface Candidate {
  key: string;
  ref: ToolRef;
  sanitized: string;
  base: string;
  /** The name is `server__tool` exactly as configured. */
  exact: boolean;
}

const refKey = (ref: ToolRef): string => JSON.stringify([ref.server, ref.tool]);

/**
 * Names every distinct (server, tool) pair. A name that is valid as written keeps it; a sanitized one keeps its
 * readable form unless another tool lands on the same string; names that are too long or contested get a hash
 * suffix. The result depends only on the set of tools, never on their order.
 */
export function assignFunctionNames(refs: readonly ToolRef[]): FunctionNames {
  const unique = new Map<string, ToolRef>();
  for (const ref of refs) unique.set(refKey(ref), { server: ref.server, tool: ref.tool });
  const candidates: Candidate[] = [...unique.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, ref]) => {
      const sanitized = sanitizeFunctionName(ref);
      const base = sanitized.length <= MAX_LENGTH ? sanitized : hashedName(sanitized, ref, 0);
      return { key, ref, sanitized, base, exact: base === `${ref.server}__${ref.tool}` };
    });

  const groups = new Map<string, Candidate[]>();
  for (const c of candidates) groups.set(c.base, [...(groups.get(c.base) ?? []), c]);

  const byKey = new Map<string, string>();
  const byName = new Map<string, ToolRef>();
  const take = (c: Candidate, name: string): void => {
    byKey.set(c.key, name);
    byName.set(name, c.ref);
  };
  const contested: Candidate[] = [];
  for (const [name, members] of groups) {
    const exact = members.filter((m) => m.exact);
    // A name used exactly as configured beats a sanitized look-alike: `a_b` stays `a_b` when `a/b` also maps there.
    const winner = members.length === 1 ? members[0] : exact.length === 1 ? exact[0] : undefined;
    if (winner !== undefined) take(winner, name);
    for (const m of members) if (m !== winner) contested.push(m);
  }
  // Candidates are already in key order and groups keep it, so this loop is order-independent too.
  for (const c of contested) {
    let salt = 0;
    let name = hashedName(c.sanitized, c.ref, salt);
    while (byName.has(name)) name = hashedName(c.sanitized, c.ref, ++salt);
    take(c, name);
  }
  return {
    nameOf: (ref) => byKey.get(refKey(ref)),
    resolve: (functionName) => byName.get(functionName),
  };
}
