import { safeText } from './sanitize.js';

/** Terminal columns a string takes: wide (CJK, emoji) characters count two, combining marks none. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x300 && code <= 0x36f) || code === 0x200d || (code >= 0xfe00 && code <= 0xfe0f)) continue;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/** Cuts text to at most `width` columns, marking the cut with "…". */
export function fitWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  for (const ch of text) {
    if (displayWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return `${out}…`;
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

export interface TableLayout {
  widths: number[];
  header: string;
  rule: string;
  rows: string[];
}

const GAP = '  ';
const MIN_COLUMN = 4;

export interface TableOptions {
  maxWidth?: number | undefined;
  /** Cells are prose (a model's Markdown table): emoji sequences stay whole. */
  emoji?: boolean;
}

/**
 * Lays a table out in aligned columns; when it is wider than `maxWidth`, the widest columns give up space first and
 * their cells are cut with "…". One layout serves the Ink `Table` and plain-text output alike. Cells often hold a
 * server's text (tool names, descriptions), so each is made one safe line (src/text/sanitize.ts) before it is
 * measured: a newline shows as ⏎ and cannot start a row of its own.
 */
export function layoutTable(
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  maxWidth = Infinity,
  options: Pick<TableOptions, 'emoji'> = {},
): TableLayout {
  const clean = (cell: string | undefined): string => safeText(cell ?? '', { emoji: options.emoji ?? false });
  const body = rows.map((row) => headers.map((_, i) => clean(row[i])));
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...body.map((row) => displayWidth(row[i] ?? ''))));
  const total = (): number => widths.reduce((a, b) => a + b, 0) + GAP.length * Math.max(0, widths.length - 1);
  while (total() > maxWidth) {
    const widest = widths.indexOf(Math.max(...widths));
    if ((widths[widest] ?? 0) <= MIN_COLUMN) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => {
        const fitted = fitWidth(cell, widths[i] ?? 0);
        return i === cells.length - 1 ? fitted : pad(fitted, widths[i] ?? 0);
      })
      .join(GAP)
      .trimEnd();
  return {
    widths,
    header: line(headers),
    rule: widths.map((w) => '─'.repeat(w)).join(GAP),
    rows: body.map(line),
  };
}

/** A table as plain text (header, rule, rows): CLI listings; cut to `maxWidth` columns on a terminal. */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, options: TableOptions = {}): string {
  const layout = layoutTable(headers, rows, options.maxWidth, options);
  return [layout.header, layout.rule, ...layout.rows].join('\n');
}

/** "1.2 s", "340 ms" */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** "3m ago", "2h ago", "just now" — for last-activity columns. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** Human byte sizes: "512 MiB". */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value >= 10 ? 0 : 1)} ${units[unit]}`;
}

/** "just now", "3m ago", "2h ago". */
export function formatAgo(ms: number): string {
  const age = formatAge(ms);
  return age === 'just now' ? age : `${age} ago`;
}
