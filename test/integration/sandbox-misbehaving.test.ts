import { afterAll, describe, expect, it } from 'vitest';
import { testServer } from '../helpers/catalog.js';
import { containersOf, testRuntime } from '../helpers/docker.js';

const logs: string[] = [];
const runtime = testRuntime({ maxMessageBytes: 4 * 1024 * 1024, onLog: (_s, _srv, line) => logs.push(line) });
const session = `misbehaving-${process.pid}`;

afterAll(async () => {
  await runtime.closeAll();
  expect(await containersOf(`${session}-a`)).toEqual([]);
  expect(await containersOf(`${session}-b`)).toEqual([]);
  expect(await containersOf(`${session}-c`)).toEqual([]);
});

const textOf = (result: { content: unknown }): string => (result.content as Array<{ text?: string }>)[0]?.text ?? '';

describe('servers that misbehave', () => {
  it('stderr noise and a garbage stdout line never corrupt JSON-RPC', async () => {
    const sandbox = await runtime.acquire(`${session}-a`, testServer('testsrv'));
    const result = await sandbox.callTool('noisy', { lines: 50 });
    expect(textOf(result)).toBe('survived the noise');
    // stderr is a pipe of its own: its lines may arrive just after the answer.
    await expect.poll(() => logs).toEqual(expect.arrayContaining(['noise line 0', 'noise line 49']));
    expect(logs.some((l) => l.includes('non JSON-RPC line') && l.includes('this is not json-rpc'))).toBe(true);
    expect(textOf(await sandbox.callTool('echo', { message: 'still fine' }))).toBe('echo: still fine');
  });

  it('a response over the size cap fails that call with a clear error; the server keeps serving', async () => {
    const sandbox = await runtime.acquire(`${session}-a`, testServer('testsrv'));
    const error = await sandbox.callTool('huge', { mb: 6 }).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'message_too_large' });
    expect((error as Error).message).toMatch(/exceeds the 4\.0 MiB cap/);
    expect(textOf(await sandbox.callTool('echo', { message: 'after huge' }))).toBe('echo: after huge');
  });

  it('64 MB written without a newline does not take the process down; the caller learns why', async () => {
    const sandbox = await runtime.acquire(`${session}-c`, testServer('testsrv'));
    const before = process.memoryUsage().rss;
    const error = await sandbox.callTool('flood', { mb: 64 }, { timeoutMs: 5000 }).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'message_too_large' });
    // The framer discards past the cap instead of buffering: memory grows by far less than 64 MB.
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
    await runtime.release(`${session}-c`);
  });

  it('a crash rejects that sandbox’s pending calls with exit code and stderr; another sandbox keeps working', async () => {
    const victim = await runtime.acquire(`${session}-b`, testServer('testsrv'));
    const bystander = await runtime.acquire(`${session}-a`, testServer('testsrv'));
    const pending = victim.callTool('sleep', { ms: 60_000 }).catch((err: unknown) => err);
    const crash = victim.callTool('crash', { code: 7 }).catch((err: unknown) => err);
    for (const error of await Promise.all([pending, crash])) {
      expect(error).toMatchObject({ code: 'sandbox_crashed' });
      expect((error as Error).message).toMatch(/exited with code 7; last stderr:\n\s+about to crash on purpose/);
    }
    expect(textOf(await bystander.callTool('echo', { message: 'unaffected' }))).toBe('echo: unaffected');
    // The crashed sandbox is removed; the next acquire starts a fresh one.
    await expect.poll(() => containersOf(`${session}-b`)).toEqual([]);
    const fresh = await runtime.acquire(`${session}-b`, testServer('testsrv'));
    expect(fresh).not.toBe(victim);
    expect(textOf(await fresh.callTool('echo', { message: 'respawned' }))).toBe('echo: respawned');
  });

  it('cancelling a call tells the server and frees the caller at once', async () => {
    const sandbox = await runtime.acquire(`${session}-a`, testServer('testsrv'));
    const controller = new AbortController();
    const call = sandbox.callTool('sleep', { ms: 60_000 }, { signal: controller.signal }).catch((err: unknown) => err);
    controller.abort();
    expect(await call).toMatchObject({ code: 'cancelled' });
    await expect.poll(() => logs.some((l) => /^cancelled request \d+$/.test(l))).toBe(true);
  });

  it('progress notifications and server log messages reach the caller', async () => {
    const sandbox = await runtime.acquire(`${session}-a`, testServer('testsrv'));
    const steps: string[] = [];
    await sandbox.callTool('progress', { steps: 3 }, { onProgress: (p) => steps.push(`${p.progress}/${p.total} ${p.message}`) });
    expect(steps).toEqual(['1/3 step 1', '2/3 step 2', '3/3 step 3']);
    expect(logs).toContain('[info test] progress done');
  });
});
