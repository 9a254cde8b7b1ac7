import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionContainer, startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { containerExists } from '../helpers/docker.js';
import { EventRecorder } from '../helpers/events.js';

let t: TestDaemon;

beforeAll(async () => {
  // The janitor is driven by hand with a chosen clock (t.daemon.sweep(now)), so the test waits on nothing.
  t = await startTestDaemon({ config: { daemon: { idleTimeout: '300ms' } }, janitorIntervalMs: 3_600_000 });
});

afterAll(async () => {
  await t?.stop();
});

describe('the janitor', () => {
  it('removes idle containers, marks the session idle, keeps its log, and the next call respawns', async () => {
    const c = await t.client();
    const session = await c.request('session:create', { servers: ['testsrv'] });
    await c.request('tools:call', { sessionId: session.id, server: 'testsrv', tool: 'echo', args: { message: 'before' } });
    const before = await sessionContainer(c, session.id);
    expect(await containerExists(before!)).toBe(true);

    // Not idle long enough yet: nothing happens. Past the timeout (a clock 1 s ahead), the container goes.
    expect((await t.daemon.sweep()).reaped).toBe(0);
    expect((await t.daemon.sweep(Date.now() + 1000)).reaped).toBe(1);
    expect(await containerExists(before!)).toBe(false);
    const idle = await c.request('session:get', { sessionId: session.id });
    expect(idle).toMatchObject({ status: 'idle', servers: [{ name: 'testsrv', state: 'stopped' }] });

    const result = await c.request('tools:call', { sessionId: session.id, server: 'testsrv', tool: 'echo', args: { message: 'after' } });
    expect(result.text).toBe('echo: after');
    const after = await sessionContainer(c, session.id);
    expect(await containerExists(after!)).toBe(true);
    expect(after).not.toBe(before);
    expect((await c.request('session:get', { sessionId: session.id })).status).toBe('active');

    const log = new EventRecorder(c);
    await c.request('session:attach', { sessionId: session.id });
    expect(log.of('tool:result').map((e) => e.summary)).toEqual(['echo: before', 'echo: after']);
  });

  it('never reaps a container with a call in flight', async () => {
    const c = await t.client();
    const session = await c.request('session:create', { servers: ['testsrv'] });
    const events = new EventRecorder(c);
    await c.request('session:attach', { sessionId: session.id });
    const call = c.request('tools:call', { sessionId: session.id, server: 'testsrv', tool: 'sleep', args: { ms: 1500 } });
    await events.waitFor((e) => e.type === 'tool:started');
    await expect.poll(() => sessionContainer(c, session.id)).toBeDefined();
    const busy = await sessionContainer(c, session.id);
    // Even an hour past the idle timeout, a sandbox with a call in flight stays.
    await t.daemon.sweep(Date.now() + 3_600_000);
    expect(await containerExists(busy!)).toBe(true);
    expect(await sessionContainer(c, session.id)).toBe(busy);
    expect((await call).text).toBe('slept 1500');
  });
});

describe('retention', () => {
  it('deletes sessions inactive past retention, with their containers and history', async () => {
    const c = await t.client();
    const session = await c.request('session:create', { servers: ['testsrv'] });
    await c.request('tools:call', { sessionId: session.id, server: 'testsrv', tool: 'echo', args: { message: 'old' } });
    const container = await sessionContainer(c, session.id);
    const { deleted } = await t.daemon.sweep(Date.now() + 31 * 86_400_000);
    expect(deleted).toContain(session.id);
    expect(await containerExists(container!)).toBe(false);
    await expect(c.request('session:get', { sessionId: session.id })).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('crash isolation between sessions', () => {
  it('a server crashing in one session leaves the others untouched; that session’s next call respawns it', async () => {
    const c = await t.client();
    const [a, b] = await Promise.all([1, 2].map(() => c.request('session:create', { servers: ['testsrv'] })));
    await c.request('tools:call', { sessionId: b!.id, server: 'testsrv', tool: 'echo', args: { message: 'b lives' } });
    await c.request('tools:call', { sessionId: a!.id, server: 'testsrv', tool: 'echo', args: { message: 'a lives' } });
    const bContainer = await sessionContainer(c, b!.id);
    const aContainer = await sessionContainer(c, a!.id);
    const events = new EventRecorder(c);
    await c.request('session:attach', { sessionId: a!.id });

    await expect(c.request('tools:call', { sessionId: a!.id, server: 'testsrv', tool: 'crash', args: { code: 3 } })).rejects.toMatchObject({
      code: 'sandbox_crashed',
      message: expect.stringContaining('exited with code 3'),
    });
    await events.waitFor((e) => e.type === 'session:updated' && e.session.servers[0]?.state === 'crashed');
    await expect.poll(() => containerExists(aContainer!)).toBe(false);

    expect(await containerExists(bContainer!)).toBe(true);
    expect(await sessionContainer(c, b!.id)).toBe(bContainer);
    expect((await c.request('tools:call', { sessionId: b!.id, server: 'testsrv', tool: 'echo', args: { message: 'b still' } })).text).toBe(
      'echo: b still',
    );
    expect((await c.request('tools:call', { sessionId: a!.id, server: 'testsrv', tool: 'echo', args: { message: 'a again' } })).text).toBe(
      'echo: a again',
    );
  });
});
