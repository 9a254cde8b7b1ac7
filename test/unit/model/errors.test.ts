import { describe, expect, it } from 'vitest';
import { ApiError } from '@google/genai';
import { classifyFailure, parseDuration } from '../../../daemon/agent/model/index.js';

/** An ApiError as @google/genai builds it: the whole error body, JSON-encoded, as the message. */
function apiError(status: number, error: Record<string, unknown>, prefix = ''): ApiError {
  return new ApiError({ status, message: `${prefix}${JSON.stringify({ error })}` });
}

describe('parseDuration', () => {
  it.each([
    ['2s', 2000],
    ['0.5s', 500],
    ['51820.638305887s', 51_820_639],
    [' 3s ', 3000],
  ])('reads %j', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each([['2'], ['2m'], [''], [2], [undefined]])('rejects %j', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });
});

describe('classifyFailure', () => {
  it('reads Google’s message, status and RetryInfo out of an HTTP ApiError', () => {
    const err = apiError(429, {
      code: 429,
      message: 'You exceeded your current quota.\nPlease retry in 21.1s.',
      status: 'RESOURCE_EXHAUSTED',
      details: [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '21.1s' },
      ],
    });

    expect(classifyFailure(err)).toEqual({
      kind: 'rate_limited',
      retryable: true,
      detail: 'You exceeded your current quota. Please retry in 21.1s.',
      httpStatus: 429,
      status: 'RESOURCE_EXHAUSTED',
      retryDelayMs: 21_100,
    });
  });

  it('reads an error event from a stream ("got status: …" prefix)', () => {
    const err = apiError(503, { code: 503, message: 'overloaded', status: 'UNAVAILABLE' }, 'got status: UNAVAILABLE. ');

    expect(classifyFailure(err)).toMatchObject({ kind: 'server', retryable: true, detail: 'overloaded', httpStatus: 503 });
  });

  it.each([
    [400, 'bad_request', false],
    [401, 'auth', false],
    [403, 'auth', false],
    [404, 'bad_request', false],
    [408, 'server', true],
    [429, 'rate_limited', true],
    [500, 'server', true],
    [501, 'server', false],
    [502, 'server', true],
    [503, 'server', true],
    [504, 'server', true],
  ])('maps HTTP %i to %s (retryable: %s)', (status, kind, retryable) => {
    expect(classifyFailure(apiError(status, { code: status, message: 'x' }))).toMatchObject({ kind, retryable });
  });

  it('keeps a non-JSON error body (a proxy page) to one short line', () => {
    const html = `<html>\n<body>${'Bad gateway '.repeat(100)}</body></html>`;
    const failure = classifyFailure(new ApiError({ status: 502, message: JSON.stringify({ error: { message: html } }) }));

    expect(failure.detail).not.toContain('\n');
    expect(failure.detail.length).toBeLessThanOrEqual(300);
  });

  it('finds the socket error fetch wraps in its cause', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const err = new TypeError('fetch failed', { cause });

    expect(classifyFailure(err)).toEqual({
      kind: 'network',
      retryable: true,
      detail: 'connect ECONNREFUSED 127.0.0.1:9',
      code: 'ECONNREFUSED',
      midResponse: false,
    });
  });

  it('treats a truncated SSE stream as a network failure mid-response', () => {
    expect(classifyFailure(new Error('Incomplete JSON segment at the end'))).toMatchObject({
      kind: 'network',
      midResponse: true,
    });
  });

  it('does not retry errors the SDK raises before sending anything', () => {
    expect(classifyFailure(new Error('contents are required'))).toEqual({
      kind: 'bad_request',
      retryable: false,
      detail: 'contents are required',
    });
  });
});
