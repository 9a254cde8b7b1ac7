import type { ResultItem } from '../protocol/rich.js';
import type { ResultItemView, SessionView } from './types.js';

/**
 * Something of a result a person can open: an image or clip (its bytes in the event, or `held` by mcpd: ask with
 * `tools:media` for the item at `index`), or an embedded resource's text.
 */
export type Attachment = { n: number; callId: string; server: string; tool: string; index: number } & (
  | { kind: 'media'; item: Extract<ResultItem, { type: 'image' | 'audio' }> }
  | { kind: 'text'; item: Extract<ResultItem, { type: 'resource' }> & { text: string } }
);

/** True for an item that carries something to open (numbered in the view, for `/open N`). */
export function openable(item: ResultItem): boolean {
  if (item.type === 'image' || item.type === 'audio') return item.data !== undefined || item.held === true;
  return item.type === 'resource' && item.text !== undefined;
}

/** The highest attachment number in the view so far (0 when none). */
export function lastAttachment(view: SessionView): number {
  let n = 0;
  for (const item of view.items) {
    if (item.kind !== 'tool') continue;
    for (const r of item.result?.items ?? []) n = Math.max(n, r.n ?? 0);
  }
  return n;
}

/** The session's attachment number `n`, or undefined when there is none. */
export function findAttachment(view: SessionView, n: number): Attachment | undefined {
  for (const item of view.items) {
    if (item.kind !== 'tool') continue;
    const items: ResultItemView[] = item.result?.items ?? [];
    const index = items.findIndex((r) => r.n === n);
    const found = items[index];
    if (!found) continue;
    const where = { n, callId: item.callId, server: item.server, tool: item.tool, index };
    if ((found.type === 'image' || found.type === 'audio') && openable(found)) return { ...where, kind: 'media', item: found };
    if (found.type === 'resource' && found.text !== undefined) return { ...where, kind: 'text', item: { ...found, text: found.text } };
  }
  return undefined;
}
