import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionContainer, startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { containerExists } from '../helpers/docker.js';
import { EventRecorder } from '../helpers/events.js';

let t: TestDaemon;

beforeAll(async () => {
  t = await startTestDaemon();
});

afterAll(async () => {
  await t?.stop();
});

describe('mcpd sessions over Socket.io', () => {
  it('create → call → disconnect → attach replays every event once, in order', async () => {
    const first = await t.client();
    const session = await first.request('session:create', { servers: ['testsrv', 'memory'] });
    expect(session).toMatchObject({
      status: 'active',
      servers: [
        { name: 'testsrv', state: 'stopped' },
        { name: 'memory', state: 'stopped' },
      ],
    });
    const live = new EventRecorder(first);
    await first.request('session:attach', { sessionId: session.id });
    const result = await first.request('tools:call', {
      sessionId: session.id,
      server: 'testsrv',
      tool: 'echo',
      args: { message: 'persist me' },
    });
    expect(result).toMatchObject({ ok: true, text: 'echo: persist me' });
    await live.waitFor((e) => e.type === 'tool:result');
    first.close();

    const second = await t.client();
    const replay = new EventRecorder(second);
    const attached = await second.request('session:attach', { sessionId: session.id });
    expect(attached.truncated).toBe(false);
    const seqs = replay.events.map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(attached.replayed).toBe(seqs.length);
    expect(replay.events.map((e) => e.type)).toEqual(expect.arrayContaining(['session:updated', 'tool:started', 'tool:result']));
    expect(replay.of('tool:result')).toEqual([
      expect.objectContaining({ ok: true, summary: 'echo: persist me', server: 'testsrv', tool: 'echo' }),
    ]);
    // Everything the first client saw live is in the replay, identically.
    expect(replay.events.slice(0, live.events.length)).toEqual(live.events);

    // Attaching from a seq replays only what came after it; live events then follow without a gap.
    const third = await t.client();
    const tail = new EventRecorder(third);
    const since = seqs[seqs.length - 3]!;
    await third.request('session:attach', { sessionId: session.id, sinceSeq: since });
    expect(tail.events.map((e) => e.seq)).toEqual(seqs.filter((s) => s > since));
    await second.request('tools:call', { sessionId: session.id, server: 'memory', tool: 'read_graph', args: {} });
    await tail.waitFor((e) => e.type === 'tool:result' && e.server === 'memory');
    const all = tail.events.map((e) => e.seq);
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => since + 1 + i));
  });

  it('lists, shows, and kills a session, removing its containers', async () => {
    const c = await t.client();
    const session = await c.request('session:create', { servers: ['testsrv'] });
    await c.request('tools:call', { sessionId: session.id, server: 'testsrv', tool: 'echo', args: { message: 'x' } });
    const container = await sessionContainer(c, session.id);
    expect(await containerExists(container!)).toBe(true);
    const listed = await c.request('session:list', {});
    expect(listed.find((s) => s.id === session.id)).toMatchObject({ servers: [{ name: 'testsrv', state: 'running' }] });
    // A unique prefix of the id is enough.
    expect((await c.request('session:get', { sessionId: session.id.slice(0, 8) })).id).toBe(session.id);
    const killed = await c.request('session:kill', { sessionId: session.id });
    expect(killed).toMatchObject({ status: 'ended', servers: [{ name: 'testsrv', state: 'stopped' }] });
    expect(await containerExists(container!)).toBe(false);
    await expect(c.request('tools:call', { sessionId: session.id, server: 'testsrv', tool: 'echo', args: {} })).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('a client leaving stops nothing: a call in flight completes and is logged', async () => {
    const c = await t.client();
    const session = await c.request('session:create', { servers: ['testsrv'] });
    const call = c
      .request('tools:call', { sessionId: session.id, server: 'testsrv', tool: 'sleep', args: { ms: 1500 } })
      .catch(() => undefined);
    const watcher = await t.client();
    const events = new EventRecorder(watcher);
    await watcher.request('session:attach', { sessionId: session.id });
    await events.waitFor((e) => e.type === 'tool:started');
    c.close();
    void call;
    const result = await events.waitFor((e) => e.type === 'tool:result');
    expect(result).toMatchObject({ ok: true, summary: 'slept 1500' });
  });

  it('reports a server the session does not use, and an unknown tool, as clear errors', async () => {
    const c = await t.client();
    const session = await c.request('session:create', { servers: ['testsrv'] });
    await expect(c.request('tools:call', { sessionId: session.id, server: 'memory', tool: 'read_graph', args: {} })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('does not use server "memory"'),
    });
    await expect(c.request('tools:call', { sessionId: session.id, server: 'testsrv', tool: 'nope', args: {} })).rejects.toMatchObject({
      code: 'tool_failed',
      message: expect.stringContaining('unknown tool nope'),
    });
  });

  it('lists the tools of a session and the configured servers', async () => {
    const c = await t.client();
    const session = await c.request('session:create', { servers: ['testsrv', 'memory'] });
    const { tools, failed } = await c.request('tools:list', { sessionId: session.id });
    expect(failed).toEqual([]);
    expect(tools.map((x) => `${x.server}/${x.name}`)).toEqual(expect.arrayContaining(['testsrv/echo', 'memory/read_graph']));
    expect((await c.request('servers:list', {})).map((s) => s.name)).toEqual(['everything', 'filesystem', 'memory', 'testsrv']);
    const status = await c.request('daemon:status', {});
    expect(status).toMatchObject({ pid: process.pid, version: '0.1.0', redis: { private: true, connected: true } });
  });
});
