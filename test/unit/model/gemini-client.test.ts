import { afterEach, describe, expect, it } from 'vitest';
import type { Content, FunctionDeclaration } from '@google/genai';
import { createGeminiModelClient } from '../../../daemon/agent/model/index.js';
import type { GeminiModelClientOptions, ModelRequest } from '../../../daemon/agent/model/index.js';
import { startFakeGemini } from '../../fixtures/fake-gemini/index.js';
import type { FakeGemini, FakeScriptEntry } from '../../fixtures/fake-gemini/index.js';
import { collect, doneOf, drain } from './helpers.js';

const MODEL = 'gemini-2.5-flash';
const READ_FILE: FunctionDeclaration = {
  name: 'fs__read_file',
  description: 'Read a file',
  parametersJsonSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};
const USER: Content = { role: 'user', parts: [{ text: 'hello' }] };

let fake: FakeGemini | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A client on a fresh fake; sleeps are recorded, never waited. */
async function setup(script: FakeScriptEntry[], options: GeminiModelClientOptions = {}) {
  const server = await startFakeGemini({ script });
  fake = server;
  const sleeps: number[] = [];
  const client = createGeminiModelClient({
    apiKey: 'test-key',
    baseUrl: server.baseUrl,
    env: {},
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  return { fake: server, client, sleeps };
}

function request(extra: Partial<ModelRequest> = {}): ModelRequest {
  return { model: MODEL, contents: [USER], functionDeclarations: [READ_FILE], ...extra };
}

describe('GeminiModelClient: streaming', () => {
  it('emits each text chunk as it arrives, then the merged turn', async () => {
    const { client } = await setup([{ text: ['Hel', 'lo, ', 'world'] }]);
    const events = await collect(client.stream(request()));

    expect(events.slice(0, -1)).toEqual([
      { type: 'text', text: 'Hel' },
      { type: 'text', text: 'lo, ' },
      { type: 'text', text: 'world' },
    ]);
    expect(doneOf(events)).toEqual({
      type: 'done',
      content: { role: 'model', parts: [{ text: 'Hello, world' }] },
      functionCalls: [],
      finishReason: 'STOP',
      usage: { promptTokens: 8, outputTokens: 3, thoughtsTokens: 0, cachedTokens: 0, totalTokens: 11 },
      modelVersion: MODEL,
    });
  });

  it('delivers a text delta before the rest of the stream has been sent', async () => {
    const { client, fake } = await setup([{ text: ['first', 'second'], hang: true }]);
    const iterator = client.stream(request())[Symbol.asyncIterator]();

    expect((await iterator.next()).value).toEqual({ type: 'text', text: 'first' });
    expect((await iterator.next()).value).toEqual({ type: 'text', text: 'second' });
    await iterator.return?.();
    // Stopping early must release the request, not leave it to the server.
    await expect(fake.waitForResponseClose(0)).resolves.toEqual({ completed: false });
  });

  it('returns a single function call with its id', async () => {
    const { client } = await setup([
      { text: 'Let me look.', functionCalls: [{ name: 'fs__read_file', args: { path: '/etc/hosts' }, id: 'fc-1' }] },
    ]);
    const done = doneOf(await collect(client.stream(request())));

    expect(done.functionCalls).toEqual([{ name: 'fs__read_file', args: { path: '/etc/hosts' }, id: 'fc-1' }]);
    expect(done.content.parts).toEqual([
      { text: 'Let me look.' },
      { functionCall: { name: 'fs__read_file', args: { path: '/etc/hosts' }, id: 'fc-1' } },
    ]);
  });

  it('returns parallel function calls in order, keeping ids and generating missing ones', async () => {
    let n = 0;
    const { client } = await setup(
      [
        {
          functionCalls: [
            { name: 'fs__read_file', args: { path: '/a' }, id: 'id-a' },
            { name: 'fs__read_file', args: { path: '/b' } },
            { name: 'fs__read_file', args: { path: '/c' }, id: 'id-c' },
          ],
        },
      ],
      { newCallId: () => `gen-${++n}` },
    );
    const done = doneOf(await collect(client.stream(request())));

    expect(done.functionCalls.map((c) => [c.id, c.args['path']])).toEqual([
      ['id-a', '/a'],
      ['gen-1', '/b'],
      ['id-c', '/c'],
    ]);
    // The generated id is in the history too, so the functionResponse that answers it matches.
    expect(done.content.parts?.map((p) => p.functionCall?.id)).toEqual(['id-a', 'gen-1', 'id-c']);
  });

  it('generates distinct ids when the API sends none', async () => {
    const { client } = await setup(
      [
        {
          functionCalls: [
            { name: 'a', args: {} },
            { name: 'b', args: {} },
          ],
        },
      ],
      { newCallId: undefined },
    );
    const done = doneOf(await collect(client.stream(request())));
    const ids = done.functionCalls.map((c) => c.id);

    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^call_[0-9a-f]{16}$/);
  });

  it('keeps thought signatures on the function call part they came with', async () => {
    const { client } = await setup([
      {
        text: 'Reading both.',
        functionCalls: [
          { name: 'fs__read_file', args: { path: '/a' }, id: 'a' },
          { name: 'fs__read_file', args: { path: '/b' }, id: 'b' },
        ],
        thoughtSignature: 'c2lnLTE=',
      },
    ]);
    const done = doneOf(await collect(client.stream(request())));

    expect(done.content.parts).toEqual([
      { text: 'Reading both.' },
      { functionCall: { name: 'fs__read_file', args: { path: '/a' }, id: 'a' }, thoughtSignature: 'c2lnLTE=' },
      { functionCall: { name: 'fs__read_file', args: { path: '/b' }, id: 'b' } },
    ]);
  });

  it('keeps a signature streamed on an empty final text part with the text it closes', async () => {
    const chunk = (parts: unknown[], finishReason?: string) => ({
      candidates: [{ content: { role: 'model', parts }, index: 0, ...(finishReason ? { finishReason } : {}) }],
    });
    const { client } = await setup([
      {
        rawChunks: [
          chunk([{ text: 'The answer ' }]),
          chunk([{ text: 'is 4.' }]),
          chunk([{ text: '', thoughtSignature: 'sig-end' }], 'STOP'),
        ],
      },
    ]);
    const events = await collect(client.stream(request()));

    expect(events.filter((e) => e.type === 'text')).toHaveLength(2);
    expect(doneOf(events).content.parts).toEqual([{ text: 'The answer is 4.', thoughtSignature: 'sig-end' }]);
  });

  it('emits thought summaries as thought events and keeps them apart from the answer', async () => {
    const { client, fake } = await setup([{ thoughts: ['Considering', ' options'], text: ['Done'], thoughtSignature: 'sig-t' }]);
    const events = await collect(client.stream(request({ thinkingConfig: { includeThoughts: true } })));

    expect(events.slice(0, -1)).toEqual([
      { type: 'thought', text: 'Considering' },
      { type: 'thought', text: ' options' },
      { type: 'text', text: 'Done' },
    ]);
    expect(doneOf(events).content.parts).toEqual([
      { text: 'Considering options', thought: true },
      { text: 'Done', thoughtSignature: 'sig-t' },
    ]);
    expect(fake.requests[0]?.body.generationConfig).toEqual({ thinkingConfig: { includeThoughts: true } });
  });
});

describe('GeminiModelClient: what goes on the wire', () => {
  it('sends contents, system instruction, tools with parametersJsonSchema and the key header', async () => {
    const { client, fake } = await setup([{ text: 'ok' }]);
    await collect(client.stream(request({ systemInstruction: 'You are careful.' })));

    const [sent] = await fake.waitForRequests(1);
    expect(sent).toMatchObject({
      path: `/v1beta/models/${MODEL}:streamGenerateContent`,
      query: { alt: 'sse' },
      stream: true,
      apiKey: 'test-key',
    });
    expect(sent?.headers['x-goog-api-key']).toBe('test-key');
    expect(sent?.body).toEqual({
      contents: [USER],
      systemInstruction: { role: 'user', parts: [{ text: 'You are careful.' }] },
      tools: [{ functionDeclarations: [READ_FILE] }],
      generationConfig: {},
    });
  });

  it('sends no tools when there are no declarations', async () => {
    const { client, fake } = await setup([{ text: 'ok' }]);
    await collect(client.stream(request({ functionDeclarations: [] })));

    expect(fake.requests[0]?.body).not.toHaveProperty('tools');
  });

  it('round-trips the model turn: signatures and call ids come back with matching function responses', async () => {
    const { client, fake } = await setup([
      {
        functionCalls: [
          { name: 'fs__read_file', args: { path: '/a' }, id: 'call-1' },
          { name: 'fs__read_file', args: { path: '/b' }, id: 'call-2' },
        ],
        thoughtSignature: 'sig-round',
      },
      { text: 'Both files are empty.' },
    ]);
    const first = doneOf(await collect(client.stream(request())));
    const responses: Content = {
      role: 'user',
      parts: first.functionCalls.map((c) => ({
        functionResponse: { id: c.id, name: c.name, response: { output: '' } },
      })),
    };
    const second = doneOf(await collect(client.stream(request({ contents: [USER, first.content, responses] }))));

    expect(second.content.parts).toEqual([{ text: 'Both files are empty.' }]);
    expect(fake.requests[1]?.body.contents?.[1]).toEqual(first.content);
    expect(fake.requests[1]?.body.contents?.[1]?.parts?.[0]?.thoughtSignature).toBe('sig-round');
    expect(fake.functionResponsesIn(1).map((r) => r.id)).toEqual(['call-1', 'call-2']);
  });

  it('takes the key from GEMINI_API_KEY before GOOGLE_API_KEY, and the URL from GOOGLE_GEMINI_BASE_URL', async () => {
    const { fake } = await setup([{ text: 'a' }, { text: 'b' }]);
    const fromEnv = (env: Record<string, string>) => createGeminiModelClient({ env: { GOOGLE_GEMINI_BASE_URL: fake.baseUrl, ...env } });

    await collect(fromEnv({ GEMINI_API_KEY: 'gemini-key', GOOGLE_API_KEY: 'google-key' }).stream(request()));
    await collect(fromEnv({ GOOGLE_API_KEY: 'google-key' }).stream(request()));

    expect(fake.requests.map((r) => r.apiKey)).toEqual(['gemini-key', 'google-key']);
  });
});

describe('GeminiModelClient: errors', () => {
  it('fails with missing_key before any network call when no key is configured', async () => {
    const { fake } = await setup([{ text: 'never' }]);
    const client = createGeminiModelClient({ env: { GEMINI_API_KEY: '  ' }, baseUrl: fake.baseUrl });
    const { events, error } = await drain(client.stream(request()));

    expect(events).toEqual([]);
    expect(error).toMatchObject({ code: 'model_error', details: { kind: 'missing_key' } });
    expect(error?.message).toContain('GEMINI_API_KEY');
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    [401, 'UNAUTHENTICATED', 'Gemini rejected the API key (HTTP 401): API keys are not supported'],
    [403, 'PERMISSION_DENIED', 'Gemini denied access with this API key (HTTP 403): API keys are not supported'],
  ])('maps HTTP %i to auth without retrying', async (status, statusName, message) => {
    const { client, fake, sleeps } = await setup([{ error: { status, statusName, message: 'API keys are not supported by this API.' } }]);
    const { error } = await drain(client.stream(request()));

    expect(error).toMatchObject({ code: 'model_error', details: { kind: 'auth', httpStatus: status, retries: 0 } });
    expect(error?.message).toContain(message);
    expect(fake.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('maps the API’s answer to a bad key (400 API_KEY_INVALID) to auth', async () => {
    const server = await startFakeGemini({ requireApiKey: 'good', script: [{ text: 'never' }] });
    fake = server;
    const client = createGeminiModelClient({ apiKey: 'bad', baseUrl: server.baseUrl, env: {} });
    const { error } = await drain(client.stream(request()));

    expect(error).toMatchObject({ details: { kind: 'auth', httpStatus: 400 } });
    expect(error?.message).toBe('Gemini rejected the API key (HTTP 400): API key not valid. Please pass a valid API key.');
  });

  it('maps other 4xx to bad_request without retrying', async () => {
    const { client, fake } = await setup([{ error: { status: 400, message: '* GenerateContentRequest.tools[0]: schema is invalid' } }]);
    const { error } = await drain(client.stream(request()));

    expect(error).toMatchObject({ details: { kind: 'bad_request', httpStatus: 400, status: 'INVALID_ARGUMENT' } });
    expect(error?.message).toBe('Gemini rejected the request (HTTP 400): * GenerateContentRequest.tools[0]: schema is invalid');
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a 429 after the delay RetryInfo asks for, then succeeds', async () => {
    const { client, fake, sleeps } = await setup([
      { error: { status: 429, message: 'Resource has been exhausted (e.g. check quota).', retryDelay: '2.5s' } },
      { text: 'finally' },
    ]);
    const events = await collect(client.stream(request()));

    expect(sleeps).toEqual([2500]);
    expect(events[0]).toMatchObject({ type: 'retry', attempt: 1, delayMs: 2500, kind: 'rate_limited' });
    expect(events[0]?.type === 'retry' && events[0].message).toBe(
      'Rate limited by Gemini (HTTP 429): Resource has been exhausted (e.g. check quota).; retry 1 of 3 in 3s',
    );
    expect(doneOf(events).content.parts).toEqual([{ text: 'finally' }]);
    expect(fake.requests).toHaveLength(2);
  });

  it('gives up on a 429 that never clears after the configured retries, with exponential backoff', async () => {
    const rateLimited = { error: { status: 429, message: 'Quota exceeded.' } };
    const { client, fake, sleeps } = await setup([rateLimited, rateLimited, rateLimited, rateLimited]);
    const { events, error } = await drain(client.stream(request()));

    // random() is 0.5, so each delay is 3/4 of the doubling step.
    expect(sleeps).toEqual([750, 1500, 3000]);
    expect(events.map((e) => e.type)).toEqual(['retry', 'retry', 'retry']);
    expect(error).toMatchObject({ code: 'model_error', details: { kind: 'rate_limited', retries: 3 } });
    expect(error?.message).toBe('Rate limited by Gemini (HTTP 429); gave up after 3 retries: Quota exceeded.');
    expect(fake.requests).toHaveLength(4);
    expect(fake.pendingSteps).toBe(0);
  });

  it('caps the computed backoff at maxDelayMs', async () => {
    const down = { error: { status: 503 } };
    const { client, sleeps } = await setup([down, down, down, down, down], {
      retries: 4,
      baseDelayMs: 1000,
      maxDelayMs: 2000,
      random: () => 0.999,
    });
    await drain(client.stream(request()));

    expect(sleeps).toEqual([1000, 1999, 1999, 1999]);
  });

  it('does not wait out a daily quota: a RetryInfo delay beyond maxServerDelayMs fails at once', async () => {
    const { client, fake, sleeps } = await setup([
      { error: { status: 429, message: 'Daily limit reached.', retryDelay: '51820.638305887s' } },
    ]);
    const { error } = await drain(client.stream(request()));

    expect(sleeps).toEqual([]);
    expect(fake.requests).toHaveLength(1);
    expect(error).toMatchObject({ details: { kind: 'rate_limited', retryDelayMs: 51_820_639 } });
    expect(error?.message).toBe('Rate limited by Gemini (HTTP 429); Gemini asks to wait 14h 24m, too long to retry: Daily limit reached.');
  });

  it('retries a 503 and then succeeds', async () => {
    const { client, fake, sleeps } = await setup([
      { error: { status: 503, message: 'The model is overloaded. Please try again later.' } },
      { text: 'back' },
    ]);
    const events = await collect(client.stream(request()));

    expect(events[0]).toMatchObject({ type: 'retry', kind: 'server', delayMs: 750 });
    expect(sleeps).toEqual([750]);
    expect(doneOf(events).content.parts).toEqual([{ text: 'back' }]);
    expect(fake.requests).toHaveLength(2);
  });

  it('retries an error event that arrives before anything was streamed', async () => {
    const { client, fake } = await setup([{ error: { status: 503, midStream: true } }, { text: 'ok' }]);
    const events = await collect(client.stream(request()));

    expect(events.map((e) => e.type)).toEqual(['retry', 'text', 'done']);
    expect(fake.requests).toHaveLength(2);
  });

  it('does not retry once text has reached the caller, and says why', async () => {
    const { client, fake } = await setup([
      { text: ['Half an ans'], error: { status: 500, message: 'Internal error encountered.', midStream: true } },
      { text: 'never sent' },
    ]);
    const { events, error } = await drain(client.stream(request()));

    expect(events).toEqual([{ type: 'text', text: 'Half an ans' }]);
    expect(error).toMatchObject({ details: { kind: 'server', httpStatus: 500, retries: 0 } });
    expect(error?.message).toBe(
      'Gemini server error (HTTP 500); the reply had already started streaming, so it was not retried: ' + 'Internal error encountered.',
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('treats a connection dropped mid-stream as a network error, not retried after text', async () => {
    const { client, fake } = await setup([{ text: ['par', 'tial'], dropConnection: true }, { text: 'never' }]);
    const { events, error } = await drain(client.stream(request()));

    expect(events.map((e) => e.type)).toEqual(['text', 'text']);
    expect(error).toMatchObject({ code: 'model_error', details: { kind: 'network' } });
    expect(error?.message).toMatch(
      /^Lost the connection to Gemini at http:\/\/127\.0\.0\.1:\d+ \(UND_ERR_SOCKET\); the reply had already started/,
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('retries when the connection is refused, then names the endpoint and the cause', async () => {
    const { closedPortUrl } = await import('./helpers.js');
    const baseUrl = await closedPortUrl();
    const sleeps: number[] = [];
    const client = createGeminiModelClient({
      apiKey: 'k',
      baseUrl,
      env: {},
      retries: 2,
      random: () => 0,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const { events, error } = await drain(client.stream(request()));

    expect(events.map((e) => e.type)).toEqual(['retry', 'retry']);
    expect(sleeps).toEqual([500, 1000]);
    expect(error).toMatchObject({ code: 'model_error', details: { kind: 'network', code: 'ECONNREFUSED', retries: 2 } });
    const port = new URL(baseUrl).port;
    expect(error?.message).toBe(
      `Could not reach Gemini at ${baseUrl} (ECONNREFUSED); gave up after 2 retries: ` + `connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('reports an exhausted fake script as a server error after retries (tests cannot hang on it)', async () => {
    const { client } = await setup([], { retries: 1 });
    const { error } = await drain(client.stream(request()));

    expect(error?.message).toContain('Gemini server error (HTTP 500); gave up after 1 retry: fake-gemini: script exhausted');
  });
});

describe('GeminiModelClient: cancellation', () => {
  it('stops a stream that is mid-way when the signal aborts', async () => {
    const { client, fake } = await setup([{ text: ['Thinking about it'], hang: true }, { text: 'never' }]);
    const controller = new AbortController();
    const iterator = client.stream(request({ signal: controller.signal }))[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toEqual({ type: 'text', text: 'Thinking about it' });

    const next = iterator.next();
    controller.abort();
    await expect(next).rejects.toMatchObject({ code: 'cancelled', details: { kind: 'cancelled' } });
    await expect(fake.waitForResponseClose(0)).resolves.toEqual({ completed: false });
    expect(fake.requests).toHaveLength(1);
  });

  it('stops a request still waiting for its response headers', async () => {
    const { client, fake } = await setup([{ delayMs: 60_000, text: 'late' }]);
    const controller = new AbortController();
    const pending = drain(client.stream(request({ signal: controller.signal })));
    await fake.waitForRequests(1);
    controller.abort();

    const { error } = await pending;
    expect(error).toMatchObject({ code: 'cancelled' });
    await expect(fake.waitForResponseClose(0)).resolves.toEqual({ completed: false });
  });

  it('stops during a retry backoff', async () => {
    const controller = new AbortController();
    const { client } = await setup([{ error: { status: 503 } }, { text: 'never' }], {
      // The backoff is where the abort lands: a sleep that only ends by abort.
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
          controller.abort();
        }),
    });
    const { events, error } = await drain(client.stream(request({ signal: controller.signal })));

    expect(events.map((e) => e.type)).toEqual(['retry']);
    expect(error).toMatchObject({ code: 'cancelled' });
  });

  it('does nothing for a signal that is already aborted', async () => {
    const { client, fake } = await setup([{ text: 'never' }]);
    const { error } = await drain(client.stream(request({ signal: AbortSignal.abort() })));

    expect(error).toMatchObject({ code: 'cancelled' });
    expect(fake.requests).toHaveLength(0);
  });
});
