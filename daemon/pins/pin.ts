import { createHash } from 'node:crypto';
import { safeText } from '../../src/text/sanitize.js';
import { truncateMiddle } from '../../src/text/truncate.js';

/** The parts of a tool a pin covers: what the model reads and what the policy and the person are shown. */
export interface ToolDefinition {
  name: string;
  description?: string | undefined;
  inputSchema?: unknown;
  annotations?: unknown;
}

export const PINNED_FIELDS = ['name', 'description', 'inputSchema', 'annotations'] as const;
export type PinnedField = (typeof PINNED_FIELDS)[number];

/** A session's pin of one tool: the definition it first saw (or a person last approved), and a change since. */
export interface ToolPin {
  server: string;
  tool: string;
  hash: string;
  /** Canonical JSON of the pinned definition, kept so a change can be shown as a diff. */
  definition: string;
  pinnedAt: number;
  /** Set while the server lists a definition that differs from the pin; cleared when a person approves it. */
  changed?: { hash: string; definition: string; seenAt: number } | undefined;
}

/** What changed in a tool since it was pinned, as a person is shown it. */
export interface PinChange {
  fields: PinnedField[];
  diff: string;
}

/** JSON with object keys sorted at every level, so equal definitions give equal text whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj)
        .sort()
        .filter((k) => obj[k] !== undefined)
        .map((k) => [k, sortKeys(obj[k])]),
    );
  }
  return value;
}

/** The canonical definition of a tool and its sha256: what a pin records. */
export function pinOf(tool: ToolDefinition): { hash: string; definition: string } {
  const definition = canonicalJson({
    name: tool.name,
    description: tool.description ?? '',
    inputSchema: tool.inputSchema ?? {},
    annotations: tool.annotations ?? {},
  });
  return { hash: createHash('sha256').update(definition).digest('hex'), definition };
}

const DIFF_CHARS = 4000;
const DIFF_LINES = 400;

/** The fields that differ between two canonical definitions and a compact line diff of them (inert, size-capped). */
export function diffDefinitions(before: string, after: string): PinChange {
  const a = JSON.parse(before) as Record<string, unknown>;
  const b = JSON.parse(after) as Record<string, unknown>;
  const fields = PINNED_FIELDS.filter((f) => canonicalJson(a[f]) !== canonicalJson(b[f]));
  const parts = fields.map((f) => `${f}:\n${lineDiff(fieldLines(a[f]), fieldLines(b[f])).join('\n')}`);
  // Server text: every control character pictured and hidden ones revealed, before a client ever sees it.
  const diff = truncateMiddle(safeText(parts.join('\n'), { multiline: true }), DIFF_CHARS).text;
  return { fields, diff };
}

function fieldLines(value: unknown): string[] {
  if (typeof value === 'string') return value.split('\n');
  return JSON.stringify(sortKeys(value ?? null), null, 2).split('\n');
}

/** A line diff (longest common subsequence): unchanged lines as "  ", removed "- ", added "+ "; long runs elided. */
export function lineDiff(before: string[], after: string[]): string[] {
  const a = before.slice(0, DIFF_LINES);
  const b = after.slice(0, DIFF_LINES);
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  // Ties go to the removal, so a replaced line reads "- old" then "+ new".
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (j < m && (i >= n || lcs[i]![j + 1]! > lcs[i + 1]![j]!)) out.push(`+ ${b[j++]}`);
    else out.push(`- ${a[i++]}`);
  }
  if (before.length > DIFF_LINES || after.length > DIFF_LINES) out.push('  … (longer than the diff shows)');
  return elideContext(out);
}

/** Keeps two lines of context around each change, so a long unchanged description does not bury the change. */
function elideContext(lines: string[]): string[] {
  const keep = lines.map((l, k) => lines.slice(Math.max(0, k - 2), k + 3).some((x) => !x.startsWith('  ')) || l.startsWith('  …'));
  const out: string[] = [];
  lines.forEach((l, k) => {
    if (keep[k]) out.push(l);
    else if (keep[k - 1] !== false || k === 0) out.push('  …');
  });
  return out;
}
