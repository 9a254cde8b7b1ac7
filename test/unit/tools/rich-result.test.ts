import { describe, expect, it } from 'vitest';
import { mediaParts } from '../../../daemon/agent/history.js';
import { replyFor } from '../../../daemon/calls/reply.js';
import type { TerminalState } from '../../../daemon/calls/state.js';
import { renderToolResult } from '../../../src/text/tool-result.js';
import { DEFAULT_RICH_LIMITS, richResult, withoutRedundantText, type RichLimits } from '../../../src/tools/rich-result.js';
import { GIF, HTML, PNG, WAV } from './media-fixtures.js';

const image = (data: string, mimeType = 'image/png') => ({ type: 'image' as const, data, mimeType });
const limits = (over: Partial<RichLimits>): RichLimits => ({ ...DEFAULT_RICH_LIMITS, ...over });
const succeeded = (result: Extract<TerminalState, { status: 'succeeded' }>['result']): TerminalState => ({
  status: 'succeeded',
  decision: { decision: 'approve', scope: 'once', by: { kind: 'user', name: 'alice' } },
  result,
  text: renderToolResult(result),
  durationMs: 1,
});

describe('a tool result split into inline data for the model and items for people', () => {
  it('gives the model each checked image and clip, with a note in place of each in the text', () => {
    const result = { content: [{ type: 'text', text: 'here' }, image(PNG), { type: 'audio', data: WAV, mimeType: 'audio/x-wav' }] };
    const rich = richResult(result);
    expect(rich.media).toEqual([
      { kind: 'image', mimeType: 'image/png', data: PNG, bytes: 48, label: 'image 1 (image/png, 48 B)' },
      { kind: 'audio', mimeType: 'audio/wav', data: WAV, bytes: 56, label: 'audio 2 (audio/wav, 56 B)' },
    ]);
    expect(renderToolResult(result, { mediaNotes: rich.mediaNotes })).toBe(
      [
        'here',
        '[image 1 (image/png, 48 B): attached after the function responses as inline data]',
        '[audio 2 (audio/wav, 56 B): attached after the function responses as inline data]',
      ].join('\n'),
    );
    expect(rich.items).toEqual([
      { type: 'image', mimeType: 'image/png', bytes: 48, data: PNG, sentToModel: true },
      { type: 'audio', mimeType: 'audio/wav', bytes: 56, data: WAV, sentToModel: true },
    ]);
  });

  it('gives nobody bytes that lie about their type, and says why', () => {
    const rich = richResult({ content: [image(HTML), image(PNG, 'image/svg+xml')] });
    expect(rich.media).toEqual([]);
    expect(rich.mediaNotes).toEqual([
      '[image 1 (image/png, 38 B): not given to the model: its bytes are not image/png]',
      '[image 2 (image/svg+xml, 48 B): not given to the model: type "image/svg+xml" is not one mcpgw accepts]',
    ]);
    // No data reaches a client either: only what it was and why it is not shown.
    expect(rich.items).toEqual([
      { type: 'image', mimeType: 'image/png', bytes: 38, sentToModel: false, note: 'its bytes are not image/png' },
      { type: 'image', mimeType: 'image/svg+xml', bytes: 48, sentToModel: false, note: 'type "image/svg+xml" is not one mcpgw accepts' },
    ]);
  });

  it('shows a GIF to people but does not send it to Gemini, which does not take GIF', () => {
    const rich = richResult({ content: [image(GIF, 'image/gif')] });
    expect(rich.media).toEqual([]);
    expect(rich.items).toEqual([
      { type: 'image', mimeType: 'image/gif', bytes: 46, data: GIF, sentToModel: false, note: 'Gemini does not take image/gif' },
    ]);
  });

  it('caps one item, all the media of a result, and how many go to the model', () => {
    expect(richResult({ content: [image(PNG)] }, limits({ itemBytes: 40 })).mediaNotes).toEqual([
      '[image 1 (image/png, 48 B): not given to the model: 48 B is over the 40 B cap]',
    ]);
    const three = { content: [image(PNG), image(PNG), image(PNG)] };
    const byBytes = richResult(three, limits({ modelBytes: 100 }));
    expect(byBytes.media).toHaveLength(2);
    expect(byBytes.mediaNotes[2]).toBe("[image 3 (image/png, 48 B): not given to the model: the result's media are over the 100 B cap]");
    const byCount = richResult(three, limits({ modelItems: 1 }));
    expect(byCount.media).toHaveLength(1);
    expect(byCount.mediaNotes[1]).toBe('[image 2 (image/png, 48 B): not given to the model: only 1 media items of one result are sent]');
  });

  it('carries media data to clients only within the event budget, and lists at most so many items', () => {
    const rich = richResult({ content: [image(PNG), image(PNG)] }, limits({ eventDataChars: PNG.length + 10 }));
    expect(rich.items.map((i) => 'data' in i && i.data !== undefined)).toEqual([true, false]);
    expect(rich.items[1]).toMatchObject({ sentToModel: true, note: expect.stringMatching(/^too large to carry to clients here/) });
    const many = richResult(
      { content: Array.from({ length: 5 }, (_, i) => ({ type: 'resource_link', uri: `file:///${i}`, name: `${i}` })) },
      limits({ eventItems: 3 }),
    );
    expect(many.items).toHaveLength(3);
    expect(many.moreItems).toBe(2);
  });

  it('lists embedded resources with their text (cut to the budget) and resource links with what they claim', () => {
    const rich = richResult(
      {
        content: [
          { type: 'resource', resource: { uri: 'demo://a', mimeType: 'text/plain', text: 'héllo world' } },
          { type: 'resource', resource: { uri: 'demo://b', mimeType: 'application/octet-stream', blob: PNG } },
          { type: 'resource_link', uri: 'demo://c', name: 'c.txt', description: 'x'.repeat(1000), size: 12, mimeType: 'text/plain' },
          { type: 'resource_link', uri: 'demo://d', name: 'd', size: -1 },
        ],
      },
      limits({ eventTextChars: 5 }),
    );
    expect(rich.items).toEqual([
      { type: 'resource', uri: 'demo://a', mimeType: 'text/plain', bytes: 12, text: 'héllo', truncated: true },
      { type: 'resource', uri: 'demo://b', mimeType: 'application/octet-stream', bytes: 48 },
      { type: 'resource_link', uri: 'demo://c', name: 'c.txt', description: 'x'.repeat(300), mimeType: 'text/plain', size: 12 },
      { type: 'resource_link', uri: 'demo://d', name: 'd' },
    ]);
  });

  it('keeps a worst-case result event under the 64 KiB event log entry, so its bytes are never cut to fit', () => {
    const long = (c: string) => c.repeat(5000);
    const big = 'iVBORw0KGgo' + 'A'.repeat(24 * 1024 - 11 - 1) + '=';
    const rich = richResult({
      content: [
        { type: 'image', mimeType: 'image/png', data: big.slice(0, 24 * 1024 - 4) + 'AAA=' },
        { type: 'resource', resource: { uri: long('u'), mimeType: long('m'), text: long('t') } },
        ...Array.from({ length: 20 }, () => ({
          type: 'resource_link',
          uri: long('u'),
          name: long('n'),
          title: long('t'),
          description: long('d'),
          mimeType: long('m'),
        })),
      ],
      structuredContent: { x: long('s') },
    });
    expect(rich.items[0]).toHaveProperty('data');
    const event = {
      callId: 'c'.repeat(200),
      server: 's'.repeat(64),
      tool: 't'.repeat(256),
      ok: true,
      summary: 'x'.repeat(2000),
      durationMs: 1,
      items: rich.items,
      moreItems: rich.moreItems,
      structured: rich.structured,
    };
    // The log's cap is 64 KiB including the envelope (type, session id, seq, ts): well under it.
    const bytes = new TextEncoder().encode(JSON.stringify(event)).length;
    expect(bytes).toBeLessThan(60 * 1024);
    expect(bytes).toBeGreaterThan(50 * 1024);
  });

  it('keeps the structured content as JSON for clients, cut to fit', () => {
    expect(richResult({ content: [], structuredContent: { t: 1 } }).structured).toBe('{\n  "t": 1\n}');
    expect(richResult({ structuredContent: { t: 'x'.repeat(50) } }, limits({ eventStructuredChars: 10 })).structured).toBe(
      '{\n  "t": "\n…',
    );
  });
});

describe('what the model is sent for a result with media or structured content', () => {
  it('the response names each attachment; the media follow as inline data parts, each labelled with its call', () => {
    const reply = replyFor(succeeded({ content: [{ type: 'text', text: 'logo:' }, image(PNG)] }), 1000);
    expect(reply).toEqual({
      output: 'logo:\n[image 1 (image/png, 48 B): attached after the function responses as inline data]',
      media: [expect.objectContaining({ mimeType: 'image/png', data: PNG })],
    });
    expect(mediaParts({ id: 'c1', name: 'everything__get-tiny-image' }, reply.media ?? [])).toEqual([
      { text: '[image 1 (image/png, 48 B) returned by the call c1 of everything__get-tiny-image]' },
      { inlineData: { mimeType: 'image/png', data: PNG } },
    ]);
  });

  it('keeps the notes mcpd added after the tool’s text', () => {
    const end = succeeded({ content: [image(PNG)] });
    const noted = { ...end, text: `${(end as { text: string }).text}\n[mcpgw: a network grant was asked]` } as TerminalState;
    expect(replyFor(noted, 1000)).toMatchObject({
      output: '[image 1 (image/png, 48 B): attached after the function responses as inline data]\n[mcpgw: a network grant was asked]',
    });
  });

  it('a tool error keeps its media too', () => {
    expect(replyFor(succeeded({ content: [image(PNG)], isError: true }), 1000)).toMatchObject({
      error: expect.any(String),
      media: [expect.anything()],
    });
  });

  it('structured content goes as JSON in the response; the text is not repeated as its fallback', () => {
    const weather = { temperature: 33, conditions: 'Cloudy' };
    expect(replyFor(succeeded({ content: [{ type: 'text', text: 'cloudy' }], structuredContent: weather }), 1000)).toEqual({
      output: 'cloudy',
      structuredContent: weather,
    });
    expect(replyFor(succeeded({ content: [], structuredContent: weather }), 1000)).toEqual({ output: '', structuredContent: weather });
    // Over the budget: left to the text, which carries it as JSON when there is no other content.
    expect(replyFor(succeeded({ content: [], structuredContent: { big: 'y'.repeat(200) } }), 100)).toEqual({
      output: expect.stringContaining('"big"'),
    });
  });
});

describe('text that only repeats the structured content', () => {
  it('is left out when the structured content goes to the model: its JSON, or one of its top-level strings', () => {
    const weather = { temperature: 33, conditions: 'Cloudy' };
    const result = {
      content: [
        { type: 'text' as const, text: JSON.stringify(weather, null, 2) },
        { type: 'text' as const, text: 'Cloudy' },
        { type: 'text' as const, text: 'a note only the text has' },
        { type: 'text' as const, text: '{"temperature": 34}' },
        image(PNG),
      ],
      structuredContent: weather,
    };
    expect(withoutRedundantText(result).content).toEqual([
      { type: 'text' as const, text: 'a note only the text has' },
      { type: 'text' as const, text: '{"temperature": 34}' },
      image(PNG),
    ]);
    expect(replyFor(succeeded(result), 1000)).toMatchObject({
      output:
        'a note only the text has\n{"temperature": 34}\n[image 1 (image/png, 48 B): attached after the function responses as inline data]',
      structuredContent: weather,
    });
    const plain = { content: [{ type: 'text' as const, text: 'x' }] };
    expect(withoutRedundantText(plain)).toBe(plain);
  });
});
