import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEventOf } from '../../src/protocol/events.js';
import type { SessionInfo } from '../../src/protocol/session.js';
import { sessionContainer, startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { containerExists, engine } from '../helpers/docker.js';
import { EventRecorder } from '../helpers/events.js';

let t: TestDaemon;

beforeAll(async () => {
  t = await startTestDaemon({ config: { daemon: { prestart: true } } });
});

afterAll(async () => {
  await t?.stop();
});

const running = (s: SessionInfo): boolean => s.servers.every((srv) => srv.state === 'running');

describe('daemon.prestart', () => {
  it('starts a new session’s sandboxes before its first call, and status names their runtime', async () => {
    const client = await t.client();
    const events = new EventRecorder(client);
    const created = await client.request('session:create', { servers: ['testsrv'] });
    await client.request('session:attach', { sessionId: created.id });
    // No call has been made: the sandbox comes up on its own.
    const now = await client.request('session:get', { sessionId: created.id });
    const session = running(now)
      ? now
      : (await events.waitFor<SessionEventOf<'session:updated'>>((e) => e.type === 'session:updated' && running(e.session))).session;
    const [server] = session.servers;
    expect(server).toMatchObject({ name: 'testsrv', state: 'running', runtime: 'runc' });
    expect(await containerExists(server!.containerId!)).toBe(true);
    expect((await engine.inspect(server!.containerId!)).HostConfig).toMatchObject({ CpuPeriod: 1_000_000, CpuQuota: 500_000 });
    const status = await client.request('daemon:status', {});
    expect(status.containers.runtimes).toEqual({ runc: 1 });

    const result = await client.request('tools:call', {
      sessionId: created.id,
      server: 'testsrv',
      tool: 'echo',
      args: { message: 'ready' },
    });
    expect(result).toMatchObject({ ok: true, text: 'echo: ready' });
    // The call used the prestarted sandbox: still the same container.
    expect(await sessionContainer(client, created.id)).toBe(server!.containerId);
    await client.request('session:kill', { sessionId: created.id });
    expect(await containerExists(server!.containerId!)).toBe(false);
  });
});
