import { Lexer, type Token, type Tokens } from 'marked';
import type { Align, Block, Inline } from './types.js';

// Only links a person can judge by their address; `javascript:`, `data:` and relative links stay plain text.
const SAFE_HREF = /^(https?:\/\/|mailto:)[^\s<>"]+$/i;

/** True when `href` may become a link. */
export function isSafeHref(href: string): boolean {
  return SAFE_HREF.test(href);
}

/**
 * Parses the Markdown a model writes with marked's lexer (CommonMark plus GFM tables, strikethrough and autolinks;
 * the model's own line breaks kept) into the shared tree. Text still streaming parses too: an unclosed fence is code
 * up to the end, an unclosed `**` is just text. HTML becomes the text it is written as.
 */
export function parseMarkdown(source: string): Block[] {
  return blocks(Lexer.lex(source, { gfm: true, breaks: true }));
}

/** Inline Markdown as plain text (for terminal table cells, where columns must line up): a link keeps its address. */
export function plainText(nodes: Inline[]): string {
  return nodes
    .map((node) => {
      switch (node.kind) {
        case 'text':
        case 'code':
          return node.text;
        case 'br':
          return ' ';
        case 'link': {
          const label = plainText(node.children);
          return label === node.href ? label : `${label} (${node.href})`;
        }
        case 'strong':
        case 'em':
        case 'del':
          return plainText(node.children);
      }
    })
    .join('');
}

function blocks(tokens: Token[]): Block[] {
  return tokens.flatMap((token): Block[] => {
    switch (token.type) {
      case 'space':
      case 'def': // a link reference definition shows nothing; its links carry the address
        return [];
      case 'paragraph':
      case 'text':
        return [{ kind: 'paragraph', children: inlineOf(token as Tokens.Paragraph | Tokens.Text) }];
      case 'heading':
        return [{ kind: 'heading', level: (token as Tokens.Heading).depth, children: inlines((token as Tokens.Heading).tokens) }];
      case 'code':
        return [{ kind: 'code', lang: (token as Tokens.Code).lang?.split(/\s/)[0] ?? '', text: (token as Tokens.Code).text }];
      case 'hr':
        return [{ kind: 'rule' }];
      case 'blockquote':
        return [{ kind: 'quote', children: blocks((token as Tokens.Blockquote).tokens) }];
      case 'list':
        return [list(token as Tokens.List)];
      case 'table':
        return [table(token as Tokens.Table)];
      case 'html':
        // Never markup: the characters as written, line breaks kept.
        return [{ kind: 'paragraph', children: textWithBreaks(token.raw.replace(/\n+$/, '')) }];
      default:
        // A token kind this tree does not know (a marked extension) is shown as its source text.
        return token.raw.trim() ? [{ kind: 'paragraph', children: textWithBreaks(token.raw.trim()) }] : [];
    }
  });
}

function list(token: Tokens.List): Block {
  const start = typeof token.start === 'number' ? token.start : 1;
  const items = token.items.map((item) => {
    const body = blocks(item.tokens.filter((t) => t.type !== 'checkbox'));
    if (!item.task) return body;
    // A task's box as text in front of its first paragraph: `[x] done`.
    const box: Inline = { kind: 'text', text: item.checked ? '[x] ' : '[ ] ' };
    const [first, ...rest] = body;
    return first?.kind === 'paragraph' ? [{ ...first, children: merge([box, ...first.children]) }, ...rest] : body;
  });
  return { kind: 'list', ordered: token.ordered, start, items };
}

function table(token: Tokens.Table): Block {
  return {
    kind: 'table',
    align: token.align.map((a): Align => a ?? undefined),
    head: token.header.map((cell) => inlines(cell.tokens)),
    rows: token.rows.map((row) => token.header.map((_, i) => inlines(row[i]?.tokens ?? []))),
  };
}

function inlineOf(token: Tokens.Paragraph | Tokens.Text): Inline[] {
  return token.tokens ? inlines(token.tokens) : textWithBreaks(token.text);
}

function inlines(tokens: Token[]): Inline[] {
  return merge(tokens.flatMap(inline));
}

function inline(token: Token): Inline[] {
  switch (token.type) {
    case 'text': {
      const text = token as Tokens.Text;
      if (text.tokens) return inlines(text.tokens);
      // Text inside a raw HTML block comes HTML-escaped; its source is what was written.
      return textWithBreaks(text.escaped ? text.raw : text.text);
    }
    case 'escape':
      return [{ kind: 'text', text: (token as Tokens.Escape).text }];
    case 'codespan':
      return [{ kind: 'code', text: (token as Tokens.Codespan).text }];
    case 'strong':
    case 'em':
    case 'del':
      return [{ kind: token.type, children: inlines((token as Tokens.Strong | Tokens.Em | Tokens.Del).tokens) }];
    case 'br':
      return [{ kind: 'br' }];
    case 'link':
    case 'image': {
      const link = token as Tokens.Link | Tokens.Image;
      // An address that may not be a link is shown as written, so the reader sees where it would have gone. Images
      // are never loaded (an image URL is a way out for data): one is a link to its address.
      if (!isSafeHref(link.href)) return textWithBreaks(token.raw);
      const children = token.type === 'link' ? inlines((token as Tokens.Link).tokens) : [];
      return [{ kind: 'link', href: link.href, children: children.length ? children : [{ kind: 'text', text: link.text || link.href }] }];
    }
    case 'html':
    default:
      return textWithBreaks(token.raw);
  }
}

function textWithBreaks(text: string): Inline[] {
  return text
    .split('\n')
    .flatMap((line, i): Inline[] => [
      ...(i > 0 ? [{ kind: 'br' } as const] : []),
      ...(line ? [{ kind: 'text', text: line } as const] : []),
    ]);
}

// marked splits text at every delimiter it tried; one node per run keeps the rendered trees small.
function merge(nodes: Inline[]): Inline[] {
  const out: Inline[] = [];
  for (const node of nodes) {
    const last = out.at(-1);
    if (node.kind === 'text' && last?.kind === 'text') out[out.length - 1] = { kind: 'text', text: last.text + node.text };
    else out.push(node);
  }
  return out;
}
