/**
 * Globs for server and tool names: `*` is any run of characters (none included), `?` exactly one, `\` makes the
 * next character literal, everything else matches itself. Whole-name; case-sensitive unless asked (policy rules
 * ask for tool names, see match.ts). Matched directly rather than via RegExp, so nothing in a name needs escaping and
 * the cost is O(glob × name) at worst.
 */

export interface GlobOptions {
  /** Compare letters ignoring case (both sides lower-cased, locale-independent). */
  ignoreCase?: boolean;
}

type Token = { kind: 'literal'; char: string } | { kind: 'one' } | { kind: 'any' };

const tokenCache = new Map<string, Token[]>();

function tokenize(glob: string): Token[] {
  const cached = tokenCache.get(glob);
  if (cached) return cached;
  const chars = Array.from(glob);
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\' && i + 1 < chars.length) tokens.push({ kind: 'literal', char: chars[++i]! });
    else if (c === '*') {
      if (tokens.at(-1)?.kind !== 'any') tokens.push({ kind: 'any' });
    } else if (c === '?') tokens.push({ kind: 'one' });
    else tokens.push({ kind: 'literal', char: c });
  }
  if (tokenCache.size >= 1000) tokenCache.clear();
  tokenCache.set(glob, tokens);
  return tokens;
}

/** A problem with a glob, or undefined when it is usable. */
export function checkGlob(glob: string): string | undefined {
  if (glob.length === 0) return 'a glob cannot be empty (use "*" for any name)';
  if (/(^|[^\\])(\\\\)*\\$/.test(glob)) return 'a glob cannot end with a lone "\\" (write "\\\\" for a backslash)';
  return undefined;
}

/** Whether `name` matches `glob` as a whole (see the module comment for the syntax). */
export function matchGlob(glob: string, name: string, options: GlobOptions = {}): boolean {
  // Lower-casing leaves `*`, `?` and `\` alone, so the glob's syntax is unchanged.
  const tokens = tokenize(options.ignoreCase ? glob.toLowerCase() : glob);
  const chars = Array.from(options.ignoreCase ? name.toLowerCase() : name);
  // Greedy match that, on a mismatch, lets the most recent `*` swallow one more character.
  let t = 0;
  let c = 0;
  let starToken = -1;
  let starChar = 0;
  while (c < chars.length) {
    const token = tokens[t];
    if (token?.kind === 'any') {
      starToken = t++;
      starChar = c;
    } else if (token && (token.kind === 'one' || token.char === chars[c])) {
      t++;
      c++;
    } else if (starToken >= 0) {
      t = starToken + 1;
      c = ++starChar;
    } else {
      return false;
    }
  }
  while (tokens[t]?.kind === 'any') t++;
  return t === tokens.length;
}

/** Whether any of the globs matches. */
export function matchGlobs(globs: string | readonly string[], name: string, options: GlobOptions = {}): boolean {
  return typeof globs === 'string' ? matchGlob(globs, name, options) : globs.some((glob) => matchGlob(glob, name, options));
}

/** Escapes `*`, `?` and `\` so that a name is matched literally (a tool may be called `*`). */
export function escapeGlob(name: string): string {
  return name.replace(/[*?\\]/g, (c) => `\\${c}`);
}
