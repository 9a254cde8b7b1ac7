import { parseInline, type Inline } from './markdown-inline.js';

export type { Inline } from './markdown-inline.js';
export { isSafeHref, parseInline } from './markdown-inline.js';

export type Align = 'left' | 'center' | 'right' | undefined;

/** Markdown blocks, as a tree of data: rendering builds elements from it and never parses HTML. */
export type Block =
  | { kind: 'paragraph'; children: Inline[] }
  | { kind: 'heading'; level: number; children: Inline[] }
  | { kind: 'code'; lang: string; text: string }
  | { kind: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { kind: 'quote'; children: Block[] }
  | { kind: 'table'; align: Align[]; head: Inline[][]; rows: Inline[][][] }
  | { kind: 'rule' };

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;
const HEADING = /^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}> ?/;
const ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])(\s+|$)(.*)$/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-{1,}:?\s*(\|\s*:?-{1,}:?\s*)*\|?\s*$/;

/**
 * Parses the Markdown a model writes (CommonMark's common subset plus GFM tables and strikethrough). Text still
 * streaming parses too: an unclosed fence is code up to the end, an unclosed `**` is just text.
 */
export function parseMarkdown(source: string): Block[] {
  return parseBlocks(source.replace(/\r\n?/g, '\n').split('\n'));
}

function parseBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1] ?? '```';
      const body: string[] = [];
      for (i++; i < lines.length && !isClosingFence(lines[i] ?? '', marker); i++) body.push(lines[i] ?? '');
      i++;
      blocks.push({ kind: 'code', lang: fence[2] ?? '', text: body.join('\n') });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ kind: 'heading', level: heading[1]?.length ?? 1, children: parseInline(heading[2] ?? '') });
      i++;
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ kind: 'rule' });
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      for (; i < lines.length && QUOTE.test(lines[i] ?? ''); i++) body.push((lines[i] ?? '').replace(QUOTE, ''));
      blocks.push({ kind: 'quote', children: parseBlocks(body) });
      continue;
    }
    if (ITEM.test(line)) {
      const list = parseList(lines, i);
      blocks.push(list.block);
      i = list.next;
      continue;
    }
    if (line.includes('|') && TABLE_SEPARATOR.test(lines[i + 1] ?? '') && (lines[i + 1] ?? '').includes('-')) {
      const table = parseTable(lines, i);
      blocks.push(table.block);
      i = table.next;
      continue;
    }
    const body: string[] = [];
    for (; i < lines.length && (lines[i] ?? '').trim() && !startsBlock(lines[i] ?? ''); i++) body.push((lines[i] ?? '').trim());
    blocks.push({ kind: 'paragraph', children: parseInline(body.join('\n')) });
  }
  return blocks;
}

function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || ITEM.test(line);
}

function isClosingFence(line: string, marker: string): boolean {
  const trimmed = line.trim();
  return trimmed.startsWith(marker) && /^(`+|~+)$/.test(trimmed) && trimmed[0] === marker[0];
}

/** A list: each item is its first line plus the lines indented under it, parsed again as blocks (nesting). */
function parseList(lines: string[], from: number): { block: Block; next: number } {
  const first = ITEM.exec(lines[from] ?? '');
  const ordered = /\d/.test(first?.[2] ?? '');
  const start = ordered ? Number.parseInt(first?.[2] ?? '1', 10) : 1;
  const items: Block[][] = [];
  let i = from;
  while (i < lines.length) {
    const item = ITEM.exec(lines[i] ?? '');
    if (!item || /\d/.test(item[2] ?? '') !== ordered) break;
    const indent = (item[1] ?? '').length + (item[2] ?? '').length + Math.min((item[3] ?? ' ').length, 4);
    const body = [item[4] ?? ''];
    for (i++; i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (!line.trim()) {
        // A blank line ends the list unless the next line is indented into the item or starts another item.
        const next = lines[i + 1] ?? '';
        if (indentOf(next) >= Math.min(indent, 2) && next.trim()) {
          body.push('');
          continue;
        }
        break;
      }
      if (indentOf(line) >= Math.min(indent, 2)) body.push(line.slice(Math.min(indentOf(line), indent)));
      else if (ITEM.test(line) || startsBlock(line)) break;
      else body.push(line.trim()); // a lazy continuation of the item's paragraph
    }
    items.push(parseBlocks(body));
    if (!(lines[i] ?? '').trim() && ITEM.test(lines[i + 1] ?? '')) i++;
  }
  return { block: { kind: 'list', ordered, start, items }, next: i };
}

function indentOf(line: string): number {
  return /^ */.exec(line)?.[0].length ?? 0;
}

function parseTable(lines: string[], from: number): { block: Block; next: number } {
  const head = splitRow(lines[from] ?? '');
  const align = splitRow(lines[from + 1] ?? '').map((cell): Align => {
    const left = cell.startsWith(':');
    const right = cell.endsWith(':');
    return left && right ? 'center' : right ? 'right' : left ? 'left' : undefined;
  });
  const rows: Inline[][][] = [];
  let i = from + 2;
  for (; i < lines.length && (lines[i] ?? '').includes('|') && (lines[i] ?? '').trim(); i++) {
    const cells = splitRow(lines[i] ?? '');
    rows.push(head.map((_, c) => parseInline(cells[c] ?? '')));
  }
  return { block: { kind: 'table', align, head: head.map((cell) => parseInline(cell)), rows }, next: i };
}

function splitRow(line: string): string[] {
  const cells = line
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/);
  return cells.map((cell) => cell.trim().replace(/\\\|/g, '|'));
}
