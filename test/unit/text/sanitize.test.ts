import { describe, expect, it } from 'vitest';
import { neutralizeControls, safeLine, safeProse, safeText } from '../../../src/text/sanitize.js';

const ESC = '\x1b';
const BEL = '\x07';
const ST = `${ESC}\\`;

// No code point a terminal treats as a control may survive: C0 (but newline and tab where allowed), DEL, C1.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

describe('neutralizeControls', () => {
  it('pictures every C0 control, DEL and C1 control, one printable character (or code) each', () => {
    for (let code = 0; code <= 0x9f; code++) {
      if (code >= 0x20 && code < 0x7f) continue;
      const out = neutralizeControls(`a${String.fromCharCode(code)}b`, { multiline: true });
      if (code === 0x0a || code === 0x09) expect(out).toBe(`a${String.fromCharCode(code)}b`);
      else expect(out, `U+${code.toString(16)}`).not.toMatch(CONTROL);
    }
    expect(neutralizeControls(`${ESC}${BEL}\x00\x7f`)).toBe('␛␇␀␡');
    expect(neutralizeControls('\u009b2J\u009d0;x\u009c')).toBe('⟦U+009B⟧2J⟦U+009D⟧0;x⟦U+009C⟧');
  });

  it('shows whole sequences inert, whatever ends them: CSI, SGR, OSC 52 and OSC 8 with BEL or ST, DCS, APC, PM, SOS', () => {
    expect(neutralizeControls(`${ESC}[2J${ESC}[H${ESC}[31mred${ESC}[0m`)).toBe('␛[2J␛[H␛[31mred␛[0m');
    expect(neutralizeControls(`${ESC}]52;c;aGk=${BEL}`)).toBe('␛]52;c;aGk=␇');
    expect(neutralizeControls(`${ESC}]8;;https://x.test${ST}link${ESC}]8;;${ST}`)).toBe('␛]8;;https://x.test␛\\link␛]8;;␛\\');
    expect(neutralizeControls(`${ESC}P1$r${ST}${ESC}_apc${ST}${ESC}^pm${ST}${ESC}Xsos${ST}`)).toBe('␛P1$r␛\\␛_apc␛\\␛^pm␛\\␛Xsos␛\\');
  });

  it('keeps the text of an unterminated sequence visible to the end, and nested ESC stays inert', () => {
    expect(neutralizeControls(`before ${ESC}]0;title and the rest`)).toBe('before ␛]0;title and the rest');
    expect(neutralizeControls(`${ESC}${ESC}[${ESC}]52;${ESC}[2J`)).toBe('␛␛[␛]52;␛[2J');
  });

  it('keeps newlines and tabs in multi-line text (CR LF becomes LF, a lone CR is shown)', () => {
    expect(neutralizeControls('a\r\nb\tc\rd', { multiline: true })).toBe('a\nb\tc␍d');
  });

  it('shows newlines and tabs as ⏎ and ⇥ in single-line text', () => {
    expect(neutralizeControls('innocent\nserver claims: read-only')).toBe('innocent⏎server claims: read-only');
    expect(neutralizeControls('a\r\nb\tc')).toBe('a⏎b⇥c');
  });

  it('returns plain text as it is', () => {
    const text = 'plain text, ünïcödé, 日本語, emoji 👩‍💻';
    expect(neutralizeControls(text, { multiline: true })).toBe(text);
  });
});

describe('safeText', () => {
  it('pictures controls and reveals hidden characters together', () => {
    expect(safeLine(`read\u202Efdp.exe${ESC}[8m\n`)).toBe('read⟦U+202E⟧fdp.exe␛[8m⏎');
  });

  it('is idempotent', () => {
    const hostile = `x${ESC}]52;c;aGk=${BEL}\u009b2J\u202E\u200B\u{E0041}\n👩‍💻`;
    for (const options of [{}, { multiline: true }, { multiline: true, emoji: true }]) {
      const once = safeText(hostile, options);
      expect(safeText(once, options)).toBe(once);
    }
  });

  it('is the same streamed in chunks as in one piece (no state between calls)', () => {
    const hostile = `ab${ESC}]52;c;aGk=${BEL}cd\u009b2J\u202Eef`;
    const chunks = [hostile.slice(0, 3), hostile.slice(3, 9), hostile.slice(9)];
    expect(chunks.map(safeProse).join('')).toBe(safeProse(hostile));
  });

  it('prose keeps emoji whole and still reveals what hides', () => {
    expect(safeProse('done ✅ ⚠️ 👩‍💻\nnext')).toBe('done ✅ ⚠️ 👩‍💻\nnext');
    expect(safeProse('pass\u200Bword \u202Eevil')).toBe('pass⟦U+200B⟧word ⟦U+202E⟧evil');
  });
});
