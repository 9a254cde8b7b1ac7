import { HIDDEN } from './reveal.js';

// JSON.stringify escapes C0 controls (and lone surrogates) but writes DEL, C1 controls, bidi controls and other
// hidden characters raw. Outside string literals JSON holds only ASCII, so escaping these is lossless.
const RAW = new RegExp(`[\\u007F-\\u009F]|${HIDDEN.source}`, 'gu');

/** Escapes DEL, C1 and hidden characters of JSON text as `\uXXXX`: the same value, inert on a terminal. */
export function escapeJsonText(json: string): string {
  return json.replace(RAW, unitEscape);
}

/** `JSON.stringify`, safe to print to a terminal and lossless for whoever parses it (see `escapeJsonText`). */
export function jsonText(value: unknown, space?: number): string {
  return escapeJsonText(JSON.stringify(value, null, space) ?? 'null');
}

/** Each UTF-16 unit as `\uXXXX` (an astral character becomes its surrogate pair, as JSON spells it). */
function unitEscape(ch: string): string {
  let out = '';
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}
