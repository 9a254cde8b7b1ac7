import { describe, expect, it } from 'vitest';
import { ServerContent, type ContentHost } from '../../../daemon/content/service.js';
import { MAX_SUBSCRIPTIONS } from '../../../daemon/content/subscriptions.js';
import { MemoryStore } from '../../../daemon/store/memory.js';
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

function service(host: ContentHost, live?: () => ContentHost | undefined, store = new MemoryStore()) {
  const notes: string[] = [];
  const events: Array<Pick<SessionEvent, 'type'> & Record<string, unknown>> = [];
  const content = new ServerContent({
    sandboxes: { sandbox: () => Promise.resolve(host) },
    ...(live ? { live } : {}),
    notes: { pushNote: (_id, text) => Promise.resolve(void notes.push(text)) },
    follows: store,
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
    await content.forgetSession(rec.id);
    expect(await content.subscribe(rec, 'srv', 'x://another', true)).toEqual({ subscribed: true });
  });

  it('a new sandbox for the server follows again what the session followed; one it refuses is dropped and said so', async () => {
    const { host: first } = fakeHost({ resources: { subscribe: true } }, {});
    // The replacement refuses one URI (a server-made error, with a control character in it).
    const asked: string[] = [];
    const second = {
      capabilities: { resources: { subscribe: true } },
      ask: (_what: string, run: (c: unknown, o: unknown) => Promise<unknown>) =>
        run(
          {
            subscribeResource: ({ uri }: { uri: string }) => {
              asked.push(uri);
              return uri === 'x://gone' ? Promise.reject(new Error('no such resource\u001b[31m')) : Promise.resolve({});
            },
          },
          {},
        ),
    } as unknown as ContentHost;
    let live: ContentHost | undefined = first;
    const { content, events } = service(first, () => live);
    await content.subscribe(rec, 'srv', 'x://a', true);
    await content.subscribe(rec, 'srv', 'x://gone', true);
    await content.subscribe(rec, 'srv', 'x://b', true);
    await content.subscribe(rec, 'srv', 'x://b', false);
    live = second;
    await content.sandboxStarted(rec.id, 'srv');
    expect(asked).toEqual(['x://a', 'x://gone']);
    expect(events.map((e) => e.text)).toEqual([
      'the new sandbox of "srv" follows 1 resource again',
      '"srv" refused to follow x://gone again (no such resource␛[31m); it is no longer followed',
    ]);
    // The refused one is no longer counted; the other is asked for again by the next sandbox.
    asked.length = 0;
    await content.sandboxStarted(rec.id, 'srv');
    expect(asked).toEqual(['x://a']);
    // An ended session's subscriptions are forgotten: a new sandbox is asked for nothing.
    await content.forgetSession(rec.id);
    asked.length = 0;
    await content.sandboxStarted(rec.id, 'srv');
    expect(asked).toEqual([]);
  });

  it('a sandbox that goes while it is asked to follow again keeps the rest for the next one', async () => {
    const { host: first } = fakeHost({ resources: { subscribe: true } }, {});
    let live: ContentHost | undefined = first;
    const dying = {
      capabilities: { resources: { subscribe: true } },
      ask: () => {
        live = undefined;
        return Promise.reject(new Error('not running'));
      },
    } as unknown as ContentHost;
    const { content, events } = service(first, () => live);
    await content.subscribe(rec, 'srv', 'x://a', true);
    live = dying;
    await content.sandboxStarted(rec.id, 'srv');
    expect(events).toEqual([]);
    const { host: third, asked } = fakeHost({ resources: { subscribe: true } }, {});
    live = third;
    await content.sandboxStarted(rec.id, 'srv');
    expect(asked).toEqual([['subscribeResource', { uri: 'x://a' }]]);
  });

  it('what a session follows is kept in the store: a restarted mcpd (a new service on it) follows it again', async () => {
    const store = new MemoryStore();
    const { host: first } = fakeHost({ resources: { subscribe: true } }, {});
    await service(first, () => first, store).content.subscribe(rec, 'srv', 'x://a', true);
    expect(await store.subscriptions(rec.id, 'srv')).toEqual(['x://a']);
    const { host: after, asked } = fakeHost({ resources: { subscribe: true } }, {});
    const { content, events } = service(after, () => after, store);
    await content.sandboxStarted(rec.id, 'srv');
    expect(asked).toEqual([['subscribeResource', { uri: 'x://a' }]]);
    expect(events.map((e) => e.text)).toEqual(['the new sandbox of "srv" follows 1 resource again']);
    // Deleting the session (the janitor's retention) takes them with it.
    await store.deleteSession(rec);
    expect(await store.subscriptions(rec.id, 'srv')).toEqual([]);
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
