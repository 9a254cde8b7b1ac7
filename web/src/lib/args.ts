/** One argument of a tool call, ready to show: strings as they are, anything else as indented JSON. */
export interface ArgEntry {
  key: string;
  kind: 'string' | 'json';
  text: string;
  /** What is shown while folded; equal to `text` when the value is short. */
  preview: string;
  /** Characters the preview leaves out (0: nothing folded). */
  hidden: number;
  /** The value holds characters a person cannot see (bidi overrides, zero-width): they are shown as codes. */
  invisible: boolean;
}

export interface FoldLimits {
  chars: number;
  lines: number;
}

export const DEFAULT_FOLD: FoldLimits = { chars: 240, lines: 6 };

// Bidi controls and zero-width characters can make an argument read differently from what runs.
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** The arguments as entries, long values folded to a preview (the approval card unfolds them on request). */
export function argEntries(args: Record<string, unknown>, limits: FoldLimits = DEFAULT_FOLD): ArgEntry[] {
  return Object.entries(args).map(([key, value]) => {
    const kind = typeof value === 'string' ? 'string' : 'json';
    const raw = typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value));
    const invisible = new RegExp(INVISIBLE.source).test(raw);
    const text = revealInvisible(raw);
    const preview = fold(text, limits);
    return { key, kind, text, preview, hidden: text.length - preview.length, invisible };
  });
}

/** Replaces invisible characters with a visible code, e.g. `⟦U+202E⟧`. */
export function revealInvisible(text: string): string {
  return text.replace(INVISIBLE, (ch) => `⟦U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}⟧`);
}

/** The arguments on one line for a call's header: `{"message":"hi"}`, cut to `max` characters. */
export function inlineArgs(args: Record<string, unknown>, max = 80): string {
  const text = revealInvisible(JSON.stringify(args) ?? '{}');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function fold(text: string, limits: FoldLimits): string {
  const lines = text.split('\n');
  const kept = lines.length > limits.lines ? lines.slice(0, limits.lines).join('\n') : text;
  return kept.length > limits.chars ? kept.slice(0, limits.chars) : kept;
}
