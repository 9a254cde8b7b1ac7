// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { useChat } from '../../../web/src/stores/chat.js';
import { useConnection } from '../../../web/src/stores/connection.js';
import { useContent } from '../../../web/src/stores/content.js';
import { FakeLog, FakeSocket } from './fake-socket.js';

let fake: FakeSocket;
let log: FakeLog;
let listed = 0;

beforeEach(() => {
  setActivePinia(createPinia());
  fake = new FakeSocket();
  log = new FakeLog();
  log.serve(fake);
  listed = 0;
  fake
    .handle('resources:list', (p) => ({
      server: p.server,
      supported: true,
      items: [{ uri: p.cursor ? 'x://2' : 'x://1', name: `doc ${++listed}` }],
      ...(p.cursor ? {} : { nextCursor: 'next' }),
    }))
    .handle('resources:templates', (p) => ({ server: p.server, supported: true, items: [] }))
    .handle('prompts:list', (p) => ({ server: p.server, supported: false, items: [] }))
    .handle('resources:read', (p) => ({
      server: p.server,
      uri: p.uri,
      parts: [{ type: 'text', text: `read ${listed}`, truncated: false }],
    }))
    .handle('completion:complete', (p) => ({
      values: ['Sales', 'Support'].filter((v) => v.startsWith((p.argument as { value: string }).value)),
      hasMore: false,
    }));
});

async function open() {
  const chat = useChat();
  const content = useContent();
  useConnection().start('mcpgw_test-token-0123456789', () => fake.socket);
  fake.accept();
  await flushPromises();
  await chat.open('s_web');
  await flushPromises();
  return { chat, content };
}

describe('the content store of the web panel', () => {
  it('lists the first server of the session, pages on, and asks the server for completions with the other arguments', async () => {
    const { content } = await open();
    expect(content.server).toBe('testsrv');
    expect(content.resources.map((r) => r.uri)).toEqual(['x://1']);
    expect(content.supported).toEqual({ resources: true, prompts: false });
    await content.more();
    expect(content.resources.map((r) => r.uri)).toEqual(['x://1', 'x://2']);
    expect(content.nextCursor).toBeUndefined();
    expect(await content.suggest('team', 'department', 'S', { department: 'S', name: '', other: 'x' })).toEqual(['Sales', 'Support']);
    expect(fake.sent('completion:complete').at(-1)).toEqual({
      sessionId: 's_web',
      server: 'testsrv',
      ref: { type: 'prompt', name: 'team' },
      argument: { name: 'department', value: 'S' },
      context: { other: 'x' },
    });
  });

  it('re-reads the lists when the server says they changed, and marks (and re-reads) an updated resource', async () => {
    const { content } = await open();
    await content.read('x://1');
    expect(content.reading?.parts).toEqual([{ type: 'text', text: 'read 1', truncated: false }]);
    fake.push(log.add('server:changed', { server: 'testsrv', what: 'resources' }));
    await flushPromises();
    expect(content.resources.map((r) => r.name)).toEqual(['doc 2']);
    fake.push(log.add('server:changed', { server: 'testsrv', what: 'resource', uri: 'x://1' }));
    await flushPromises();
    expect(content.reading?.parts).toEqual([{ type: 'text', text: 'read 2', truncated: false }]);
    // Re-read, so no longer marked; another server's change is not this panel's.
    expect([...content.updated]).toEqual([]);
    fake.push(log.add('server:changed', { server: 'other', what: 'resource', uri: 'x://9' }));
    await flushPromises();
    expect([...content.updated]).toEqual([]);
  });
});
