import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInstanceAlive } from '../../daemon/sandbox/instance.js';
import { SandboxRuntime } from '../../daemon/sandbox/runtime.js';
import { TEST_CONFIG_FILE } from '../helpers/catalog.js';
import { mcpgw, type CliResult } from '../helpers/cli.js';
import { engine } from '../helpers/docker.js';
import { freePort, makePki, startFaultyProxy, type CutRule, type TestPki } from '../helpers/tls-engine.js';

const CALL = ['--config', TEST_CONFIG_FILE, 'servers', 'test', 'testsrv', '--call', 'echo', '--args', '{"message":"x"}'];

/** One clear line on stderr: no stack trace, no second line. */
function expectOneLine(r: CliResult): void {
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/Uncaught|unhandled/i);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

/** The containers with these names that still exist on the real engine. */
async function stillThere(names: string[]): Promise<string[]> {
  const all = await engine.listManaged();
  return all.filter((c) => names.includes(c.name)).map((c) => c.name);
}

describe('faults on the connection to the engine', () => {
  let dir: string;
  let pki: TestPki;
  const proxies: Array<{ close: () => Promise<void> }> = [];

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mcpgw-faults-'));
    pki = makePki(dir);
  });
  afterAll(async () => {
    for (const p of proxies) await p.close();
  });

  async function through(cut: CutRule, deadAfterCut = false) {
    const proxy = await startFaultyProxy(pki, { cut, deadAfterCut });
    proxies.push(proxy);
    const env = { DOCKER_HOST: `tcp://127.0.0.1:${proxy.port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: pki.clientDir };
    return { proxy, env };
  }

  it('refused: names the endpoint, exit 3', async () => {
    const port = await freePort();
    const r = await mcpgw(CALL, { DOCKER_HOST: `tcp://127.0.0.1:${port}` });
    expectOneLine(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`cannot reach the engine at tcp://127\\.0\\.0\\.1:${port} to \\w+: connection refused`));
  });

  it('wrong TLS certificates (a client certificate from another CA): says the handshake failed, exit 3', async () => {
    const { env } = await through(() => false);
    const other = makePki(dir, 'other');
    const r = await mcpgw(CALL, { ...env, DOCKER_CERT_PATH: other.clientDir });
    expectOneLine(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/TLS handshake with the engine at tcp:\/\/127\.0\.0\.1:\d+ failed .*check DOCKER_CERT_PATH/);
  });

  it('dropped between create and start: one line, exit 3, the created container removed', async () => {
    // Only the start request is cut; the engine is reachable again for the removal.
    const { proxy, env } = await through(({ chunk }) => /^POST \S*\/containers\/\w+\/start/.test(chunk));
    const r = await mcpgw(CALL, env);
    expectOneLine(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/the connection to the engine at tcp:\/\/127\.0\.0\.1:\d+ failed while trying to start a container/);
    expect(proxy.cuts).toBe(1);
    expect(proxy.created).toHaveLength(1);
    expect(await stillThere(proxy.created)).toEqual([]);
  });

  it('dropped between create and start for good: the message names the left container and the purge removes it', async () => {
    const { proxy, env } = await through(({ chunk }) => /^POST \S*\/containers\/\w+\/start/.test(chunk), true);
    const r = await mcpgw(CALL, env);
    expectOneLine(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/could not be removed now \(it is labelled: the orphan purge when mcpd next starts removes it\)/);
    expect(proxy.created).toHaveLength(1);
    expect(r.stderr).toContain(proxy.created[0]);
    expect(await stillThere(proxy.created)).toEqual(proxy.created);
    // The orphan purge mcpd runs at start (its owner, the CLI, has exited).
    const purger = new SandboxRuntime({
      engine,
      instanceId: 'engine-faults-test',
      resolveImage: () => Promise.reject(new Error('unused')),
      resolveLaunch: () => Promise.reject(new Error('unused')),
      maxContainers: 1,
      maxConcurrentStarts: 1,
      maxMessageBytes: 1024,
      startTimeoutMs: 1000,
    });
    const purged = await purger.purgeOrphans(isInstanceAlive);
    expect(purged).toContain(proxy.created[0]);
    expect(await stillThere(proxy.created)).toEqual([]);
  });

  it('dropped mid-call: the sandbox is reported failed (exit 5), nothing crashes, the container is removed', async () => {
    // Cut the attach stream as the tool call goes down it; later connections (the removal) work.
    const { proxy, env } = await through(({ request, chunk }) => /\/attach\?/.test(request) && chunk.includes('"tools/call"'));
    const r = await mcpgw(CALL, env);
    expectOneLine(r);
    expect(proxy.cuts).toBe(1);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/"testsrv" (closed its connection|exited)/);
    expect(await stillThere(proxy.created)).toEqual([]);
  });
});
