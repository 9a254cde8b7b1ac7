import { describe, expect, it } from 'vitest';
import { canonicalMediaType, checkMedia, modelMediaType } from '../../../src/tools/media.js';
import { GIF, HTML, JPEG, MP3, PNG, SVG, WAV, WEBP } from './media-fixtures.js';

describe('media a server returns: type, magic and size checked before anyone sees them', () => {
  it('accepts each allowed type whose bytes start with its magic', () => {
    for (const [type, data] of [
      ['image/png', PNG],
      ['image/jpeg', JPEG],
      ['image/gif', GIF],
      ['image/webp', WEBP],
      ['audio/wav', WAV],
      ['audio/mpeg', MP3],
    ] as const) {
      expect(checkMedia(type, data, 1024), type).toEqual({ ok: true, mimeType: type, bytes: Buffer.from(data, 'base64').length });
    }
  });

  it('maps aliases and parameters to one name, and says which Gemini takes', () => {
    expect(canonicalMediaType('IMAGE/JPG')).toBe('image/jpeg');
    expect(canonicalMediaType('audio/x-wav; codecs=1')).toBe('audio/wav');
    expect(checkMedia('audio/mp3', MP3, 1024)).toMatchObject({ ok: true, mimeType: 'audio/mpeg' });
    expect(modelMediaType('audio/mpeg')).toBe('audio/mp3');
    expect(modelMediaType('image/gif')).toBeUndefined();
  });

  it('refuses SVG and any type it does not know, whatever the bytes', () => {
    expect(checkMedia('image/svg+xml', SVG, 1024)).toEqual({
      ok: false,
      reason: 'type "image/svg+xml" is not one mcpgw accepts',
      bytes: expect.any(Number),
    });
    expect(checkMedia('text/html', HTML, 1024)).toMatchObject({ ok: false });
    expect(checkMedia(undefined, PNG, 1024)).toMatchObject({ ok: false, reason: 'type "undefined" is not one mcpgw accepts' });
    expect(canonicalMediaType('constructor')).toBeUndefined();
  });

  it('refuses bytes that are not what the server declared', () => {
    expect(checkMedia('image/png', HTML, 1024)).toMatchObject({ ok: false, reason: 'its bytes are not image/png' });
    expect(checkMedia('image/png', JPEG, 1024)).toMatchObject({ ok: false, reason: 'its bytes are not image/png' });
    expect(checkMedia('image/webp', WAV, 1024)).toMatchObject({ ok: false, reason: 'its bytes are not image/webp' });
  });

  it('refuses data that is not strict base64, and data over the cap', () => {
    expect(checkMedia('image/png', `${PNG.slice(0, 8)} ${PNG.slice(8)}`, 1024)).toMatchObject({
      ok: false,
      reason: 'its data is not valid base64',
    });
    expect(checkMedia('image/png', `${PNG}=`, 1024)).toMatchObject({ ok: false, reason: 'its data is not valid base64' });
    expect(checkMedia('image/png', 42, 1024)).toEqual({ ok: false, reason: 'it carries no data', bytes: 0 });
    expect(checkMedia('image/png', PNG, 16)).toEqual({ ok: false, reason: '48 B is over the 16 B cap', bytes: 48 });
  });
});
