/**
 * Resource templates (RFC 6570) as both UIs fill them in: only level 1, `{name}` (simple string expansion), which is
 * what MCP servers use for resource templates in practice. A template with operators (`{+x}`, `{?q}`, …) or that
 * does not parse offers no form and no completion: the UIs show it as text, as before.
 */

/** One piece of a URI template: literal text, or a variable `{name}`. */
export type TemplatePart = { literal: string } | { variable: string };

/** Longer templates are not parsed (what a server sends is bounded, and this is walked on every tab). */
const MAX_TEMPLATE = 2048;
const VARNAME = /^(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*$/;
/**
 * Literal text a person may have put in the input line by tab: printable ASCII with no space, quote or angle bracket
 * (RFC 6570 literals are nearly that). A server's template with anything else (a space, a control or bidi
 * character) is shown, never typed in for anyone.
 */
const TYPEABLE = /^[!#$&()*+,\-./0-9:;=?@A-Z[\]_a-z~%]*$/;
/** What a simple expansion leaves as it is (RFC 3986 unreserved, and `%` of an escape already typed). */
const VALUE_CHAR = /[A-Za-z0-9\-._~%]/;

/** The parts of a level-1 template, or undefined when it is not one. */
export function templateParts(template: string): TemplatePart[] | undefined {
  if (template.length > MAX_TEMPLATE) return undefined;
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf('{', at);
    const close = template.indexOf('}', at);
    if (close !== -1 && (open === -1 || close < open)) return undefined;
    const literal = template.slice(at, open === -1 ? undefined : open);
    if (!TYPEABLE.test(literal)) return undefined;
    if (literal !== '') parts.push({ literal });
    if (open === -1) break;
    if (close === -1) return undefined;
    const name = template.slice(open + 1, close);
    if (!VARNAME.test(name)) return undefined;
    // Two variables side by side cannot be told apart in a URI: not a template a person can fill in by typing.
    if ('variable' in (parts.at(-1) ?? { literal: '' })) return undefined;
    parts.push({ variable: name });
    at = close + 1;
  }
  return parts;
}

/** True for a URI (a server's) that tab may put in the input line as it is: see TYPEABLE. */
export function typeableUri(uri: string): boolean {
  return uri !== '' && TYPEABLE.test(uri);
}

/** The template's variables, each once, in order; undefined when it is not a level-1 template. */
export function templateVariables(template: string): string[] | undefined {
  const parts = templateParts(template);
  if (!parts) return undefined;
  return [...new Set(parts.flatMap((p) => ('variable' in p ? [p.variable] : [])))];
}

/** A value as a simple expansion writes it: every character but the unreserved ones percent-encoded. */
export function encodeValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A typed value read back (an escape that does not decode is kept as typed). */
export function decodeValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The URI a template and its values make (a missing value expands to nothing, as RFC 6570 says). */
export function expandTemplate(template: string, values: Readonly<Record<string, string>>): string | undefined {
  const parts = templateParts(template);
  return parts?.map((p) => ('literal' in p ? p.literal : encodeValue(values[p.variable] ?? ''))).join('');
}

/** Where a URI being typed stands in a template. */
export type TemplateSpot =
  /** Inside literal text: `completion` is the typed URI with that literal finished. */
  | { kind: 'literal'; completion: string }
  /**
   * Inside a variable's value: `prefix` is what is typed of it (as typed, encoded), `context` the values before it
   * (decoded), `after` the literal that follows it up to the next variable, `last` true when no variable follows.
   */
  | { kind: 'variable'; name: string; prefix: string; context: Record<string, string>; after: string; last: boolean }
  /** Typed in full. */
  | { kind: 'whole' };

/** Where `typed` stands in `template`, or undefined when it does not match it. */
export function templateSpot(template: string, typed: string): TemplateSpot | undefined {
  const parts = templateParts(template);
  if (!parts) return undefined;
  const context: Record<string, string> = {};
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const rest = typed.slice(at);
    if ('literal' in part) {
      if (rest.startsWith(part.literal)) {
        at += part.literal.length;
        continue;
      }
      return part.literal.startsWith(rest) ? { kind: 'literal', completion: typed + part.literal.slice(rest.length) } : undefined;
    }
    const next = parts[i + 1];
    const after = next && 'literal' in next ? next.literal : '';
    // The value runs to the next literal when it is typed, else to the first character a value cannot hold.
    let end = 0;
    while (end < rest.length && VALUE_CHAR.test(rest[end]!)) end++;
    const literalAt = after === '' ? -1 : rest.indexOf(after);
    if (literalAt !== -1 && literalAt < end) end = literalAt;
    if (end === rest.length) {
      const last = !parts.slice(i + 1).some((p) => 'variable' in p);
      return { kind: 'variable', name: part.variable, prefix: rest, context, after, last };
    }
    context[part.variable] = decodeValue(rest.slice(0, end));
    at += end;
  }
  return at === typed.length ? { kind: 'whole' } : undefined;
}
