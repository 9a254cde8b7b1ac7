/**
 * Where a streaming answer may be cut in a terminal: the settled part is printed once, the live rest is redrawn. These
 * look at lines and code fences only, not at Markdown structure (the lexer, src/markdown, parses what is shown).
 */
const FENCE = /^\s*(```+|~~~+)\s*([\w+#.-]*)\s*$/;

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
