import { safeText } from '../text/sanitize.js';

/** One line of a changed tool's diff, as both clients show it. */
export interface ChangeLine {
  kind: 'field' | 'added' | 'removed' | 'same';
  text: string;
}

/** The headline both clients show above a changed tool's diff. */
export const CHANGED_HEADLINE = 'this tool changed since you approved it';

/** What changed, as a phrase: "its description and inputSchema". */
export function changedFields(fields: string[]): string {
  const names = fields.map((f) => safeText(f));
  return names.length <= 1 ? `its ${names[0] ?? 'definition'}` : `its ${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * The daemon's line diff (`field:` headers, `- ` removed, `+ ` added, `  ` unchanged) as typed lines, made inert
 * again (the daemon already did; a client does not rely on it), at most `maxLines` of them and a count of the rest.
 */
export function changeLines(diff: string, maxLines = 40): { lines: ChangeLine[]; hidden: number } {
  const all = safeText(diff, { multiline: true })
    .split('\n')
    .map((line): ChangeLine => {
      if (line.startsWith('+ ')) return { kind: 'added', text: line };
      if (line.startsWith('- ')) return { kind: 'removed', text: line };
      if (line.startsWith('  ')) return { kind: 'same', text: line };
      return { kind: 'field', text: line };
    });
  return { lines: all.slice(0, maxLines), hidden: Math.max(0, all.length - maxLines) };
}
