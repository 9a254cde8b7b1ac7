// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { ToolResultView } from '../../../src/view/index.js';
import ResultItems from '../../../web/src/components/ResultItems.vue';
import { mediaUrl } from '../../../web/src/lib/media.js';
import { HTML, PNG, SVG, WAV } from '../tools/media-fixtures.js';

const result = (over: Partial<ToolResultView>): ToolResultView => ({ ok: true, summary: '', durationMs: 1, at: 0, ...over });

describe('the web shows the media, resources and links of a result', () => {
  it('builds a data: URL only from bytes it checked again itself', () => {
    expect(mediaUrl({ type: 'image', mimeType: 'image/png', bytes: 48, data: PNG, sentToModel: true })).toBe(
      `data:image/png;base64,${PNG}`,
    );
    // An event that claims PNG but carries HTML, an SVG, or audio passed off as an image: no URL.
    expect(mediaUrl({ type: 'image', mimeType: 'image/png', bytes: 38, data: HTML, sentToModel: false })).toBeUndefined();
    expect(mediaUrl({ type: 'image', mimeType: 'image/svg+xml', bytes: 48, data: SVG, sentToModel: false })).toBeUndefined();
    expect(mediaUrl({ type: 'image', mimeType: 'audio/wav', bytes: 56, data: WAV, sentToModel: true })).toBeUndefined();
    expect(mediaUrl({ type: 'audio', mimeType: 'audio/wav', bytes: 56, data: WAV, sentToModel: true })).toBe(
      `data:audio/wav;base64,${WAV}`,
    );
  });

  it('renders an image, a lying image as its note only, an embedded resource’s text, a link and structured content', () => {
    const view = mount(ResultItems, {
      props: {
        callId: 'c1',
        result: result({
          items: [
            { type: 'image', mimeType: 'image/png', bytes: 48, data: PNG, sentToModel: true, n: 1 },
            { type: 'image', mimeType: 'image/png', bytes: 38, sentToModel: false, note: 'its bytes are not image/png' },
            { type: 'resource', uri: 'demo://a\u202E', mimeType: 'text/plain', bytes: 5, text: 'hello', n: 2 },
            { type: 'resource_link', uri: 'javascript:alert(1)', name: 'b.txt', size: 2048 },
          ],
          moreItems: 3,
          structured: '{"t": 1}',
        }),
      },
    });
    const images = view.findAll('[data-testid=result-image]');
    expect(images.map((img) => img.attributes('src'))).toEqual([`data:image/png;base64,${PNG}`]);
    expect(view.findAll('[data-testid=result-media]')[1]!.text()).toContain('its bytes are not image/png');
    expect(view.get('[data-testid=result-resource]').text()).toContain('demo://a⟦U+202E⟧');
    expect(view.get('[data-testid=result-resource] pre').text()).toBe('hello');
    const link = view.get('[data-testid=result-link]');
    expect(link.text()).toContain('javascript:alert(1)');
    expect(link.text()).toContain('2.0 KiB');
    // A URI is shown, never made a link.
    expect(view.findAll('a')).toHaveLength(0);
    expect(view.text()).toContain('and 3 more items');
    expect(view.get('[data-testid=result-structured] pre').text()).toBe('{"t": 1}');
  });
});
