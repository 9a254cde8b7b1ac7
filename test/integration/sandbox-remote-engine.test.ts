import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_CONFIG_FILE } from '../helpers/catalog.js';
import { mcpgw } from '../helpers/cli.js';
import { makePki, startStunnel, type TestPki } from '../helpers/tls-engine.js';

const FIXTURES = path.dirname(TEST_CONFIG_FILE);

describe('a remote engine over TCP with TLS (stunnel in front of the Docker socket, client certificates)', () => {
  let dir: string;
  let pki: TestPki;
  let tunnel: Awaited<ReturnType<typeof startStunnel>>;
  let env: Record<string, string>;
  const written: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mcpgw-remote-'));
    pki = makePki(dir);
    tunnel = await startStunnel(dir, pki);
    env = { DOCKER_HOST: `tcp://127.0.0.1:${tunnel.port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: pki.clientDir };
  });
  afterAll(async () => {
    await tunnel.stop();
    for (const f of written) rmSync(f, { force: true });
  });

  /** The test catalog with a `sandbox` section, in the fixtures directory so its relative mounts still resolve. */
  function configWith(sandbox: Record<string, unknown>): string {
    const file = path.join(FIXTURES, `.remote-engine-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
    const base = JSON.parse(readFileSync(TEST_CONFIG_FILE, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...base, sandbox }));
    written.push(file);
    return file;
  }

  it('runs a server and calls a tool through DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH', async () => {
    const r = await mcpgw(
      ['--config', TEST_CONFIG_FILE, 'servers', 'test', 'testsrv', '--call', 'echo', '--args', '{"message":"over tls"}'],
      env,
    );
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('echo: over tls');
  });

  it('runs the same through sandbox.engine in the config (which beats DOCKER_HOST)', async () => {
    const config = configWith({ engine: `tcp://127.0.0.1:${tunnel.port}` });
    // DOCKER_HOST points nowhere: only the config's engine can make this work.
    const r = await mcpgw(['--config', config, 'servers', 'test', 'testsrv', '--call', 'echo', '--args', '{"message":"by config"}'], {
      ...env,
      DOCKER_HOST: 'tcp://127.0.0.1:1',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('echo: by config');
  });

  it('refuses host-path mounts for a remote engine, and says how to allow them', async () => {
    const r = await mcpgw(['--config', TEST_CONFIG_FILE, 'servers', 'test', 'filesystem'], env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `refused mount: the engine at tcp://127\\.0\\.0\\.1:${tunnel.port} is remote, .*fs-data would be that machine's path \\(set sandbox\\.sharedFilesystem: true`,
      ),
    );
    const ls = await mcpgw(['--config', TEST_CONFIG_FILE, 'servers', 'ls'], env);
    expect(ls.stdout).toMatch(/^filesystem\s+unavailable/m);
  });

  it('allows them when the config says the engine shares this filesystem', async () => {
    const config = configWith({ sharedFilesystem: true });
    const r = await mcpgw(['--config', config, 'servers', 'test', 'filesystem', '--call', 'list_allowed_directories'], env);
    expect(r.stderr).not.toContain('refused mount');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('/data');
  });
});
