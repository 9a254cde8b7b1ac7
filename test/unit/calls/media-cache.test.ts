import { describe, expect, it } from 'vitest';
import { holdUncarried, MediaCache } from '../../../daemon/calls/media-cache.js';
import { DEFAULT_RICH_LIMITS, richResult } from '../../../src/tools/rich-result.js';
import { PNG } from '../tools/media-fixtures.js';

const png = { mimeType: 'image/png', data: PNG };

describe('the media mcpd holds for clients', () => {
  it('holds items by session, call and index, and lets the oldest go past its cap', () => {
    const cache = new MediaCache(PNG.length * 2);
    expect(cache.put('s1', 'c1', 0, png)).toBe(true);
    expect(cache.put('s1', 'c1', 1, png)).toBe(true);
    expect(cache.get('s1', 'c1', 1)).toEqual(png);
    expect(cache.get('s2', 'c1', 1)).toBeUndefined();
    expect(cache.put('s1', 'c2', 0, png)).toBe(true);
    expect(cache.get('s1', 'c1', 0)).toBeUndefined();
    expect(cache.get('s1', 'c2', 0)).toEqual(png);
    // One item over the whole cap is refused, and evicts nothing.
    expect(cache.put('s1', 'c3', 0, { mimeType: 'image/png', data: PNG.repeat(3) })).toBe(false);
    expect(cache.get('s1', 'c1', 1)).toEqual(png);
  });

  it('marks the media too large for the event as held when the cache takes them', () => {
    const rich = richResult(
      {
        content: [
          { type: 'image', mimeType: 'image/png', data: PNG },
          { type: 'image', mimeType: 'image/png', data: PNG },
        ],
      },
      { ...DEFAULT_RICH_LIMITS, eventDataChars: PNG.length },
    );
    expect(rich.uncarried).toEqual([{ item: 1, mimeType: 'image/png', data: PNG }]);
    const cache = new MediaCache();
    expect(holdUncarried(rich, cache, 's1', 'c1')).toEqual([
      { type: 'image', mimeType: 'image/png', bytes: 48, data: PNG, sentToModel: true },
      { type: 'image', mimeType: 'image/png', bytes: 48, sentToModel: true, held: true },
    ]);
    expect(cache.get('s1', 'c1', 1)).toEqual(png);
    // Without a cache (or when it refuses), the item keeps its note.
    expect(holdUncarried(rich, undefined, 's1', 'c1')[1]).toMatchObject({ note: expect.stringMatching(/^too large to carry/) });
    expect(holdUncarried(rich, new MediaCache(1), 's1', 'c1')[1]).not.toHaveProperty('held');
  });
});
