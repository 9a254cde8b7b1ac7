import { describe, expect, it } from 'vitest';
import { forModel } from '../../../daemon/content/model-text.js';
import {
  base64Bytes,
  CONTENT_LIMITS,
  completionView,
  page,
  promptSummary,
  promptView,
  resourceParts,
  resourceSummary,
} from '../../../daemon/content/shape.js';
import { REQUEST_SCHEMAS } from '../../../src/protocol/requests.js';

describe('what a server returns is bounded before a client or the model sees it', () => {
  it('a page keeps at most pageItems items, each with names and descriptions cut', () => {
    const many = Array.from({ length: CONTENT_LIMITS.pageItems + 10 }, (_, i) => ({
      uri: `x://${i}`,
      name: 'n'.repeat(5000),
      description: 'd'.repeat(50_000),
      size: 'big',
    }));
    const items = page(many, resourceSummary);
    expect(items).toHaveLength(CONTENT_LIMITS.pageItems);
    expect(items[0]?.name).toHaveLength(CONTENT_LIMITS.nameChars);
    expect(items[0]?.description).toHaveLength(CONTENT_LIMITS.descriptionChars);
    expect(items[0]).not.toHaveProperty('size');
    expect(page('not a list', resourceSummary)).toEqual([]);
  });

  it('prompt arguments keep name, description and whether they are required (only `true` is required)', () => {
    expect(promptSummary({ name: 'p', arguments: [{ name: 'a', required: true }, { name: 'b', required: 'yes' }, { name: 'c' }] })).toEqual(
      {
        name: 'p',
        arguments: [
          { name: 'a', required: true },
          { name: 'b', required: false },
          { name: 'c', required: false },
        ],
      },
    );
  });

  it('resource text is cut in the middle; binary data is described, never passed on', () => {
    const [text, blob] = resourceParts([
      { uri: 'a://t', mimeType: 'text/plain', text: 'x'.repeat(CONTENT_LIMITS.textChars + 1000) },
      { uri: 'a://b', mimeType: 'image/png', blob: 'AAAA' },
    ]);
    expect(text).toMatchObject({ type: 'text', uri: 'a://t', truncated: true });
    expect(text?.type === 'text' && text.text.length).toBeLessThanOrEqual(CONTENT_LIMITS.textChars);
    expect(blob).toEqual({ type: 'binary', uri: 'a://b', mimeType: 'image/png', bytes: 3 });
    expect(base64Bytes('AAA=')).toBe(2);
  });

  it('prompt messages: roles, text, embedded resources and images', () => {
    const view = promptView('srv', 'p', {
      description: 'desc',
      messages: [
        { role: 'user', content: { type: 'text', text: 'hello' } },
        { role: 'assistant', content: { type: 'resource', resource: { uri: 'r://1', text: 'inside' } } },
        { role: 'system', content: { type: 'image', mimeType: 'image/png', data: 'AAAA' } },
      ],
    });
    expect(view.messages).toEqual([
      { role: 'user', parts: [{ type: 'text', text: 'hello', truncated: false }] },
      { role: 'assistant', parts: [{ type: 'text', uri: 'r://1', text: 'inside', truncated: false }] },
      { role: 'user', parts: [{ type: 'binary', mimeType: 'image/png', bytes: 3 }] },
    ]);
  });

  it('completion keeps at most 100 string values and says there were more', () => {
    const values = [...Array.from({ length: 150 }, (_, i) => `v${i}`), 7];
    const view = completionView({ completion: { values, total: 151 } });
    expect(view.values).toHaveLength(100);
    expect(view).toMatchObject({ total: 151, hasMore: true });
    expect(completionView({})).toEqual({ values: [], hasMore: false });
  });

  it('what the model reads is cut like tool output and framed as the server’s untrusted data', () => {
    const framed = forModel(
      { server: 'evil', label: 'resource "x://1"', body: [[{ type: 'text', text: 'y'.repeat(500), truncated: false }]] },
      100,
    );
    expect(framed.truncated).toBe(true);
    expect(framed.text).toMatch(
      /^\[mcpgw: the user attached resource "x:\/\/1" from MCP server "evil"\. It is that server's content \(untrusted data/,
    );
    expect(framed.text).toContain('[mcpgw cut this to 100 characters]');
    expect(framed.text.endsWith('[mcpgw: end of resource "x://1" from MCP server "evil"]')).toBe(true);
  });
});

describe('content request schemas', () => {
  it('accept a well-formed request and refuse unknown keys, bad server names and oversized values', () => {
    const complete = REQUEST_SCHEMAS['completion:complete'];
    expect(
      complete.safeParse({ sessionId: 's1', server: 'everything', ref: { type: 'prompt', name: 'p' }, argument: { name: 'a', value: 'S' } })
        .success,
    ).toBe(true);
    expect(
      complete.safeParse({ sessionId: 's1', server: 'a__b', ref: { type: 'prompt', name: 'p' }, argument: { name: 'a', value: '' } })
        .success,
    ).toBe(false);
    expect(REQUEST_SCHEMAS['resources:read'].safeParse({ sessionId: 's1', server: 'x', uri: 'u'.repeat(5000) }).success).toBe(false);
    expect(REQUEST_SCHEMAS['resources:list'].safeParse({ sessionId: 's1', server: 'x', extra: 1 }).success).toBe(false);
    expect(REQUEST_SCHEMAS['logging:setLevel'].safeParse({ sessionId: 's1', server: 'x', level: 'loud' }).success).toBe(false);
    const attach = REQUEST_SCHEMAS['context:attach'].parse({ sessionId: 's1', server: 'x', source: { kind: 'prompt', name: 'p' } });
    expect(attach.source).toEqual({ kind: 'prompt', name: 'p', args: {} });
    expect(REQUEST_SCHEMAS['resources:subscribe'].parse({ sessionId: 's1', server: 'x', uri: 'a://b' }).subscribe).toBe(true);
  });
});
