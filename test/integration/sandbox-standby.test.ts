import { afterAll, describe, expect, it } from 'vitest';
import { POOL_SESSION, type SandboxRuntime } from '../../daemon/sandbox/runtime.js';
import { currentInstanceId } from '../../daemon/sandbox/instance.js';
import { LABELS } from '../../daemon/sandbox/labels.js';
import { testServer } from '../helpers/catalog.js';
import { containersOf, engine, testLaunch, testRuntime } from '../helpers/docker.js';

const session = `standby-${process.pid}`;
const server = testServer('testsrv');

/** The standby containers of this process's runtimes for the test server (created, never started). */
async function standbys(): Promise<Array<{ id: string; state: string }>> {
  const mine = await engine.listManaged({
    [LABELS.session]: POOL_SESSION,
    [LABELS.server]: server.name,
    [LABELS.instance]: currentInstanceId(),
  });
  return mine.map((c) => ({ id: c.id, state: c.state }));
}

/** Once the standby made after the last start is there. */
async function waitForStandby(runtime: SandboxRuntime): Promise<void> {
  await runtime.settled();
  expect(runtime.stats().standby).toBe(1);
}

afterAll(async () => {
  for (const s of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) expect(await containersOf(`${session}-${s}`)).toEqual([]);
});

describe('standby containers', () => {
  it('are made after a session starts a server, never run, and are what the next session starts', async () => {
    const runtime = testRuntime({ standby: true });
    try {
      const a = await runtime.acquire(`${session}-a`, server);
      await waitForStandby(runtime);
      const [waiting] = (await standbys()).filter((c) => c.id !== a.containerId);
      // Created and never started: no process, no CPU, no memory.
      expect(waiting?.state).toBe('created');
      const b = await runtime.acquire(`${session}-b`, server);
      expect(b.containerId).toBe(waiting!.id);
      expect(b.sessionId).toBe(`${session}-b`);
      const result = await b.callTool('echo', { message: 'from a standby' });
      expect(result.content).toEqual([{ type: 'text', text: 'echo: from a standby' }]);
      // The next one is made for the session after.
      await waitForStandby(runtime);
    } finally {
      await runtime.closeAll();
    }
    expect((await standbys()).filter((c) => c.state === 'created')).toEqual([]);
  });

  it('is never taken by a start whose launch changed since it was made (a rotated secret): that one is removed', async () => {
    let secret = 'first';
    const runtime = testRuntime({
      standby: true,
      resolveLaunch: async (s) => {
        const launch = await testLaunch.resolve(s);
        return { ...launch, env: { ...launch.env, TOKEN: secret } };
      },
    });
    try {
      await runtime.acquire(`${session}-c`, server);
      await waitForStandby(runtime);
      const [stale] = (await standbys()).filter((c) => c.state === 'created');
      secret = 'rotated';
      const d = await runtime.acquire(`${session}-d`, server);
      expect(d.containerId).not.toBe(stale!.id);
      const env = (await engine.inspect(d.containerId)).Config.Env;
      expect(env).toContain('TOKEN=rotated');
      await expect.poll(async () => (await standbys()).some((c) => c.id === stale!.id)).toBe(false);
    } finally {
      await runtime.closeAll();
    }
  });

  it('are removed when nobody takes them within the idle timeout', async () => {
    const runtime = testRuntime({ standby: true });
    try {
      await runtime.acquire(`${session}-e`, server);
      await waitForStandby(runtime);
      await runtime.release(`${session}-e`);
      await runtime.reapIdle(0);
      expect(runtime.stats().standby).toBe(0);
      expect((await standbys()).filter((c) => c.state === 'created')).toEqual([]);
    } finally {
      await runtime.closeAll();
    }
  });

  it('are not made for a server with a warm pool (its pool already hides the start)', async () => {
    const runtime = testRuntime({ standby: true });
    try {
      runtime.warm(server, 1);
      await expect.poll(() => runtime.stats().pooled, { timeout: 15_000 }).toBe(1);
      await runtime.acquire(`${session}-f`, server);
      // The pool is refilling: this one starts cold, and leaves no standby behind.
      await runtime.acquire(`${session}-g`, server);
      await runtime.settled();
      expect(runtime.stats().pooled).toBe(1);
      expect(runtime.stats().standby).toBe(0);
      expect((await standbys()).filter((c) => c.state === 'created')).toEqual([]);
    } finally {
      await runtime.closeAll();
    }
  });
});
