import type { ResultItem } from '../../src/protocol/rich.js';
import type { RichResult } from '../../src/tools/rich-result.js';

/** One image or clip mcpd holds for clients: its checked type and base64 bytes. */
export interface HeldMedia {
  mimeType: string;
  data: string;
}

/** How much media mcpd holds in memory for all sessions together (base64 characters). */
export const DEFAULT_MEDIA_CACHE_CHARS = 64 * 1024 ** 2;

const key = (sessionId: string, callId: string, item: number): string => `${sessionId}\u0000${callId}\u0000${item}`;

/**
 * Media of recent tool results that were too large for their `tool:result` event (whose log entry is capped), held
 * in memory so a client can ask for them (`tools:media`, checked for ownership like any session request). Bounded
 * in total; the oldest go first, and a restart forgets them all: the model got them already, this is for showing.
 */
export class MediaCache {
  private readonly entries = new Map<string, HeldMedia>();
  private chars = 0;

  constructor(private readonly maxChars = DEFAULT_MEDIA_CACHE_CHARS) {}

  /** Holds an item of a call's result; false when it alone is over the cap (nothing is evicted for it then). */
  put(sessionId: string, callId: string, item: number, media: HeldMedia): boolean {
    if (media.data.length > this.maxChars) return false;
    const k = key(sessionId, callId, item);
    this.remove(k);
    this.entries.set(k, media);
    this.chars += media.data.length;
    for (const oldest of this.entries.keys()) {
      if (this.chars <= this.maxChars) break;
      this.remove(oldest);
    }
    return true;
  }

  /** The item, if still held. */
  get(sessionId: string, callId: string, item: number): HeldMedia | undefined {
    return this.entries.get(key(sessionId, callId, item));
  }

  private remove(k: string): void {
    const held = this.entries.get(k);
    if (!held) return;
    this.entries.delete(k);
    this.chars -= held.data.length;
  }
}

/** A result's items for its event: those whose bytes the cache now holds are marked `held` (their note is then moot). */
export function holdUncarried(rich: RichResult, media: MediaCache | undefined, sessionId: string, callId: string): ResultItem[] {
  const items = [...rich.items];
  if (!media) return items;
  for (const { item, mimeType, data } of rich.uncarried) {
    const described = items[item];
    if (described?.type !== 'image' && described?.type !== 'audio') continue;
    if (!media.put(sessionId, callId, item, { mimeType, data })) continue;
    const { note: _moot, ...rest } = described;
    items[item] = { ...rest, held: true };
  }
  return items;
}
