import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, GoogleGenAI } from '@google/genai';
import type { GenerateContentResponse } from '@google/genai';
import { startFakeGemini } from '../../fixtures/fake-gemini/index.js';
import type { FakeGemini } from '../../fixtures/fake-gemini/index.js';

// These tests drive the fake with the real SDK and no wrapper: passing proves the fake speaks the wire format
// @google/genai 2.x actually sends and parses (URL layout, x-goog-api-key, SSE framing, Google error bodies).

const MODEL = 'gemini-2.5-flash';
let fake: FakeGemini;

afterEach(async () => {
  await fake.close();
});

function sdk(apiKey = 'test-key'): GoogleGenAI {
  return new GoogleGenAI({ apiKey, vertexai: false, httpOptions: { baseUrl: fake.baseUrl } });
}

async function chunksOf(stream: AsyncGenerator<GenerateContentResponse>): Promise<GenerateContentResponse[]> {
  const out: GenerateContentResponse[] = [];
  for await (const chunk of stream) out.push(chunk);
  return out;
}

describe('fake Gemini against the real @google/genai client', () => {
  it('streams text as SSE chunks the SDK yields one by one', async () => {
    fake = await startFakeGemini({ script: [{ text: ['Hel', 'lo, ', 'world'] }] });
    const chunks = await chunksOf(await sdk().models.generateContentStream({ model: MODEL, contents: 'hi' }));

    expect(chunks.map((c) => c.text)).toEqual(['Hel', 'lo, ', 'world']);
    expect(chunks.map((c) => c.candidates?.[0]?.finishReason)).toEqual([undefined, undefined, 'STOP']);
    expect(chunks.at(-1)?.usageMetadata?.totalTokenCount).toBeGreaterThan(0);
    expect(chunks[0]?.modelVersion).toBe(MODEL);
    const [request] = await fake.waitForRequests(1);
    expect(request).toMatchObject({
      method: 'POST',
      path: `/v1beta/models/${MODEL}:streamGenerateContent`,
      query: { alt: 'sse' },
      model: MODEL,
      stream: true,
      apiKey: 'test-key',
    });
    expect(request?.headers['content-type']).toBe('application/json');
  });

  it('answers non-streaming generateContent with one joined response', async () => {
    fake = await startFakeGemini({ script: [{ text: ['Hel', 'lo'], thoughtSignature: 'sig-text' }] });
    const response = await sdk().models.generateContent({ model: MODEL, contents: 'hi' });

    expect(response.text).toBe('Hello');
    expect(response.candidates?.[0]?.content).toEqual({
      role: 'model',
      parts: [{ text: 'Hello', thoughtSignature: 'sig-text' }],
    });
    expect(fake.requests[0]).toMatchObject({ action: 'generateContent', stream: false, query: {} });
  });

  it('sends parallel function calls in one chunk, ids and the signature on the first call part', async () => {
    fake = await startFakeGemini({
      script: [
        {
          functionCalls: [
            { name: 'fs__read', args: { path: '/a' }, id: 'call-a' },
            { name: 'fs__read', args: { path: '/b' }, id: 'call-b' },
          ],
          thoughtSignature: 'sig-1',
        },
      ],
    });
    const response = await sdk().models.generateContent({ model: MODEL, contents: 'read both' });

    expect(response.functionCalls).toEqual([
      { name: 'fs__read', args: { path: '/a' }, id: 'call-a' },
      { name: 'fs__read', args: { path: '/b' }, id: 'call-b' },
    ]);
    expect(response.candidates?.[0]?.content?.parts?.map((p) => p.thoughtSignature)).toEqual(['sig-1', undefined]);
  });

  it('reports HTTP errors in Google shape; the SDK raises ApiError with the status and the body', async () => {
    fake = await startFakeGemini({
      script: [{ error: { status: 429, message: 'Quota exceeded', retryDelay: '7s', retryAfter: 7 } }],
    });
    const err = await sdk()
      .models.generateContent({ model: MODEL, contents: 'hi' })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(429);
    expect(JSON.parse((err as ApiError).message)).toEqual({
      error: {
        code: 429,
        message: 'Quota exceeded',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '7s' }],
      },
    });
  });

  it('sets Retry-After on scripted errors (seen with plain fetch: the SDK drops response headers)', async () => {
    fake = await startFakeGemini({ script: [{ error: { status: 503, retryAfter: 3 } }] });
    const res = await fetch(`${fake.baseUrl}/v1beta/models/${MODEL}:generateContent`, { method: 'POST', body: '{}' });

    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('UNAVAILABLE');
  });

  it('can fail a stream midway with an SSE error event, which the SDK throws after the first chunks', async () => {
    fake = await startFakeGemini({ script: [{ text: ['partial'], error: { status: 500, midStream: true } }] });
    const seen: string[] = [];
    const err = await (async () => {
      for await (const chunk of await sdk().models.generateContentStream({ model: MODEL, contents: 'hi' })) {
        seen.push(chunk.text ?? '');
      }
    })().catch((e: unknown) => e);

    expect(seen).toEqual(['partial']);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(500);
  });

  it('answers an exhausted script with a 500 that says so, instead of hanging', async () => {
    fake = await startFakeGemini();
    const err = await sdk()
      .models.generateContent({ model: MODEL, contents: 'hi' })
      .catch((e: unknown) => e);

    expect((err as ApiError).status).toBe(500);
    expect((err as ApiError).message).toContain('script exhausted');
  });

  it('rejects a wrong key the way the API does when a key is required', async () => {
    fake = await startFakeGemini({ requireApiKey: 'right', script: [{ text: 'ok' }] });
    const err = await sdk('wrong')
      .models.generateContent({ model: MODEL, contents: 'hi' })
      .catch((e: unknown) => e);

    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message).toContain('API_KEY_INVALID');
    expect(fake.pendingSteps).toBe(1);
    await expect(sdk('right').models.generateContent({ model: MODEL, contents: 'hi' })).resolves.toMatchObject({
      text: 'ok',
    });
  });

  it('computes dynamic replies from the request, and exposes the function responses it got', async () => {
    fake = await startFakeGemini({
      script: [
        (req) => ({
          text: `you sent ${fake
            .functionResponsesIn(req.index)
            .map((r) => r.id)
            .join(',')}`,
        }),
      ],
    });
    const response = await sdk().models.generateContent({
      model: MODEL,
      contents: [
        { role: 'user', parts: [{ text: 'go' }] },
        { role: 'model', parts: [{ functionCall: { id: 'c1', name: 't', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { id: 'c1', name: 't', response: { output: 'done' } } }] },
      ],
    });

    expect(response.text).toBe('you sent c1');
    expect(fake.functionResponsesIn(0, { lastTurnOnly: true })).toEqual([{ id: 'c1', name: 't', response: { output: 'done' } }]);
  });

  it('keeps a hanging stream open until the client aborts, and reports that the client hung up', async () => {
    fake = await startFakeGemini({ script: [{ text: ['first'], hang: true }] });
    const controller = new AbortController();
    const stream = await sdk().models.generateContentStream({
      model: MODEL,
      contents: 'hi',
      config: { abortSignal: controller.signal },
    });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.text).toBe('first');

    const next = iterator.next();
    controller.abort();
    await expect(next).rejects.toThrow();
    await expect(fake.waitForResponseClose(0)).resolves.toEqual({ completed: false });
  });

  it('waits for requests by event and disposes with await using', async () => {
    fake = await startFakeGemini();
    await using scoped = await startFakeGemini({ script: [{ text: 'a' }, { text: 'b' }] });
    const ai = new GoogleGenAI({ apiKey: 'k', vertexai: false, httpOptions: { baseUrl: scoped.baseUrl } });
    const waiting = scoped.waitForRequests(2);
    await Promise.all([
      ai.models.generateContent({ model: MODEL, contents: 'one' }),
      ai.models.generateContent({ model: MODEL, contents: 'two' }),
    ]);

    const requests = await waiting;
    expect(requests.map((r) => r.index)).toEqual([0, 1]);
    expect(scoped.pendingSteps).toBe(0);
    expect(await scoped.waitForResponseClose(1)).toEqual({ completed: true });
  });
});
