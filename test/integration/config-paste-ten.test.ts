import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocalSandboxes, type LocalSandboxes } from '../../cli/local/sandboxes.js';
import { loadConfig } from '../../daemon/config/load.js';
import { buildContext } from '../../daemon/images/context.js';
import type { Catalog } from '../../src/config/catalog.js';
import { TEST_CONFIG_FILE, testServer } from '../helpers/catalog.js';
import { mcpgw } from '../helpers/cli.js';
import { builder, containersOf, engine } from '../helpers/docker.js';
import { writeSimpleIndex } from '../helpers/wheel.js';

// One config as a new user would paste it, with every form issue 9 names: each entry either lists its tools and
// answers a call in its sandbox, or is unavailable with the reason a person needs.
const FIXTURES = path.dirname(TEST_CONFIG_FILE);
const work = mkdtempSync(path.join(tmpdir(), 'mcpgw-paste-'));
const dirA = path.join(work, 'notes');
const dirB = path.join(work, 'papers');
const KEY = `paste-key-${process.pid}-${Date.now()}`;
const DOCKER_SECRET = `paste-docker-${process.pid}`;
const IMAGE = `mcpgw-test/paste-docker:${process.pid}`;
const session = `paste-${process.pid}`;
let configFile: string;
let catalog: Catalog;
let local: LocalSandboxes;

const textOf = (result: { content: unknown }): string => (result.content as Array<{ text?: string }>)[0]?.text ?? '';
const sha = (v: string): string => createHash('sha256').update(v).digest('hex');

beforeAll(async () => {
  mkdirSync(dirA);
  mkdirSync(dirB);
  writeFileSync(path.join(dirA, 'todo.md'), '- buy milk\n');
  writeFileSync(path.join(dirB, 'draft.txt'), 'a draft\n');
  // A local Node server outside any package of ours (its sibling module must resolve), and a Python script.
  const nodeDir = path.join(work, 'node-server');
  mkdirSync(nodeDir);
  for (const f of ['server.js', 'probe.js', 'package.json']) copyFileSync(path.join(FIXTURES, 'test-server', f), path.join(nodeDir, f));
  const pyDir = path.join(work, 'py-script');
  mkdirSync(pyDir);
  copyFileSync(path.join(FIXTURES, 'py-server', 'mcpgw_py_server.py'), path.join(pyDir, 'server.py'));
  // uvx resolves from a PEP 503 file index (PyPI is not reachable here; users point pip at a mirror the same way).
  const index = writeSimpleIndex(path.join(work, 'index'), 'mcpgw-py-server', {
    name: 'mcpgw-py-server',
    version: '0.1.0',
    files: { 'mcpgw_py_server.py': readFileSync(path.join(FIXTURES, 'py-server', 'mcpgw_py_server.py'), 'utf8') },
    consoleScripts: { 'mcpgw-py-server': 'mcpgw_py_server:main' },
  });
  // The `docker run` entry's image: the test server with its own entrypoint, as a published image would have.
  const testsrv = await builder.imageFor(testServer('testsrv'), { build: false });
  await engine.buildImage(buildContext(`FROM ${testsrv}\nENTRYPOINT ["mcpgw-test-server"]`, [], []), IMAGE, {}, () => undefined);

  const configDir = path.join(work, 'config');
  mkdirSync(configDir);
  configFile = path.join(configDir, 'config.json');
  const pasted = {
    everything: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything@2026.8.31'] },
    fetchpy: { command: 'uvx', args: ['mcpgw-py-server'] },
    script: { command: 'python3', args: [path.join(pyDir, 'server.py')] },
    local: { command: 'node', args: [path.join(nodeDir, 'server.js')], env: { API_KEY: '${MCPGW_PASTE_KEY}' } },
    files: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem@2026.8.31', dirA, dirB] },
    docker: {
      command: 'docker',
      args: ['run', '-i', '--rm', '-e', 'GREETING=hello', '-e', 'MCPGW_PASTE_DOCKER', '-v', `${dirA}:/data:ro`, IMAGE],
    },
    privileged: { command: 'docker', args: ['run', '-i', '--rm', '--privileged', IMAGE] },
    remote: { url: 'https://mcp.example.com/mcp' },
    secretless: {
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-everything@2026.8.31'],
      env: { TOKEN: '${MCPGW_PASTE_MISSING}' },
    },
    'bad.name': { command: 'node', args: [path.join(nodeDir, 'server.js')] },
  };
  writeFileSync(configFile, JSON.stringify({ mcpServers: pasted, sandbox: { build: { pip: { indexUrl: `file://${index}` } } } }));
  process.env.MCPGW_PASTE_KEY = KEY;
  process.env.MCPGW_PASTE_DOCKER = DOCKER_SECRET;
  catalog = (await loadConfig(configFile)).catalog;
  local = openLocalSandboxes(catalog, { build: true });
}, 600_000);

afterAll(async () => {
  await local?.runtime.closeAll();
  await engine.removeImage(IMAGE);
  delete process.env.MCPGW_PASTE_KEY;
  delete process.env.MCPGW_PASTE_DOCKER;
  expect(await containersOf(session)).toEqual([]);
});

/** Starts the named server in this test's session (building its image if needed). */
async function start(name: string) {
  const server = catalog.servers.get(name);
  if (!server) throw new Error(`${name} is not runnable: ${catalog.unavailable.get(name)?.reason ?? 'unknown'}`);
  return local.runtime.acquire(session, server);
}

describe('a pasted config of ten entries', () => {
  it('lists every entry; the ones that cannot run say why, with nothing loosened silently', async () => {
    const r = await mcpgw(['--config', configFile, 'servers', 'ls', '--json'], { MCPGW_PASTE_KEY: KEY, MCPGW_PASTE_DOCKER: DOCKER_SECRET });
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as {
      servers: Array<{ name: string; available: boolean; reason?: string; mounts: string }>;
      notices: string[];
    };
    const byName = new Map(listed.servers.map((s) => [s.name, s]));
    expect(listed.servers.filter((s) => s.available).map((s) => s.name)).toEqual([
      'everything',
      'fetchpy',
      'script',
      'local',
      'files',
      'docker',
    ]);
    expect(byName.get('privileged')?.reason).toMatch(/--privileged/);
    expect(byName.get('remote')?.reason).toMatch(/remote/);
    expect(byName.get('secretless')?.reason).toMatch(/MCPGW_PASTE_MISSING/);
    expect(byName.get('bad.name')?.reason).toMatch(/name/);
    // Each inferred host mount is named in a notice that says how to make it writable, and shown read-only.
    expect(listed.notices.filter((n) => n.startsWith('mcpServers.files:') && /read-only/.test(n)).join('\n')).toContain(dirA);
    expect(byName.get('files')?.mounts).toBe(`${dirA}:${dirA}, ${dirB}:${dirB}`);
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it('npx: server-everything answers echo', async () => {
    const sandbox = await start('everything');
    expect((await sandbox.listTools()).map((t) => t.name)).toContain('echo');
    expect(textOf(await sandbox.callTool('echo', { message: 'pasted' }))).toBe('Echo: pasted');
  });

  it('uvx from a local index: the Python server answers as uid 65534', async () => {
    const sandbox = await start('fetchpy');
    expect((await sandbox.listTools()).map((t) => t.name)).toEqual(['echo', 'add']);
    expect(textOf(await sandbox.callTool('echo', { message: 'from uvx' }))).toMatch(/^echo: from uvx \(python 3\.\d+\.\d+, uid 65534\)$/);
  });

  it('python3 /path/script.py: the script is mounted and runs on the Python base', async () => {
    const sandbox = await start('script');
    expect(textOf(await sandbox.callTool('add', { a: 2, b: 3 }))).toBe('5');
  });

  it('node /path/server.js with a ${VAR} secret: the script and its sibling module are mounted; the secret arrived', async () => {
    const sandbox = await start('local');
    expect(textOf(await sandbox.callTool('echo', { message: 'local' }))).toBe('echo: local');
    expect(JSON.parse(textOf(await sandbox.callTool('digest', { env: 'API_KEY' })))).toMatchObject({ env: sha(KEY) });
  });

  it('server-filesystem with two host directories: lists them, cannot write to a read-only one', async () => {
    const sandbox = await start('files');
    const allowed = textOf(await sandbox.callTool('list_allowed_directories', {}));
    expect(allowed).toContain(dirA);
    expect(allowed).toContain(dirB);
    expect(textOf(await sandbox.callTool('list_directory', { path: dirA }))).toContain('todo.md');
    expect(textOf(await sandbox.callTool('read_text_file', { path: path.join(dirB, 'draft.txt') }))).toContain('a draft');
    const write = await sandbox.callTool('write_file', { path: path.join(dirA, 'new.md'), content: 'x' });
    expect(write.isError).toBe(true);
    expect(textOf(write)).toMatch(/read-only|EROFS/i);
  });

  it('docker run -e -v: runs with the full hardening, its env and its read-only mount', async () => {
    const sandbox = await start('docker');
    expect(JSON.parse(textOf(await sandbox.callTool('digest', { env: 'GREETING' })))).toMatchObject({ env: sha('hello') });
    expect(JSON.parse(textOf(await sandbox.callTool('digest', { env: 'MCPGW_PASTE_DOCKER' })))).toMatchObject({ env: sha(DOCKER_SECRET) });
    const info = await engine.inspect(sandbox.containerId);
    expect(info.Config.User).toBe('65534:65534');
    expect(info.Config.Image).toBe(IMAGE);
    expect(info.HostConfig).toMatchObject({
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      Memory: 512 * 1024 ** 2,
      CpuPeriod: 1_000_000,
      CpuQuota: 500_000,
      PidsLimit: 128,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
    });
    expect(info.HostConfig.Privileged).toBe(false);
    expect(info.Mounts).toEqual([expect.objectContaining({ Type: 'bind', Source: dirA, Destination: '/data', RW: false })]);
  });
});
