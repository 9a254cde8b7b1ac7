import { describe, expect, it } from 'vitest';
import type { ResultItem } from '../../../src/protocol/rich.js';
import { applyEvents, createSessionView, findAttachment, type ToolCallItem } from '../../../src/view/index.js';
import { PNG } from '../tools/media-fixtures.js';
import { EventLog } from './events.js';

const result = (callId: string, tool: string, items: ResultItem[], extra: { structured?: string; moreItems?: number } = {}) => ({
  callId,
  server: 'everything',
  tool,
  ok: true,
  summary: 'here',
  durationMs: 5,
  items,
  ...extra,
});
const image: ResultItem = { type: 'image', mimeType: 'image/png', bytes: 48, data: PNG, sentToModel: true };
const tooBig: ResultItem = { type: 'image', mimeType: 'image/png', bytes: 900_000, sentToModel: true, note: 'too large' };
const held: ResultItem = { type: 'image', mimeType: 'image/png', bytes: 90_000, sentToModel: true, held: true };
const resource: ResultItem = { type: 'resource', uri: 'demo://a', mimeType: 'text/plain', bytes: 5, text: 'hello' };
const link: ResultItem = { type: 'resource_link', uri: 'demo://b', name: 'b.txt' };

describe('rich results in the view', () => {
  it('keeps a result’s items and structured content, numbering what can be opened across the session', () => {
    const log = new EventLog();
    log.add('tool:started', { callId: 'c1', server: 'everything', tool: 'get-tiny-image', args: {}, origin: 'user' });
    log.add('tool:result', result('c1', 'get-tiny-image', [image, tooBig, link], { structured: '{"t":1}', moreItems: 2 }));
    log.add('tool:started', { callId: 'c2', server: 'everything', tool: 'get-resource-reference', args: {}, origin: 'user' });
    log.add('tool:result', result('c2', 'get-resource-reference', [resource, image, held]));
    const view = applyEvents(createSessionView('s_test'), log.events);
    const calls = view.items.filter((i): i is ToolCallItem => i.kind === 'tool');
    expect(calls[0]!.result).toMatchObject({
      structured: '{"t":1}',
      moreItems: 2,
      items: [{ ...image, n: 1 }, tooBig, link],
    });
    expect(calls[1]!.result?.items).toEqual([
      { ...resource, n: 2 },
      { ...image, n: 3 },
      { ...held, n: 4 },
    ]);
    expect(findAttachment(view, 2)).toEqual({
      n: 2,
      index: 0,
      callId: 'c2',
      server: 'everything',
      tool: 'get-resource-reference',
      kind: 'text',
      item: { ...resource, n: 2 },
    });
    expect(findAttachment(view, 3)).toMatchObject({ kind: 'media', callId: 'c2', item: { data: PNG } });
    // Bytes mcpd holds (too large for the event) are numbered too: /open asks mcpd for them.
    expect(findAttachment(view, 4)).toMatchObject({ kind: 'media', index: 2, item: { held: true } });
    expect(findAttachment(view, 5)).toBeUndefined();
    // A replay of the same log numbers them the same way.
    expect(applyEvents(createSessionView('s_test'), log.events)).toEqual(view);
  });

  it('a result without items stays as it was', () => {
    const log = new EventLog();
    log.add('tool:result', { callId: 'c1', server: 's', tool: 't', ok: true, summary: 'x', durationMs: 1 });
    const call = applyEvents(createSessionView('s_test'), log.events).items[0] as ToolCallItem;
    expect(call.result).toEqual({ ok: true, summary: 'x', durationMs: 1, at: expect.any(Number) });
  });
});
