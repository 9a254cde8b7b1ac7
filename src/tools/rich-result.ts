import type { ResultItem } from '../protocol/rich.js';
import { formatBytes } from '../text/bytes.js';
import type { ToolResultLike } from '../text/tool-result.js';
import { base64Bytes, checkMedia, modelMediaType } from './media.js';

/** Bounds on what of a result goes to the model as media and to clients in its `tool:result` event. */
export interface RichLimits {
  /** Decoded bytes of one image or clip; a larger one goes nowhere (a note says so). */
  itemBytes: number;
  /** Decoded bytes of all media of one result sent to the model (the history is sent again every round). */
  modelBytes: number;
  /** Media items of one result sent to the model. */
  modelItems: number;
  /** Base64 characters of media carried in the event (its log entry is capped at 64 KiB). */
  eventDataChars: number;
  /** Characters of embedded resource text carried in the event. */
  eventTextChars: number;
  /** Characters of the structured content (as JSON) carried in the event. */
  eventStructuredChars: number;
  /** Items listed in the event; the rest are counted in a note. */
  eventItems: number;
}

export const DEFAULT_RICH_LIMITS: RichLimits = {
  itemBytes: 1024 ** 2,
  modelBytes: 2 * 1024 ** 2,
  modelItems: 8,
  // With the other budgets and 12 items' metadata at their caps, the event stays under its 64 KiB log entry: its
  // bytes are never cut to fit (a cut image would be garbage), they go to the media cache instead.
  eventDataChars: 24 * 1024,
  eventTextChars: 6 * 1024,
  eventStructuredChars: 4 * 1024,
  eventItems: 12,
};

/** One image or clip for the model: checked, of a type Gemini takes. `label` names it in the text parts. */
export interface InlineMedia {
  kind: 'image' | 'audio';
  mimeType: string;
  data: string;
  bytes: number;
  label: string;
}

export interface RichResult {
  /** What goes to the model as inline data, in content order. */
  media: InlineMedia[];
  /** One line per image or clip in the content, in order: what the model was given, or why not. */
  mediaNotes: string[];
  /** What clients are shown beyond the text. */
  items: ResultItem[];
  /** Items left out of `items` (over `eventItems`). */
  moreItems: number;
  /** The structured content as JSON, cut to `eventStructuredChars`. */
  structured?: string;
  /** Checked media whose bytes did not fit in the event, by their index in `items` (mcpd may hold them). */
  uncarried: Array<{ item: number; mimeType: string; data: string }>;
}

const URI_CHARS = 500;
const NAME_CHARS = 200;
const DESCRIPTION_CHARS = 300;

/**
 * Splits a tool result into what the model gets as inline data and what clients are shown: every image and clip
 * checked (type allowed, base64 valid, magic matching, under the caps), resources and links cut to size.
 */
export function richResult(result: ToolResultLike, limits: RichLimits = DEFAULT_RICH_LIMITS): RichResult {
  const out: RichResult = { media: [], mediaNotes: [], items: [], moreItems: 0, uncarried: [] };
  let modelBytes = 0;
  let dataChars = 0;
  let textChars = 0;
  const add = (item: ResultItem): void => {
    if (out.items.length < limits.eventItems) out.items.push(item);
    else out.moreItems++;
  };
  for (const part of result.content ?? []) {
    if (part.type === 'image' || part.type === 'audio') {
      const kind = part.type;
      const n = out.mediaNotes.length + 1;
      const check = checkMedia(part.mimeType, part.data, limits.itemBytes);
      const data = typeof part.data === 'string' ? part.data : '';
      let why: string | undefined;
      if (!check.ok) why = check.reason;
      else if (!modelMediaType(check.mimeType)) why = `Gemini does not take ${check.mimeType}`;
      else if (out.media.length >= limits.modelItems) why = `only ${limits.modelItems} media items of one result are sent`;
      else if (modelBytes + check.bytes > limits.modelBytes) why = `the result's media are over the ${formatBytes(limits.modelBytes)} cap`;
      const type = check.ok ? check.mimeType : oneLine(part.mimeType, 100);
      const label = `${kind} ${n} (${type}, ${formatBytes(check.bytes)})`;
      if (check.ok && why === undefined) {
        modelBytes += check.bytes;
        out.media.push({ kind, mimeType: modelMediaType(check.mimeType)!, data, bytes: check.bytes, label });
        out.mediaNotes.push(`[${label}: attached after the function responses as inline data]`);
      } else {
        out.mediaNotes.push(`[${label}: not given to the model: ${why}]`);
      }
      const shown = check.ok && dataChars + data.length <= limits.eventDataChars;
      if (shown) dataChars += data.length;
      const note = !check.ok
        ? check.reason
        : !shown
          ? `too large to carry to clients here (over ${formatBytes(limits.eventDataChars)})`
          : why;
      if (check.ok && !shown && out.items.length < limits.eventItems)
        out.uncarried.push({ item: out.items.length, mimeType: check.mimeType, data });
      add({
        type: kind,
        mimeType: type,
        bytes: check.bytes,
        sentToModel: check.ok && why === undefined,
        ...(shown ? { data } : {}),
        ...(note === undefined ? {} : { note }),
      });
    } else if (part.type === 'resource') {
      const resource = (part.resource ?? {}) as Record<string, unknown>;
      const text = typeof resource.text === 'string' ? resource.text : undefined;
      const room = Math.max(0, limits.eventTextChars - textChars);
      const kept = text?.slice(0, room);
      textChars += kept?.length ?? 0;
      add({
        type: 'resource',
        uri: oneLine(resource.uri, URI_CHARS),
        ...optional('mimeType', resource.mimeType, NAME_CHARS),
        bytes:
          text !== undefined ? new TextEncoder().encode(text).length : typeof resource.blob === 'string' ? base64Bytes(resource.blob) : 0,
        ...(kept === undefined ? {} : { text: kept }),
        ...(text !== undefined && kept !== undefined && kept.length < text.length ? { truncated: true } : {}),
      });
    } else if (part.type === 'resource_link') {
      add({
        type: 'resource_link',
        uri: oneLine(part.uri, URI_CHARS),
        name: oneLine(part.name, NAME_CHARS),
        ...optional('title', part.title, NAME_CHARS),
        ...optional('description', part.description, DESCRIPTION_CHARS),
        ...optional('mimeType', part.mimeType, NAME_CHARS),
        ...(typeof part.size === 'number' && Number.isFinite(part.size) && part.size >= 0 ? { size: part.size } : {}),
      });
    }
  }
  if (result.structuredContent !== undefined) {
    const json = JSON.stringify(result.structuredContent, null, 2) ?? '';
    out.structured = json.length > limits.eventStructuredChars ? `${json.slice(0, limits.eventStructuredChars)}\n…` : json;
  }
  return out;
}

/** A server's string as one bounded value (not yet made safe for a terminal: clients do that when they show it). */
function oneLine(value: unknown, max: number): string {
  return (typeof value === 'string' ? value : '').slice(0, max);
}

function optional<K extends string>(key: K, value: unknown, max: number): Partial<Record<K, string>> {
  return typeof value === 'string' ? ({ [key]: value.slice(0, max) } as Record<K, string>) : {};
}

/**
 * The result without the text blocks that only repeat its structured content: the JSON of it (what the MCP spec
 * asks servers to add for older clients), or one of its top-level strings (server-filesystem's file text). The
 * model gets the structured content itself; sending both would pay for the same tokens twice.
 */
export function withoutRedundantText(result: ToolResultLike): ToolResultLike {
  const structured = result.structuredContent;
  if (structured === undefined || !result.content) return result;
  const json = JSON.stringify(structured);
  const strings = new Set(
    typeof structured === 'object' && structured !== null ? Object.values(structured).filter((v) => typeof v === 'string') : [],
  );
  const repeats = (text: string): boolean => {
    if (strings.has(text)) return true;
    try {
      return JSON.stringify(JSON.parse(text)) === json;
    } catch {
      return false;
    }
  };
  return {
    ...result,
    content: result.content.filter((part) => !(part.type === 'text' && typeof part.text === 'string' && repeats(part.text))),
  };
}
