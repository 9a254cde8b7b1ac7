import { describe, expect, it } from 'vitest';
import { fitPayload } from '../../../daemon/store/event-fit.js';

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('fitPayload', () => {
  it('returns a payload that fits as it is', () => {
    const payload = { callId: 'c1', text: 'short' };
    expect(fitPayload(payload, 1024)).toBe(payload);
  });

  it('cuts the longest strings in the middle first and keeps every field', () => {
    const payload = { callId: 'c1', server: 'srv', text: `${'a'.repeat(50_000)}${'z'.repeat(50_000)}`, note: 'b'.repeat(2_000) };
    const fitted = fitPayload(payload, 16 * 1024);
    expect(bytes(fitted)).toBeLessThanOrEqual(16 * 1024);
    expect(fitted.callId).toBe('c1');
    expect(fitted.server).toBe('srv');
    expect(fitted.note).toBe(payload.note);
    expect(fitted.text).toMatch(/^a+\n\[… \d+ characters omitted by mcpgw …\]\nz+$/);
  });

  it('cuts nested strings (tool arguments) and multi-byte text to the byte cap', () => {
    const payload = { args: { path: '/tmp/x', content: '€'.repeat(40_000), lines: ['ü'.repeat(30_000), 'ok'] } };
    const fitted = fitPayload(payload, 8 * 1024);
    expect(bytes(fitted)).toBeLessThanOrEqual(8 * 1024);
    expect(fitted.args.path).toBe('/tmp/x');
    expect(fitted.args.lines[1]).toBe('ok');
    expect(fitted.args.content).toContain('characters omitted by mcpgw');
  });

  it('replaces an object of very many small fields by a note when cutting strings is not enough', () => {
    const args = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]));
    const fitted = fitPayload({ tool: 'write', args }, 4 * 1024);
    expect(bytes(fitted)).toBeLessThanOrEqual(4 * 1024);
    expect(fitted.tool).toBe('write');
    expect(fitted.args).toEqual({ '[mcpgw]': expect.stringMatching(/^\[mcpgw\] fields \(\d+\.\d KiB\) cut to keep the event small$/) });
  });
});
