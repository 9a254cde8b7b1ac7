import { formatBytes } from '../text/bytes.js';

/**
 * Media in tool results (MCP `image` and `audio` content): which types mcpgw passes on, and a check that the bytes
 * are what the server says they are. Everything a server sends is untrusted: a declared `image/png` whose bytes are
 * HTML must not reach a browser as an image, and SVG (a document that can run script) is never accepted at all.
 */

/** The media types mcpgw accepts, each with the magic its bytes must start with. Aliases map to these. */
const SIGNATURES: Readonly<Record<string, (b: Uint8Array) => boolean>> = {
  'image/png': (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': (b) => startsWith(b, [0xff, 0xd8, 0xff]),
  'image/gif': (b) => ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a'),
  'image/webp': (b) => ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP'),
  'audio/wav': (b) => ascii(b, 0, 'RIFF') && ascii(b, 8, 'WAVE'),
  // An ID3 tag, or an MPEG frame sync (11 bits set).
  'audio/mpeg': (b) => ascii(b, 0, 'ID3') || (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0),
  'audio/ogg': (b) => ascii(b, 0, 'OggS'),
  'audio/flac': (b) => ascii(b, 0, 'fLaC'),
};

const ALIASES: Readonly<Record<string, string>> = {
  'image/jpg': 'image/jpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/mp3': 'audio/mpeg',
  'audio/x-flac': 'audio/flac',
};

/**
 * The types Gemini takes as inline data, by mcpgw's name for them (Gemini says `audio/mp3`). GIF is shown to people
 * but not sent: Gemini's image understanding takes PNG, JPEG, WEBP, HEIC and HEIF.
 */
const MODEL_TYPES: Readonly<Record<string, string>> = {
  'image/png': 'image/png',
  'image/jpeg': 'image/jpeg',
  'image/webp': 'image/webp',
  'audio/wav': 'audio/wav',
  'audio/mpeg': 'audio/mp3',
  'audio/ogg': 'audio/ogg',
  'audio/flac': 'audio/flac',
};

/** Strict base64 (no whitespace, padding only at the end): what MCP's `data` fields carry. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export type MediaCheck = { ok: true; mimeType: string; bytes: number } | { ok: false; reason: string; bytes: number };

/** The canonical name of a media type mcpgw accepts, or undefined (SVG, HTML, anything else). */
export function canonicalMediaType(mimeType: unknown): string | undefined {
  if (typeof mimeType !== 'string') return undefined;
  const bare = mimeType.split(';')[0]!.trim().toLowerCase();
  const name = ALIASES[bare] ?? bare;
  return Object.hasOwn(SIGNATURES, name) ? name : undefined;
}

/** The type Gemini is sent for a canonical media type, or undefined when Gemini does not take it. */
export function modelMediaType(canonical: string): string | undefined {
  return Object.hasOwn(MODEL_TYPES, canonical) ? MODEL_TYPES[canonical] : undefined;
}

/** Decoded size of base64 text (its length when it is not base64: only used for messages then). */
export function base64Bytes(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}

/**
 * Checks one media item: an accepted type, well-formed base64, at most `maxBytes` decoded, and bytes that start
 * with that type's magic. The reason on failure is one line for people and the model.
 */
export function checkMedia(mimeType: unknown, data: unknown, maxBytes: number): MediaCheck {
  const declared = typeof mimeType === 'string' ? mimeType.slice(0, 100) : String(typeof mimeType);
  if (typeof data !== 'string') return { ok: false, reason: 'it carries no data', bytes: 0 };
  const bytes = base64Bytes(data);
  const canonical = canonicalMediaType(mimeType);
  if (!canonical) return { ok: false, reason: `type "${declared}" is not one mcpgw accepts`, bytes };
  if (bytes > maxBytes) return { ok: false, reason: `${formatBytes(bytes)} is over the ${formatBytes(maxBytes)} cap`, bytes };
  if (!BASE64.test(data)) return { ok: false, reason: 'its data is not valid base64', bytes };
  if (!SIGNATURES[canonical]!(decodeHead(data))) return { ok: false, reason: `its bytes are not ${canonical}`, bytes };
  return { ok: true, mimeType: canonical, bytes };
}

/** The first 18 bytes of (already validated) base64. */
function decodeHead(data: string): Uint8Array {
  const head = atob(data.slice(0, 24));
  return Uint8Array.from(head, (ch) => ch.charCodeAt(0));
}

function startsWith(b: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((byte, i) => b[i] === byte);
}

function ascii(b: Uint8Array, at: number, text: string): boolean {
  return [...text].every((ch, i) => b[at + i] === ch.charCodeAt(0));
}
