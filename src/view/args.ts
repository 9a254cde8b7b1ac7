/**
 * Tool call arguments for people, in both clients: the terminal's approval prompt and call lines, the web's approval
 * card and call cards. Keys and values come from the model (steered by whatever a server said), so every key and
 * value is shown with its controls pictured and its hidden characters revealed (`⟦U+202E⟧`): what a person approves
 * must read the way it runs.
 */
import { hasInvisible } from '../text/reveal.js';
import { safeLine, safeText } from '../text/sanitize.js';

/** Arguments as the terminal's approval prompt shows them: indented JSON, one safe line per row. */
export interface ArgsText {
  lines: string[];
  /** Lines or characters left out; zero when everything is shown. */
  hiddenLines: number;
  cutStrings: number;
  /** Some key or value holds a control or hidden character, now shown as a picture or a code. */
  revealed: boolean;
}

/**
 * Pretty-prints tool arguments for an approval: indented JSON, with long strings cut and long documents folded
 * unless `expanded`, so a person can read what will run before saying yes.
 */
export function formatArgs(
  args: Record<string, unknown>,
  options: { expanded?: boolean; maxLines?: number; maxString?: number } = {},
): ArgsText {
  const { expanded = false, maxLines = 12, maxString = 160 } = options;
  let cutStrings = 0;
  const json = JSON.stringify(
    args,
    (_key, value: unknown) => {
      if (expanded || typeof value !== 'string' || value.length <= maxString) return value;
      cutStrings++;
      return `${cut(value, maxString)}… (${value.length - maxString} more chars)`;
    },
    2,
  );
  const raw = (json ?? '{}').split('\n');
  // JSON escapes C0 controls; what it leaves raw (DEL, C1, bidi, zero-width, tags) is pictured or revealed here.
  const all = raw.map(safeLine);
  const revealed = holdsHidden(args);
  if (expanded || all.length <= maxLines) return { lines: all, hiddenLines: 0, cutStrings, revealed };
  return { lines: all.slice(0, maxLines - 1), hiddenLines: all.length - (maxLines - 1), cutStrings, revealed };
}

/** Arguments on one line for headers: `{"message":"hi"}`, made safe, cut to `max` characters. */
export function inlineArgs(args: Record<string, unknown>, max = 80): string {
  const text = safeLine(JSON.stringify(args) ?? '{}');
  return text.length > max ? `${cut(text, max - 1)}…` : text;
}

/** One argument of a tool call, ready to show: strings as they are, anything else as indented JSON. */
export interface ArgEntry {
  /** The key as sent (for identity: two keys may look alike once made safe). */
  id: string;
  /** The key as shown: one line, controls pictured, hidden characters revealed. */
  key: string;
  kind: 'string' | 'json';
  /** The value as shown (newlines kept, controls pictured, hidden characters revealed). */
  text: string;
  /** What is shown while folded; equal to `text` when the value is short. */
  preview: string;
  /** Characters the preview leaves out (0: nothing folded). */
  hidden: number;
  /** The key or value holds characters a person cannot see (bidi overrides, zero-width, controls): shown as codes. */
  invisible: boolean;
}

export interface FoldLimits {
  chars: number;
  lines: number;
}

export const DEFAULT_FOLD: FoldLimits = { chars: 240, lines: 6 };

/** The arguments as entries, long values folded to a preview (the web's approval card unfolds them on request). */
export function argEntries(args: Record<string, unknown>, limits: FoldLimits = DEFAULT_FOLD): ArgEntry[] {
  return Object.entries(args).map(([id, value]) => {
    const kind = typeof value === 'string' ? 'string' : 'json';
    const raw = typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value));
    const key = safeLine(id);
    const text = safeText(raw, { multiline: true });
    const invisible = holdsHidden(id) || holdsHidden(value);
    const preview = fold(text, limits);
    return { id, key, kind, text, preview, hidden: text.length - preview.length, invisible };
  });
}

// A control other than newline and tab, or a hidden character (reveal.ts).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/** True when some key or string value, at any depth, holds a control or hidden character. */
function holdsHidden(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return CONTROL.test(value) || hasInvisible(value);
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, inner]) => holdsHidden(key) || holdsHidden(inner, depth + 1));
}

/** Cuts at `max` UTF-16 units without leaving half a surrogate pair behind. */
function cut(text: string, max: number): string {
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

function fold(text: string, limits: FoldLimits): string {
  const lines = text.split('\n');
  const kept = lines.length > limits.lines ? lines.slice(0, limits.lines).join('\n') : text;
  return kept.length > limits.chars ? cut(kept, limits.chars) : kept;
}
