import { assertNever } from '../checks.js';
import type { Decider } from '../protocol/events.js';
import { safeLine } from '../text/sanitize.js';
import type { ToolCallItem } from './types.js';

/** Who decided, for people: "you", "alice", "policy (rule)", "expiry", "headless run". */
export function describeDecider(by: Decider, me?: string): string {
  switch (by.kind) {
    case 'user':
      return by.name === me ? 'you' : by.name;
    case 'policy':
      return `policy (${by.rule})`;
    case 'timeout':
      return 'expiry';
    case 'headless':
      return 'headless run';
    default:
      return assertNever(by);
  }
}

const HINTS: Array<[string, boolean, string]> = [
  ['readOnlyHint', true, 'read-only'],
  ['destructiveHint', true, 'destructive'],
  ['destructiveHint', false, 'not destructive'],
  ['idempotentHint', true, 'idempotent'],
  ['openWorldHint', true, 'reaches the outside world'],
  ['openWorldHint', false, 'closed world'],
];

/**
 * The server's annotations as short phrases. They are claims the server makes about its own tool and nothing
 * checks them, so callers present them as "server claims: …". The title is the server's own text: it is made one
 * safe line, so it can neither drive a terminal nor forge a line of its own under the claims.
 */
export function annotationClaims(annotations: Record<string, unknown>): string[] {
  const claims = HINTS.filter(([key, value]) => annotations[key] === value).map(([, , phrase]) => phrase);
  if (typeof annotations.title === 'string' && annotations.title.trim()) claims.unshift(`title "${safeLine(annotations.title.trim())}"`);
  return claims;
}

/** The hints a server sets to true, for a compact table column: "readOnly,idempotent", or "-" when none. */
export function claimedHints(annotations: Record<string, unknown> | undefined): string {
  const hints = Object.entries(annotations ?? {})
    .filter(([key, value]) => key.endsWith('Hint') && value === true)
    .map(([key]) => safeLine(key.replace(/Hint$/, '')));
  return hints.join(',') || '-';
}

/** "server.tool" as one safe line, or a placeholder while only a policy decision is known. */
export function callName(item: Pick<ToolCallItem, 'server' | 'tool'>): string {
  return item.server ? safeLine(`${item.server}.${item.tool}`) : 'a tool call';
}

/** Elapsed time for clocks next to spinners, in whole seconds: "0s", "4s", "2m 05s", "3h 07m". */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

/** How much of the first loosening a status bar shows; the full list is `mcpgw daemon status`. */
const LOOSENED_MARKER_CHARS = 100;

/**
 * The status bars' loud marker for what mcpd runs loosened (`daemon:status` `loosened`): "LOOSENED: <first> (+N)" as
 * one safe line, or undefined when nothing is. Every item is checked: the list comes over the wire from mcpd.
 */
export function loosenedMarker(loosened: unknown): string | undefined {
  const items = Array.isArray(loosened) ? loosened.filter((l): l is string => typeof l === 'string' && l.trim() !== '') : [];
  const [first] = items;
  if (first === undefined) return undefined;
  const line = safeLine(first.trim());
  const shown = line.length > LOOSENED_MARKER_CHARS ? `${line.slice(0, LOOSENED_MARKER_CHARS - 1)}…` : line;
  return `LOOSENED: ${shown}${items.length > 1 ? ` (+${items.length - 1})` : ''}`;
}
