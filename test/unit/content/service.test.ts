import { describe, expect, it } from 'vitest';
import { MAX_SUBSCRIPTIONS, ServerContent, type ContentHost } from '../../../daemon/content/service.js';
import type { SessionRecord } from '../../../daemon/store/ports.js';
import type { SessionEvent } from '../../../src/protocol/events.js';

const rec = { id: 's1', owner: 'alice', servers: ['srv'] } as SessionRecord;

/** A sandbox whose client answers from `answers`, by method, and records what was asked. */
function fakeHost(capabilities: ContentHost['capabilities'], answers: Record<string, unknown>) {
  const asked: Array<[string, unknown]> = [];
  const client = new Proxy(
    {},
    {
      get:
        (_, method: string) =>
        (params: unknown): Promise<unknown> => {
          asked.push([method, params]);
          return Promise.resolve(answers[method] ?? {});
        },
    },
  );
  const host = { capabilities, ask: (_what: string, run: (c: never, o: never) => Promise<unknown>) => run(client as never, {} as never) };
  return { host: host as unknown as ContentHost, asked };
}

function service(host: ContentHost) {
  const notes: string[] = [];
  const events: Array<Pick<SessionEvent, 'type'> & Record<string, unknown>> = [];
  const content = new ServerContent({
    sandboxes: { sandbox: () => Promise.resolve(host) },
    notes: { pushNote: (_id, text) => Promise.resolve(void notes.push(text)) },
    events: {
      emit: (_id, type, payload) => Promise.resolve((events.push({ type, ...payload }), {} as SessionEvent)),
      post: () => undefined,
    },
    modelChars: 50,
  });
  return { content, notes, events };
}

describe('ServerContent', () => {
  it('a server without resources or prompts lists none and refuses the rest, without asking it', async () => {
    const { host, asked } = fakeHost({ tools: {} }, {});
    const { content } = service(host);
    expect(await content.listResources(rec, 'srv')).toEqual({ server: 'srv', supported: false, items: [] });
    expect(await content.listPrompts(rec, 'srv')).toEqual({ server: 'srv', supported: false, items: [] });
    await expect(content.read(rec, 'srv', 'x://1')).rejects.toMatchObject({
      code: 'bad_request',
      message: 'server "srv" does not offer resources',
    });
    await expect(content.setLogLevel(rec, 'srv', 'error')).rejects.toMatchObject({ code: 'bad_request' });
    expect(asked).toEqual([]);
  });

  it('passes the cursor on and returns the next one', async () => {
    const { host, asked } = fakeHost(
      { resources: {} },
      { listResources: { resources: [{ uri: 'x://1', name: 'one' }], nextCursor: 'p2' } },
    );
    const { content } = service(host);
    expect(await content.listResources(rec, 'srv', 'p1')).toEqual({
      server: 'srv',
      supported: true,
      items: [{ uri: 'x://1', name: 'one' }],
      nextCursor: 'p2',
    });
    expect(asked).toEqual([['listResources', { cursor: 'p1' }]]);
  });

  it('caps the subscriptions of a session to one server', async () => {
    const { host } = fakeHost({ resources: { subscribe: true } }, {});
    const { content } = service(host);
    for (let i = 0; i < MAX_SUBSCRIPTIONS; i++) await content.subscribe(rec, 'srv', `x://${i}`, true);
    await expect(content.subscribe(rec, 'srv', 'x://one-more', true)).rejects.toMatchObject({ code: 'capacity' });
    // Subscribing again to one it has is fine; unsubscribing frees a place.
    await content.subscribe(rec, 'srv', 'x://0', true);
    await content.subscribe(rec, 'srv', 'x://1', false);
    expect(await content.subscribe(rec, 'srv', 'x://one-more', true)).toEqual({ subscribed: true });
    content.forget(rec.id, 'srv');
    expect(await content.subscribe(rec, 'srv', 'x://another', true)).toEqual({ subscribed: true });
  });

  it('a subscription needs the server to offer them', async () => {
    const { host } = fakeHost({ resources: {} }, {});
    await expect(service(host).content.subscribe(rec, 'srv', 'x://1', true)).rejects.toMatchObject({
      message: 'server "srv" does not offer resource subscriptions',
    });
  });

  it('attaching reads in mcpd, queues one framed note cut to the model cap, and tells the session', async () => {
    const { host } = fakeHost({ resources: {} }, { readResource: { contents: [{ uri: 'x://1', text: 'z'.repeat(500) }] } });
    const { content, notes, events } = service(host);
    expect(await content.attach(rec, { server: 'srv', source: { kind: 'resource', uri: 'x://1' } })).toMatchObject({
      server: 'srv',
      what: 'x://1',
      truncated: true,
    });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^\[mcpgw: the user attached resource "x:\/\/1" from MCP server "srv"/);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'tool:output',
        server: 'srv',
        stream: 'notice',
        text: expect.stringContaining('attached to the next message'),
      }),
    ]);
  });
});
