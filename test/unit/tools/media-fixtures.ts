/** Small media payloads for tests: the right magic, then filler. */
export const b64 = (...chunks: Array<number[] | string>): string =>
  btoa(chunks.map((c) => (typeof c === 'string' ? c : String.fromCharCode(...c))).join(''));
const pad = new Array<number>(40).fill(7);
export const PNG = b64([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], pad);
export const JPEG = b64([0xff, 0xd8, 0xff, 0xe0], pad);
export const GIF = b64('GIF89a', pad);
export const WEBP = b64('RIFF\x10\x00\x00\x00WEBPVP8 ', pad);
export const WAV = b64('RIFF\x10\x00\x00\x00WAVEfmt ', pad);
export const MP3 = b64('ID3\x04', pad);
export const HTML = b64('<html><script>alert(1)</script></html>');
export const SVG = b64('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
