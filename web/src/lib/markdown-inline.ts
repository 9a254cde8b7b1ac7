/**
 * Inline Markdown (code spans, emphasis, links) parsed into a tree the view renders as elements: model text never
 * becomes HTML, so a `<script>` in it is shown as the characters it is.
 */
export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'strong' | 'em' | 'del'; children: Inline[] }
  | { kind: 'link'; href: string; children: Inline[] }
  | { kind: 'br' };

// Only links a person can judge by their address; `javascript:`, `data:` and relative links stay plain text.
const SAFE_HREF = /^(https?:\/\/|mailto:)[^\s<>"]+$/i;
const BARE_URL = /^https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"\]]/i;
const ESCAPABLE = '\\`*_[]()#+-.!~<>|{}';

/** True when `href` may become a link. */
export function isSafeHref(href: string): boolean {
  return SAFE_HREF.test(href);
}

/** Parses one block's text into inline nodes. */
export function parseInline(source: string): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const flush = (): void => {
    if (text) out.push({ kind: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < source.length) {
    const ch = source[i] ?? '';
    const rest = source.slice(i);
    if (ch === '\\' && i + 1 < source.length && ESCAPABLE.includes(source[i + 1] ?? '')) {
      text += source[i + 1];
      i += 2;
      continue;
    }
    if (ch === '\n') {
      text = text.replace(/[ \t]+$/, '');
      flush();
      out.push({ kind: 'br' });
      i++;
      continue;
    }
    const node = matchAt(rest);
    if (node) {
      flush();
      out.push(node.node);
      i += node.length;
      continue;
    }
    text += ch;
    i++;
  }
  flush();
  return merge(out);
}

// Escapes and unmatched delimiters leave text in pieces; one node per run keeps the rendered DOM small.
function merge(nodes: Inline[]): Inline[] {
  const out: Inline[] = [];
  for (const node of nodes) {
    const last = out.at(-1);
    if (node.kind === 'text' && last?.kind === 'text') out[out.length - 1] = { kind: 'text', text: last.text + node.text };
    else out.push(node);
  }
  return out;
}

function matchAt(rest: string): { node: Inline; length: number } | undefined {
  const ch = rest[0];
  if (ch === '`') return codeSpan(rest);
  if (ch === '*' || ch === '_') return emphasis(rest, ch);
  if (ch === '~' && rest.startsWith('~~')) return delimited(rest, '~~', 'del');
  if (ch === '[') return link(rest);
  if (ch === '<') return autolink(rest);
  if (ch === 'h' || ch === 'H') {
    const url = BARE_URL.exec(rest)?.[0];
    if (url) return { node: { kind: 'link', href: url, children: [{ kind: 'text', text: url }] }, length: url.length };
  }
  return undefined;
}

function codeSpan(rest: string): { node: Inline; length: number } | undefined {
  const ticks = /^`+/.exec(rest)?.[0] ?? '`';
  const end = rest.indexOf(ticks, ticks.length);
  if (end < 0) return undefined;
  const inner = rest.slice(ticks.length, end).replace(/\n/g, ' ');
  // "`` `x` ``": one space on each side is padding, not content.
  const text = /^ .* $/.test(inner) && inner.trim() ? inner.slice(1, -1) : inner;
  return { node: { kind: 'code', text }, length: end + ticks.length };
}

function emphasis(rest: string, ch: '*' | '_'): { node: Inline; length: number } | undefined {
  const double = ch + ch;
  if (rest.startsWith(double)) return delimited(rest, double, 'strong');
  return delimited(rest, ch, 'em');
}

/** `**x**`, `*x*`, `~~x~~`: the closing delimiter must hug the text, as in CommonMark, so `2 * 3 * 4` stays text. */
function delimited(rest: string, delim: string, kind: 'strong' | 'em' | 'del'): { node: Inline; length: number } | undefined {
  const after = rest[delim.length];
  if (after === undefined || /\s/.test(after) || after === delim[0]) return undefined;
  for (let end = rest.indexOf(delim, delim.length); end > 0; end = rest.indexOf(delim, end + 1)) {
    const before = rest[end - 1] ?? ' ';
    const next = rest[end + delim.length];
    // A single `*` that is half of a `**` is not this span's end.
    if (delim.length === 1 && (next === delim || before === delim)) continue;
    if (/\s/.test(before)) continue;
    // Underscores inside words (snake_case) are not emphasis.
    if (delim[0] === '_' && next !== undefined && /[A-Za-z0-9]/.test(next)) continue;
    const inner = rest.slice(delim.length, end);
    if (inner.includes('\n\n')) return undefined;
    return { node: { kind, children: parseInline(inner) }, length: end + delim.length };
  }
  return undefined;
}

function link(rest: string): { node: Inline; length: number } | undefined {
  const match = /^\[([^\]\n]+)\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"\n]*")?\s*\)/.exec(rest);
  if (!match) return undefined;
  const [whole, label = '', href = ''] = match;
  // An address that may not be a link is shown as written, so the reader sees where it would have gone.
  if (!isSafeHref(href)) return { node: { kind: 'text', text: whole }, length: whole.length };
  return { node: { kind: 'link', href, children: parseInline(label) }, length: whole.length };
}

function autolink(rest: string): { node: Inline; length: number } | undefined {
  const match = /^<((?:https?:\/\/|mailto:)[^\s<>]+)>/i.exec(rest);
  if (!match?.[1] || !isSafeHref(match[1])) return undefined;
  return { node: { kind: 'link', href: match[1], children: [{ kind: 'text', text: match[1] }] }, length: match[0].length };
}
