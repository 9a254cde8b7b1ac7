/**
 * Secret references in `env` values and `args`: `${VAR}`, `${env:VAR}` (the forms VS Code and Claude Code write) and
 * `${VAR:-default}`. The config keeps the templates; mcpd expands them only when a container starts, so resolved
 * values never sit in the catalog, Redis, events or logs. Pure: the caller supplies the lookup.
 */

const REFERENCE = /\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface SecretReference {
  name: string;
  /** The value used when the variable is unset (`${VAR:-default}`); never a secret, it is in the config. */
  fallback?: string;
}

/** A `${...}` that is not a secret reference mcpgw can resolve (e.g. VS Code's `${input:id}`). */
export interface TemplateProblem {
  text: string;
  reason: string;
}

function parseReference(body: string): SecretReference | TemplateProblem {
  const inner = body.startsWith('env:') ? body.slice(4) : body;
  const dash = inner.indexOf(':-');
  const name = dash === -1 ? inner : inner.slice(0, dash);
  if (!NAME.test(name)) {
    const reason = body.startsWith('input:')
      ? 'prompted inputs are not supported: put the value in secrets.env beside the config and write ${NAME}'
      : 'not a variable name (letters, digits and "_")';
    return { text: `\${${body}}`, reason };
  }
  return dash === -1 ? { name } : { name, fallback: inner.slice(dash + 2) };
}

/** Every reference in one string, and every `${...}` that is not one. */
export function scanTemplate(text: string): { refs: SecretReference[]; problems: TemplateProblem[] } {
  const refs: SecretReference[] = [];
  const problems: TemplateProblem[] = [];
  for (const match of text.matchAll(REFERENCE)) {
    const parsed = parseReference(match[1] ?? '');
    if ('reason' in parsed) problems.push(parsed);
    else refs.push(parsed);
  }
  return { refs, problems };
}

/** The references a server's env values and args make, each variable once, in order of appearance. */
export function templateRefs(texts: Iterable<string>): { refs: SecretReference[]; problems: TemplateProblem[] } {
  const seen = new Set<string>();
  const refs: SecretReference[] = [];
  const problems: TemplateProblem[] = [];
  for (const text of texts) {
    const scanned = scanTemplate(text);
    problems.push(...scanned.problems);
    for (const ref of scanned.refs) {
      if (seen.has(ref.name)) continue;
      seen.add(ref.name);
      refs.push(ref);
    }
  }
  return { refs, problems };
}

/**
 * Expands the references in `text`. Unset variables without a fallback are collected in `missing` (by name only)
 * and expand to nothing; the caller refuses to start when any is missing.
 */
export function expandTemplate(text: string, lookup: (name: string) => string | undefined, missing: Set<string>): string {
  return text.replace(REFERENCE, (whole, body: string) => {
    const ref = parseReference(body);
    if ('reason' in ref) return whole;
    const value = lookup(ref.name) ?? ref.fallback;
    if (value === undefined) missing.add(ref.name);
    return value ?? '';
  });
}
