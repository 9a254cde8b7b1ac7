import type { MediaItem } from '../../../src/protocol/rich.js';
import { checkMedia } from '../../../src/tools/media.js';

/** mcpd carries at most this much media in an event; anything claiming more is not shown. */
const MAX_BYTES = 1024 ** 2;

/**
 * A data: URL for an image or clip, or undefined. mcpd checked the bytes already; the page checks them again (type
 * allowed, base64 valid, magic matching, image/* only for images) because the URL is built here, from event data.
 * Never SVG: it is not an accepted type at all.
 */
export function mediaUrl(item: MediaItem): string | undefined {
  if (item.data === undefined) return undefined;
  const check = checkMedia(item.mimeType, item.data, MAX_BYTES);
  if (!check.ok || !check.mimeType.startsWith(`${item.type}/`)) return undefined;
  return `data:${check.mimeType};base64,${item.data}`;
}

/** A data: URL for an embedded resource's text, to save it as a file (plain text, whatever the server claimed). */
export function textUrl(text: string): string {
  return `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
}
