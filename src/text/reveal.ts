/**
 * Characters a person cannot see, or that change how the text around them reads: bidi controls (U+202E makes
 * "exe.txt" of "txt.exe"), zero-width characters, variation selectors, Hangul fillers, tag characters (invisible
 * ASCII a model reads and a person does not), and every other format character. They are revealed as a visible
 * code, `⟦U+202E⟧`, so what a person approves is what runs.
 *
 * The set is built from Unicode properties, so it is complete by construction for the Unicode version of the
 * JavaScript engine (its ICU tables; Node 20.20 ships Unicode 17): `Cf` (format), `Default_Ignorable_Code_Point` (which covers the Hangul
 * fillers, CGJ, variation selectors and the whole tag block), line and paragraph separators, surrogates left alone
 * (malformed UTF-16), noncharacters, and U+2800 (a braille cell with no dots, a favourite "blank" name).
 */
const HIDDEN_CLASS =
  '\\p{Cf}\\p{Default_Ignorable_Code_Point}\\p{Zl}\\p{Zp}\\p{Cs}\\p{Noncharacter_Code_Point}' +
  // Named here too so the list reads as the review asked, even though the properties above already hold them.
  '\\u061C\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\uFEFF\\u180E\\u034F\\u115F\\u1160\\u3164\\uFFA0\\u00AD' +
  '\\u2800\\uFE00-\\uFE0F\\u{E0000}-\\u{E007F}\\u{E0100}-\\u{E01EF}';

/** Matches one hidden character (a whole code point; astral ones are one match). Global: reset `lastIndex` or use `replace`. */
// The class lists joiners and variation selectors one by one on purpose (lint thinks they are meant to combine).
// eslint-disable-next-line no-misleading-character-class
export const HIDDEN = new RegExp(`[${HIDDEN_CLASS}]`, 'gu');

// eslint-disable-next-line no-misleading-character-class
const HIDDEN_ONE = new RegExp(`[${HIDDEN_CLASS}]`, 'u');

/**
 * The three subdivision flags Unicode recommends (England, Scotland, Wales): black flag, tag letters, cancel tag.
 * Any other run of tag characters is hidden text, even after a flag.
 */
const RGI_TAG_FLAG =
  /\u{1F3F4}\u{E0067}\u{E0062}(?:\u{E0065}\u{E006E}\u{E0067}|\u{E0073}\u{E0063}\u{E0074}|\u{E0077}\u{E006C}\u{E0073})\u{E007F}/u;

// eslint-disable-next-line no-misleading-character-class
const EMOJI_AWARE = new RegExp(`(${RGI_TAG_FLAG.source})|[${HIDDEN_CLASS}]`, 'gu');
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
const EMOJI_BEFORE_ZWJ = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F]/u;
const EMOJI = /\p{Emoji}/u;

export interface RevealOptions {
  /**
   * Keep what emoji are made of: a zero-width joiner between two pictographs (👩‍💻), a variation selector 15/16 after
   * an emoji character (⚠️), and the three recommended tag-sequence flags. For prose (model answers, tool output),
   * never for names, titles or arguments, where every hidden character is shown.
   */
  emoji?: boolean;
}

/** The visible code for one code point: `⟦U+202E⟧`, `⟦U+E0041⟧`. */
export function codeMarker(codePoint: number): string {
  return `⟦U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}⟧`;
}

/** Replaces every hidden character with its visible code (see HIDDEN); with `emoji`, emoji sequences stay intact. */
export function revealInvisible(text: string, options: RevealOptions = {}): string {
  if (!HIDDEN_ONE.test(text)) return text;
  if (!options.emoji) return text.replace(HIDDEN, (ch) => codeMarker(ch.codePointAt(0) ?? 0));
  return text.replace(EMOJI_AWARE, (match: string, flag: string | undefined, offset: number) => {
    if (flag !== undefined) return match;
    return partOfEmoji(match, text, offset) ? match : codeMarker(match.codePointAt(0) ?? 0);
  });
}

/** True when the text holds a character `revealInvisible` would show as a code. */
export function hasInvisible(text: string): boolean {
  return HIDDEN_ONE.test(text);
}

function partOfEmoji(ch: string, text: string, offset: number): boolean {
  const before = codePointBefore(text, offset);
  if (ch === '\u200D') {
    const after = text.codePointAt(offset + ch.length);
    return (
      before !== undefined &&
      after !== undefined &&
      EMOJI_BEFORE_ZWJ.test(String.fromCodePoint(before)) &&
      PICTOGRAPH.test(String.fromCodePoint(after))
    );
  }
  if (ch === '\uFE0F' || ch === '\uFE0E') return before !== undefined && EMOJI.test(String.fromCodePoint(before));
  return false;
}

function codePointBefore(text: string, offset: number): number | undefined {
  if (offset === 0) return undefined;
  const low = text.charCodeAt(offset - 1);
  if (low >= 0xdc00 && low <= 0xdfff && offset >= 2) {
    const high = text.charCodeAt(offset - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.codePointAt(offset - 2);
  }
  return low;
}
