import type { Content, Part } from '@google/genai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenStore } from '../../daemon/state/tokens.js';
import type { SessionEvent } from '../../src/protocol/events.js';
import type { DaemonClient } from '../../tui/client/client.js';
import type { FakeGemini } from '../fixtures/fake-gemini/index.js';
import { testServerEntries } from '../helpers/catalog.js';
import { startAgentDaemon, type TestDaemon } from '../helpers/daemon.js';
import { EventRecorder } from '../helpers/events.js';
import { expectValidHistory } from '../helpers/history.js';

// The image server-everything's get-tiny-image returns (its source, dist/tools/get-tiny-image.js): a 20×20 PNG.
const MCP_TINY_IMAGE = /MCP_TINY_IMAGE = "([A-Za-z0-9+/=]+)"/.exec(
  readFileSync(createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/dist/tools/get-tiny-image.js'), 'utf8'),
)![1]!;

let fake: FakeGemini;
let t: TestDaemon;
let client: DaemonClient;

// A server whose results lie, or are large (test/fixtures/rich-server), run from its directory in the base image.
const RICH = fileURLToPath(new URL('../fixtures/rich-server/server.mjs', import.meta.url));

beforeAll(async () => {
  ({ fake, t, client } = await startAgentDaemon({
    config: { mcpServers: { ...testServerEntries(), rich: { command: 'node', args: [RICH] } } },
  }));
});

afterAll(async () => {
  await t?.stop();
  await fake?.close();
});

type Done = Extract<SessionEvent, { type: 'agent:response' }>;
type Result = Extract<SessionEvent, { type: 'tool:result' }>;

/** A session on server-everything whose calls a policy allows, attached, with a recorder; `send` runs one turn. */
async function session(servers = ['everything']) {
  const info = await client.request('session:create', { servers, policy: { preset: 'all' } });
  const events = new EventRecorder(client);
  await client.request('session:attach', { sessionId: info.id });
  const send = async (text: string): Promise<Done> => {
    const { turnId } = await client.request('message', { sessionId: info.id, text });
    return events.waitFor<Done>((e) => e.type === 'agent:response' && e.turnId === turnId && e.done);
  };
  return { id: info.id, events, send };
}

function lastContents(): Content[] {
  const contents = (fake.requests.at(-1)!.body as { contents: Content[] }).contents;
  expectValidHistory(contents);
  return contents;
}

describe('rich results from the real server-everything, through the sandbox', () => {
  it('its tiny image reaches Gemini as inline data after the function response, and clients get the checked bytes', async () => {
    const s = await session();
    fake.enqueue({ functionCalls: [{ name: 'everything__get-tiny-image', args: {}, id: 'img1' }] }, { text: 'A small logo.' });
    await s.send('show me the tiny image');
    const turn = lastContents().at(-1)!;
    expect(turn.role).toBe('user');
    const parts = turn.parts ?? [];
    expect(parts[0]?.functionResponse).toMatchObject({
      id: 'img1',
      name: 'everything__get-tiny-image',
      response: {
        output: expect.stringContaining('image 1 (image/png, '),
      },
    });
    const inline = parts.filter((p: Part) => p.inlineData);
    expect(inline).toEqual([{ inlineData: { mimeType: 'image/png', data: MCP_TINY_IMAGE } }]);
    // The media follow every response, each behind a line that names its call.
    expect(parts.indexOf(inline[0]!)).toBe(parts.length - 1);
    expect(parts.at(-2)?.text).toMatch(/^\[image 1 \(image\/png, [\d.]+ KiB\) returned by the call img1 of everything__get-tiny-image\]$/);
    const [result] = s.events.of('tool:result') as Result[];
    expect(result?.items).toEqual([
      {
        type: 'image',
        mimeType: 'image/png',
        bytes: Buffer.from(MCP_TINY_IMAGE, 'base64').length,
        data: MCP_TINY_IMAGE,
        sentToModel: true,
      },
    ]);
  });

  it('structured content, checked against the tool’s outputSchema, goes to the model as JSON and to clients', async () => {
    const s = await session();
    fake.enqueue(
      { functionCalls: [{ name: 'everything__get-structured-content', args: { location: 'Chicago' }, id: 'w1' }] },
      { text: 'Drizzle.' },
    );
    await s.send('weather in Chicago?');
    const response = lastContents()
      .at(-1)!
      .parts?.find((p) => p.functionResponse?.id === 'w1')?.functionResponse?.response;
    const weather = { temperature: 36, conditions: 'Light rain / drizzle', humidity: 82 };
    // Its text block is only the JSON of the structured content (for older clients): sent once.
    expect(response).toEqual({ output: '', structuredContent: weather });
    const [result] = s.events.of('tool:result') as Result[];
    expect(JSON.parse(result!.structured!)).toEqual(weather);
  });

  it('an embedded resource and resource links are listed for clients, with the embedded text', async () => {
    const s = await session();
    fake.enqueue(
      {
        functionCalls: [
          { name: 'everything__get-resource-reference', args: { resourceType: 'Text', resourceId: 3 }, id: 'r1' },
          { name: 'everything__get-resource-links', args: { count: 2 }, id: 'r2' },
        ],
      },
      { text: 'Done.' },
    );
    await s.send('resources please');
    const results = s.events.of('tool:result') as Result[];
    const embedded = results.find((r) => r.callId === 'r1')!.items!.find((i) => i.type === 'resource');
    expect(embedded).toMatchObject({ type: 'resource', uri: expect.stringContaining('3'), text: expect.any(String) });
    const links = results.find((r) => r.callId === 'r2')!.items!.filter((i) => i.type === 'resource_link');
    expect(links).toHaveLength(2);
    expect(links[0]).toMatchObject({ uri: expect.any(String), name: expect.any(String) });
  });
});

describe('a server whose results lie', () => {
  it('media whose bytes are not the declared type, and SVG, reach neither the model nor a client', async () => {
    const s = await session(['rich']);
    fake.enqueue({ functionCalls: [{ name: 'rich__lying_image', args: {}, id: 'l1' }] }, { text: 'One image.' });
    await s.send('images');
    const parts = lastContents().at(-1)!.parts ?? [];
    expect(parts[0]?.functionResponse?.response).toEqual({
      output: [
        '[image 1 (image/png, 52 B): not given to the model: its bytes are not image/png]',
        '[image 2 (image/svg+xml, 59 B): not given to the model: type "image/svg+xml" is not one mcpgw accepts]',
        '[image 3 (image/png, 40 B): attached after the function responses as inline data]',
      ].join('\n'),
    });
    expect(parts.filter((p) => p.inlineData).map((p) => p.inlineData?.mimeType)).toEqual(['image/png']);
    const [result] = s.events.of('tool:result') as Result[];
    expect(result?.items?.map((i) => ('data' in i && i.data !== undefined ? 'data' : (i as { note?: string }).note))).toEqual([
      'its bytes are not image/png',
      'type "image/svg+xml" is not one mcpgw accepts',
      'data',
    ]);
  });

  it('structured content that breaks the tool’s outputSchema fails the call (the MCP SDK checks it), and the model is told', async () => {
    const s = await session(['rich']);
    fake.enqueue({ functionCalls: [{ name: 'rich__bad_weather', args: {}, id: 'b1' }] }, { text: 'It failed.' });
    await s.send('weather');
    const [result] = s.events.of('tool:result') as Result[];
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'tool_failed', message: expect.stringContaining("does not match the tool's output schema") },
    });
    expect(result?.structured).toBeUndefined();
    const response = lastContents()
      .at(-1)!
      .parts?.find((p) => p.functionResponse?.id === 'b1')?.functionResponse?.response;
    expect(response).toEqual({ error: expect.stringContaining("does not match the tool's output schema") });
  });
});

describe('an image too large for its event', () => {
  it('reaches the model whole; clients get it from mcpd with tools:media, for their own session only', async () => {
    const s = await session(['rich']);
    fake.enqueue({ functionCalls: [{ name: 'rich__big_image', args: {}, id: 'big1' }] }, { text: 'Noise.' });
    await s.send('a big image');
    const inline = (lastContents().at(-1)!.parts ?? []).filter((p) => p.inlineData);
    expect(inline).toHaveLength(1);
    const data = inline[0]!.inlineData!.data!;
    expect(Buffer.from(data, 'base64').length).toBeGreaterThan(64 * 1024);
    const [result] = s.events.of('tool:result') as Result[];
    expect(result?.items).toEqual([
      { type: 'image', mimeType: 'image/png', bytes: Buffer.from(data, 'base64').length, sentToModel: true, held: true },
    ]);
    expect(await client.request('tools:media', { sessionId: s.id, callId: 'big1', item: 0 })).toEqual({ mimeType: 'image/png', data });
    await expect(client.request('tools:media', { sessionId: s.id, callId: 'big1', item: 1 })).rejects.toMatchObject({ code: 'not_found' });
    // Another user's token may not read it.
    const other = await t.client(await (await TokenStore.open(t.stateDir)).create('mallory'));
    await expect(other.request('tools:media', { sessionId: s.id, callId: 'big1', item: 0 })).rejects.toMatchObject({ code: 'not_found' });
  });
});
