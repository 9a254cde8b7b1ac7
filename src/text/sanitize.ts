/**
 * Text from an MCP server or the model, made safe to put on a terminal (and readable in a browser).
 *
 * A terminal obeys control characters: ESC starts a sequence that can move the cursor, clear the screen, recolour
 * or hide text (CSI, SGR), write the clipboard (OSC 52), make links (OSC 8) or set the window title; DCS, APC, PM
 * and SOS carry payloads to the terminal; BEL rings; CR overwrites a line; C1 code points (U+0080–U+009F, e.g.
 * U+009B, the one-character CSI) do the same as their ESC forms on terminals that accept them.
 *
 * Every such character is replaced by a printable picture of itself, so no sequence can start, however it is
 * terminated (BEL, ST, 8-bit ST) or left unterminated, and nothing is removed: a person sees every character the
 * model sees. `ESC ] 52 ; c ; aGk= BEL` is shown as `␛]52;c;aGk=␇`. This is deliberately not a sequence parser
 * that strips what it recognises (as `strip-ansi` / `util.stripVTControlCharacters` do): those cover the common
 * CSI/OSC shapes only, leave BEL and most C1 characters, and a stripper that parses differently from the terminal,
 * or drops an unterminated sequence "to the end", hides text from the person.
 *
 * Pictures: C0 controls U+0000–U+001F become the Control Pictures U+2400–U+241F (␛ ␇ ␍ …), DEL becomes ␡, C1
 * controls become `⟦U+009B⟧` (they have no picture; the code form matches `revealInvisible`). Newline and tab are
 * kept in multi-line text; CR LF becomes LF. In single-line text (names, titles, table cells, headers) newline is
 * `⏎` and tab `⇥`, so nothing can start a line of its own.
 */
import { codeMarker, revealInvisible } from './reveal.js';

// Matching control characters is the point here.
// eslint-disable-next-line no-control-regex
const CONTROLS = /\r\n|[\u0000-\u001F\u007F-\u009F]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/** Shown instead of a newline in single-line text. */
const NEWLINE_MARK = '⏎';
/** Shown instead of a tab in single-line text. */
const TAB_MARK = '⇥';

export interface SanitizeOptions {
  /** Keep newlines and tabs (CR LF becomes LF); otherwise they are shown as ⏎ and ⇥. */
  multiline?: boolean;
}

/** Replaces every C0 control, DEL and C1 control with a printable picture (see the module comment). */
export function neutralizeControls(text: string, options: SanitizeOptions = {}): string {
  if (!HAS_CONTROL.test(text)) return text;
  const multiline = options.multiline ?? false;
  return text.replace(CONTROLS, (ch) => {
    if (ch === '\r\n') return multiline ? '\n' : NEWLINE_MARK;
    if (ch === '\n') return multiline ? '\n' : NEWLINE_MARK;
    if (ch === '\t') return multiline ? '\t' : TAB_MARK;
    const code = ch.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return codeMarker(code);
  });
}

export interface SafeTextOptions extends SanitizeOptions {
  /** Keep emoji sequences (see `revealInvisible`): for prose, never for names, titles or arguments. */
  emoji?: boolean;
}

/**
 * Untrusted text made inert for a terminal: controls pictured, hidden characters revealed. Idempotent, and safe on
 * streamed chunks (every character is handled on its own).
 */
export function safeText(text: string, options: SafeTextOptions = {}): string {
  return revealInvisible(neutralizeControls(text, options), options);
}

/** `safeText` for one line that must stay one line, every hidden character shown: tool names, titles, keys, cells. */
export function safeLine(text: string): string {
  return safeText(text);
}

/** `safeText` for prose that may span lines and hold emoji: model answers, tool results, console lines, notices. */
export function safeProse(text: string): string {
  return safeText(text, { multiline: true, emoji: true });
}
