import { afterAll, describe, expect, it } from 'vitest';
import { sessionContainer, startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { engine } from '../helpers/docker.js';

const daemons: TestDaemon[] = [];

afterAll(async () => {
  for (const t of daemons) await t.stop();
});

/** The session label of the container a session's first call ran in. */
async function firstCallLabel(t: TestDaemon): Promise<{ label: string | undefined; session: string }> {
  const client = await t.client();
  const session = await client.request('session:create', { servers: ['testsrv'] });
  const result = await client.request('tools:call', { sessionId: session.id, server: 'testsrv', tool: 'echo', args: { message: 'first' } });
  expect(result).toMatchObject({ ok: true, text: 'echo: first' });
  const container = await sessionContainer(client, session.id);
  return { label: (await engine.inspect(container!)).Config.Labels['mcpgw.session'], session: session.id };
}

describe('standby containers made at mcpd’s start', () => {
  it('wait for each server whose image is built, and the first session’s start takes one', async () => {
    const t = await startTestDaemon();
    daemons.push(t);
    const client = await t.client();
    // Made in the background after start, one server after another: nothing signals them, so the engine is asked.
    const testsrvStandby = async (): Promise<number> =>
      (await engine.listManaged({ 'mcpgw.instance': t.daemon.instance, 'mcpgw.session': 'pool', 'mcpgw.server': 'testsrv' })).filter(
        (c) => c.state === 'created',
      ).length;
    await expect.poll(testsrvStandby, { timeout: 30_000 }).toBe(1);
    const before = (await client.request('daemon:status', {})).containers;
    expect(before.standby).toBeGreaterThan(0);
    // Created, never started: none of them counts as running.
    expect(before.running).toBe(0);
    // Made before any session existed: labelled for none.
    expect((await firstCallLabel(t)).label).toBe('pool');
  });

  it('are not made with sandbox.standby off: every start creates its own container', async () => {
    const t = await startTestDaemon({ config: { sandbox: { standby: false } } });
    daemons.push(t);
    const { label, session } = await firstCallLabel(t);
    expect(label).toBe(session);
    const client = await t.client();
    await client.request('tools:call', { sessionId: session, server: 'testsrv', tool: 'echo', args: { message: 'again' } });
    expect((await client.request('daemon:status', {})).containers.standby ?? 0).toBe(0);
  });
});
