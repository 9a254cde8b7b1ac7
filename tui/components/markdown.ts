/**
 * A small Markdown reader for model answers in a terminal: the blocks and inline styles models actually use
 * (headings, emphasis, code, lists, quotes, rules, simple tables). It never fails: anything it does not know stays
 * text, and an unclosed code fence (text still streaming) is a code block up to the end.
 */
export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'bold'; text: string }
  | { kind: 'italic'; text: string }
  | { kind: 'strike'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'link'; text: string; url: string };

export type Block =
  | { kind: 'heading'; level: number; inline: Inline[] }
  | { kind: 'paragraph'; inline: Inline[] }
  | { kind: 'code'; lang: string; lines: string[]; closed: boolean }
  | { kind: 'item'; ordered: boolean; marker: string; depth: number; inline: Inline[] }
  | { kind: 'quote'; inline: Inline[] }
  | { kind: 'rule' }
  | { kind: 'table'; header: string[]; rows: string[][] }
  | { kind: 'blank' };

const FENCE = /^\s*(```+|~~~+)\s*([\w+#.-]*)\s*$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const ITEM = /^(\s*)([-*+]|\d{1,3}[.)])\s+(.*)$/;
const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

/** Splits Markdown into blocks. */
export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const fence = FENCE.exec(line);
    if (fence) {
      const close = fence[1] ?? '```';
      const code: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        const inner = lines[i] ?? '';
        if (inner.trim().startsWith(close) && inner.trim().replace(/[`~]/g, '') === '') {
          closed = true;
          break;
        }
        code.push(inner);
      }
      blocks.push({ kind: 'code', lang: fence[2] ?? '', lines: code, closed });
      continue;
    }
    if (line.trim() === '') {
      if (blocks.at(-1)?.kind !== 'blank') blocks.push({ kind: 'blank' });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ kind: 'heading', level: heading[1]?.length ?? 1, inline: parseInline(heading[2] ?? '') });
      continue;
    }
    if (RULE.test(line)) {
      blocks.push({ kind: 'rule' });
      continue;
    }
    const item = ITEM.exec(line);
    if (item) {
      const marker = item[2] ?? '-';
      const ordered = /\d/.test(marker);
      blocks.push({
        kind: 'item',
        ordered,
        marker: ordered ? marker.replace(')', '.') : '•',
        depth: Math.floor((item[1]?.length ?? 0) / 2),
        inline: parseInline(item[3] ?? ''),
      });
      continue;
    }
    if (line.trimStart().startsWith('>')) {
      blocks.push({ kind: 'quote', inline: parseInline(line.trimStart().replace(/^>\s?/, '')) });
      continue;
    }
    if (line.includes('|') && TABLE_SEPARATOR.test(lines[i + 1] ?? '')) {
      const header = cells(line);
      const rows: string[][] = [];
      for (i += 2; i < lines.length && (lines[i] ?? '').includes('|') && (lines[i] ?? '').trim() !== ''; i++)
        rows.push(cells(lines[i] ?? ''));
      i--;
      blocks.push({ kind: 'table', header, rows });
      continue;
    }
    const previous = blocks.at(-1);
    // Consecutive lines are one paragraph, but the model's own line breaks are kept: they are usually deliberate.
    if (previous?.kind === 'paragraph') previous.inline.push({ kind: 'text', text: '\n' }, ...parseInline(line));
    else blocks.push({ kind: 'paragraph', inline: parseInline(line) });
  }
  while (blocks.at(-1)?.kind === 'blank') blocks.pop();
  while (blocks[0]?.kind === 'blank') blocks.shift();
  return blocks;
}

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => stripInline(c.trim()));
}

const INLINE =
  /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)|\*\*([^*\n]+?)\*\*|__([^_\n]+?)__|~~([^~\n]+?)~~|\*([^*\s][^*\n]*?)\*|(?<![\w])_([^_\s][^_\n]*?)_(?![\w])|\[([^\]\n]+)\]\(([^)\s]+)\)/g;

/** Splits a line into styled runs. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    const index = m.index;
    if (index > last) out.push({ kind: 'text', text: text.slice(last, index) });
    if (m[2] !== undefined) out.push({ kind: 'code', text: m[2] });
    else if (m[3] !== undefined || m[4] !== undefined) out.push({ kind: 'bold', text: (m[3] ?? m[4])! });
    else if (m[5] !== undefined) out.push({ kind: 'strike', text: m[5] });
    else if (m[6] !== undefined || m[7] !== undefined) out.push({ kind: 'italic', text: (m[6] ?? m[7])! });
    else if (m[8] !== undefined && m[9] !== undefined) out.push({ kind: 'link', text: m[8], url: m[9] });
    last = index + m[0].length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}

/** Inline Markdown as plain text (for table cells, where columns must line up). */
export function stripInline(text: string): string {
  return parseInline(text)
    .map((run) => (run.kind === 'link' ? `${run.text} (${run.url})` : run.text))
    .join('');
}

/**
 * Where streamed text can be cut so the part before never changes again: after the last blank line that is not
 * inside a code fence. Terminals print the settled part once and keep only the rest live.
 */
export function stableCut(text: string): number {
  let cut = 0;
  let inFence = false;
  let offset = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length - 1; i++) {
    const line = lines[i] ?? '';
    offset += line.length + 1;
    if (FENCE.test(line)) inFence = !inFence;
    else if (!inFence && line.trim() === '' && i > 0) cut = offset;
  }
  return cut;
}

/**
 * The last `rows` terminal rows of streaming text (lines wider than `width` count as several), so a live region
 * never outgrows the screen. A cut inside a code fence keeps the fence's opening line, so it still renders as code.
 */
export function tailRows(text: string, rows: number, width: number): { text: string; cut: boolean } {
  const lines = text.split('\n');
  const cost = (line: string): number => Math.max(1, Math.ceil(line.length / Math.max(1, width)));
  let used = 0;
  let start = lines.length;
  while (start > 0 && used + cost(lines[start - 1] ?? '') <= rows) used += cost(lines[--start] ?? '');
  if (start === 0) return { text, cut: false };
  let fence: string | undefined;
  for (const line of lines.slice(0, start)) if (FENCE.test(line)) fence = fence === undefined ? line : undefined;
  const tail = lines.slice(start);
  return { text: (fence === undefined ? tail : [fence, ...tail]).join('\n'), cut: true };
}
