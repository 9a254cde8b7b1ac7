/**
 * Paths as a policy sees them: POSIX rules, pure string code (no file system, no Node `path`, so it runs in the
 * browser too). A deny on /etc must hold for `//etc`, `/tmp/../etc`, `/./etc` and `/etc/.`, so `.`, `..` and
 * repeated or trailing slashes are resolved before comparing; `..` above `/` stays at `/`, as the kernel does.
 * Symbolic links cannot be seen from here: the sandbox's mounts, not the policy, are the boundary for those.
 */

/** A path read from an argument: absolute (`/…`) or under the server's home directory (`~/…`), as segments. */
export interface PathValue {
  root: '/' | '~';
  segments: string[];
}

export type PathReading = { ok: true; path: PathValue } | { ok: false; why: string };

const FILE_URI = /^file:/i;

/**
 * Reads `value` as a path: an absolute path, `~` or `~/…`, or a `file:` URI (percent-decoded, query and fragment
 * dropped). Anything else cannot be placed: a relative path is resolved by the server against a directory the policy
 * does not know, and `..` above `~` leaves the home directory for somewhere unknown.
 */
export function readPath(value: string): PathReading {
  let text = value;
  if (FILE_URI.test(text)) {
    const uri = fileUriPath(text);
    if (!uri.ok) return uri;
    text = uri.path;
  }
  if (text === '~' || text.startsWith('~/')) return resolve('~', text.slice(1));
  if (text.startsWith('/')) return resolve('/', text);
  return {
    ok: false,
    why: 'it is not an absolute path (a relative one is resolved by the server against a directory the policy cannot see)',
  };
}

function fileUriPath(uri: string): { ok: true; path: string } | { ok: false; why: string } {
  // As Node's fileURLToPath does: the query and fragment are not part of the path.
  let rest = uri.slice('file:'.length).replace(/[?#].*$/s, '');
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const host = rest.slice(2, slash === -1 ? undefined : slash);
    if (host !== '' && host.toLowerCase() !== 'localhost')
      return { ok: false, why: `it is a file URI on another host (${JSON.stringify(host)})` };
    rest = slash === -1 ? '/' : rest.slice(slash);
  }
  if (!rest.startsWith('/')) return { ok: false, why: 'it is a file URI without an absolute path' };
  try {
    // Decoded, so %2e%2e is "..", and %2F a separator (stricter than treating it as part of a name).
    return { ok: true, path: decodeURIComponent(rest) };
  } catch {
    return { ok: false, why: 'it is a file URI with a malformed %-escape' };
  }
}

function resolve(root: '/' | '~', rest: string): PathReading {
  const segments: string[] = [];
  for (const segment of rest.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment !== '..') segments.push(segment);
    else if (segments.length > 0) segments.pop();
    else if (root === '~') return { ok: false, why: 'it climbs above ~ (the home directory, so where it ends is unknown)' };
    // ".." at "/" stays at "/".
  }
  return { ok: true, path: { root, segments } };
}

/** The path as text: `/a/b`, `/`, `~/a` or `~`. */
export function formatPath(path: PathValue): string {
  if (path.segments.length === 0) return path.root;
  return `${path.root === '/' ? '' : '~'}/${path.segments.join('/')}`;
}

/** Whether `path` is `dir` or inside it, segment by segment (so `/etcetera` is not under `/etc`). */
export function isUnder(path: PathValue, dir: PathValue): boolean {
  return path.root === dir.root && dir.segments.length <= path.segments.length && dir.segments.every((s, i) => path.segments[i] === s);
}

/**
 * The text a regex pattern also sees for a value that is written as a path (`/…`, `~/…`, `file:…`): the same path
 * resolved, a file URI as `file:///…`. Undefined when the value is not written as a path, cannot be read, or is
 * already in that form.
 */
export function resolvedPathText(value: string): string | undefined {
  if (!(value.startsWith('/') || value.startsWith('~/') || FILE_URI.test(value))) return undefined;
  const reading = readPath(value);
  if (!reading.ok) return undefined;
  const text = `${FILE_URI.test(value) ? 'file://' : ''}${formatPath(reading.path)}`;
  return text === value ? undefined : text;
}
