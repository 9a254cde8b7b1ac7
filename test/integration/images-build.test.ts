import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, rmSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import type { ContainerCreateOptions } from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageBuilder, type BuildProgress } from '../../daemon/images/builder.js';
import { firstFileOf } from '../../daemon/images/context.js';
import { DockerodeEngine } from '../../daemon/sandbox/dockerode-engine.js';
import { currentInstanceId } from '../../daemon/sandbox/instance.js';
import { LABELS } from '../../daemon/sandbox/labels.js';
import type { BuildRecipe, ServerConfig } from '../../src/config/catalog.js';
import type { BuildSettings } from '../../src/config/schema.js';
import { McpgwError } from '../../src/errors.js';
import { serverOf } from '../helpers/catalog.js';
import { containersOf, testRuntime } from '../helpers/docker.js';
import { writeSimpleIndex } from '../helpers/wheel.js';

/** The real engine, recording each build container as it starts (inspect data of the real container). */
class RecordingEngine extends DockerodeEngine {
  readonly builds: Docker.ContainerInspectInfo[] = [];
  creates = 0;

  override async create(spec: ContainerCreateOptions): Promise<string> {
    this.creates++;
    return super.create(spec);
  }

  override async start(id: string): Promise<void> {
    const info = await this.inspect(id);
    if (info.Config.Labels[LABELS.kind] === 'build') this.builds.push(info);
    return super.start(id);
  }
}

const engine = new RecordingEngine();
const SETTINGS: BuildSettings = { timeout: 600_000, memory: 2 * 1024 ** 3, npm: {}, pip: {} };
const builder = new ImageBuilder({ engine });
const work = mkdtempSync(path.join(tmpdir(), 'mcpgw-build-test-'));
/** Where the hostile packages write if any of their code ever runs on the host. Never created by the test. */
const hostMarkers = path.join(tmpdir(), `mcpgw-host-marker-${randomBytes(6).toString('hex')}`);
const canary = `canary-${randomBytes(8).toString('hex')}`;
process.env.MCPGW_BUILD_TEST_CANARY = canary;
const built: string[] = [];
const session = `images-build-${process.pid}`;
const runtime = testRuntime({ engine, resolveImage: (server) => builder.imageFor(server, { build: false }) });

afterAll(async () => {
  await runtime.closeAll();
  expect(await containersOf(session)).toEqual([]);
  expect(await engine.listManaged({ [LABELS.kind]: 'build', [LABELS.instance]: currentInstanceId() })).toEqual([]);
  for (const tag of built) await engine.removeImage(tag);
  rmSync(work, { recursive: true, force: true });
});

function server(name: string, build: BuildRecipe, command?: string): ServerConfig {
  return serverOf(name, { build, ...(command ? { command } : {}), timeout: '30s' });
}

async function buildOf(s: ServerConfig, using = builder): Promise<{ image: string; progress: BuildProgress[] }> {
  const progress: BuildProgress[] = [];
  const image = await using.build(s, (p) => progress.push(p));
  built.push(image);
  return { image, progress };
}

/** A file of an image, read from a created (never started) container. */
async function fileInImage(image: string, file: string): Promise<string | undefined> {
  const id = await engine.create({ Image: image, Labels: { [LABELS.managed]: 'true', [LABELS.instance]: currentInstanceId() } });
  try {
    const archive = await engine.getArchive(id, file).catch((err: unknown) => {
      if (err instanceof McpgwError && err.code === 'not_found') return undefined;
      throw err;
    });
    return archive ? (await firstFileOf(archive, 1024 * 1024))?.toString('utf8') : undefined;
  } finally {
    await engine.remove(id);
  }
}

const entrypointOf = async (image: string): Promise<unknown> => (await engine.docker.getImage(image).inspect()).Config.Entrypoint;

/** A local npm package directory. */
function npmPackage(name: string, manifest: Record<string, unknown>, files: Record<string, string> = {}): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...manifest }, null, 2));
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return dir;
}

/** Code that leaves a marker on the host (if it ever runs there) and records its uid next to itself. */
const markScript = `const fs = require('fs');
const stage = process.argv[2];
fs.mkdirSync(${JSON.stringify(hostMarkers)}, { recursive: true });
fs.writeFileSync(${JSON.stringify(hostMarkers)} + '/' + stage, 'ran');
fs.appendFileSync(__dirname + '/ran-as', stage + ' uid=' + process.getuid() + '\\n');
`;

const textOf = (result: { content: unknown }): string => (result.content as Array<{ text?: string }>).map((c) => c.text ?? '').join('\n');

describe('recipes are installed in a throwaway, locked-down build container', () => {
  it('runs the package manager as the sandbox user, without capabilities or host mounts, and removes the container', async () => {
    const pkg = npmPackage(
      'mcpgw-hello-bin',
      { bin: { 'mcpgw-hello-bin': 'bin.js' } },
      { 'bin.js': '#!/usr/bin/env node\nconsole.log("hi")\n' },
    );
    const { image } = await buildOf(server('hello', { npm: [pkg] }));

    const info = engine.builds.at(-1);
    expect(info).toBeDefined();
    if (!info) return;
    expect(info.Config.User).toBe('65534:65534');
    // Podman lists what "ALL" dropped from its default set instead of echoing it.
    const all = (await engine.facts()).kind === 'docker' ? ['ALL'] : expect.arrayContaining(['CHOWN', 'DAC_OVERRIDE', 'SETUID', 'SETGID']);
    expect(info.HostConfig.CapDrop).toEqual(all);
    expect(info.HostConfig.SecurityOpt).toEqual(['no-new-privileges']);
    expect(info.HostConfig.Privileged).toBe(false);
    expect(info.HostConfig.NetworkMode).toBe('bridge');
    expect(info.HostConfig.Memory).toBe(2 * 1024 ** 3);
    expect(info.HostConfig.PidsLimit).toBe(512);
    // No host path (Podman lists the named cache volume among Binds too; Docker only under Mounts).
    expect((info.HostConfig.Binds ?? []).filter((b) => b.startsWith('/'))).toEqual([]);
    expect(info.Mounts.map((m) => [m.Type, m.Name, m.Destination])).toEqual([['volume', 'mcpgw-cache-npm', '/cache']]);
    expect(info.Config.Labels).toMatchObject({ [LABELS.managed]: 'true', [LABELS.kind]: 'build', [LABELS.instance]: currentInstanceId() });
    // Nothing of this process's environment: only the image's and the build's own variables.
    expect(JSON.stringify(info.Config.Env)).not.toContain(canary);
    const names = info.Config.Env.map((e) => e.split('=')[0]).sort();
    // Podman adds TERM=xterm, container=podman and HOSTNAME (the container's own) to every container: nothing of ours.
    const engineAdds = (await engine.facts()).kind === 'podman' ? ['TERM', 'container', 'HOSTNAME'] : [];
    const allowed = ['PATH', 'HOME', 'NODE_ENV', 'TMPDIR', 'NODE_EXTRA_CA_CERTS', ...engineAdds];
    expect(names.filter((n) => !allowed.includes(n ?? '') && !/^npm_config_/.test(n ?? ''))).toEqual([]);
    expect(await engine.inspectExit(info.Id)).toBeUndefined();

    // The runtime image has /app and the bin as its entrypoint, but no npm; the builder has npm.
    expect(JSON.parse((await fileInImage(image, '/app/node_modules/mcpgw-hello-bin/package.json')) ?? '{}')).toMatchObject({
      name: 'mcpgw-hello-bin',
    });
    expect(await entrypointOf(image)).toEqual(['mcpgw-hello-bin']);
    expect(await fileInImage(image, '/usr/lib/node_modules/npm/package.json')).toBeUndefined();
    expect(await fileInImage(image, '/bin/sh')).toBeUndefined();
    expect(await fileInImage(await builder.builderTag('node'), '/usr/lib/node_modules/npm/package.json')).toContain('"name": "npm"');
  });

  it('reuses the image when the recipe is unchanged, without starting a container', async () => {
    const pkg = path.join(work, 'mcpgw-hello-bin');
    const creates = engine.creates;
    const fresh = new ImageBuilder({ engine });
    const { progress } = await buildOf(server('hello2', { npm: [pkg] }), fresh);
    expect(progress.map((p) => p.phase)).toEqual(['cached']);
    expect(engine.creates).toBe(creates);
  });

  it('removes the container and says so when a build runs past its timeout', async () => {
    const slow = new ImageBuilder({ engine, build: { ...SETTINGS, timeout: 1 } });
    const pkg = npmPackage('mcpgw-timeout', {});
    const before = engine.builds.length;
    await expect(slow.build(server('timeout', { npm: [pkg] }))).rejects.toThrow(
      /npm install \S+mcpgw-timeout timed out after 1 ?ms \(sandbox\.build\.timeout\); the build container was removed/,
    );
    const info = engine.builds.at(-1);
    expect(engine.builds.length).toBe(before + 1);
    expect(info && (await engine.inspectExit(info.Id))).toBeUndefined();
  });
});

describe('a package whose install tries to run code runs nothing on the host', () => {
  const scripts = { preinstall: 'node mark.js preinstall', install: 'node mark.js install', postinstall: 'node mark.js postinstall' };

  it('lifecycle scripts: off by default, so nothing runs anywhere', async () => {
    const pkg = npmPackage('mcpgw-evil-scripts', { scripts }, { 'mark.js': markScript });
    const { image } = await buildOf(server('evil-scripts', { npm: [pkg] }, 'node'));
    expect(existsSync(hostMarkers)).toBe(false);
    expect(await fileInImage(image, '/app/node_modules/mcpgw-evil-scripts/mark.js')).toBe(markScript);
    expect(await fileInImage(image, '/app/node_modules/mcpgw-evil-scripts/ran-as')).toBeUndefined();
  });

  it('lifecycle scripts with "scripts: true": they run inside the build container as uid 65534, without the shared cache', async () => {
    const pkg = path.join(work, 'mcpgw-evil-scripts');
    const { image } = await buildOf(server('evil-scripts-on', { npm: [pkg], scripts: true }, 'node'));
    expect(existsSync(hostMarkers)).toBe(false);
    expect(await fileInImage(image, '/app/node_modules/mcpgw-evil-scripts/ran-as')).toBe(
      'preinstall uid=65534\ninstall uid=65534\npostinstall uid=65534\n',
    );
    expect(engine.builds.at(-1)?.Mounts).toEqual([]);
  });

  const gitDependency = (): string => {
    const src = path.join(work, 'git-dep-src');
    npmPackage('git-dep-src', { name: 'mcpgw-evil-git-dep', scripts: { prepare: 'node mark.js prepare' } }, { 'mark.js': markScript });
    const bare = path.join(work, 'git-dep.git');
    const git = (args: string[], cwd: string): void => void execFileSync('git', args, { cwd, stdio: 'ignore' });
    git(['init', '-q'], src);
    git(['add', '.'], src);
    git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'x'], src);
    git(['clone', '-q', '--bare', src, bare], work);
    return `git+file://${bare}`;
  };

  it('a git dependency with "prepare": refused in the build container (no git there, --allow-git=none), nothing ran', async () => {
    const pkg = npmPackage('mcpgw-evil-git', { dependencies: { 'mcpgw-evil-git-dep': gitDependency() } });
    const err = await builder.build(server('evil-git', { npm: [pkg] }, 'node')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpgwError);
    expect((err as McpgwError).code).toBe('image_build_failed');
    expect((err as Error).message).toMatch(/^npm install \S+mcpgw-evil-git failed \(exit 1\) in the build container:\n[\s\S]*git/);
    expect(existsSync(hostMarkers)).toBe(false);
    expect(await engine.inspectExit(engine.builds.at(-1)?.Id ?? '')).toBeUndefined();
  });

  it('an .npmrc in the package that sets git= to a script: never read, nothing ran', async () => {
    const script = path.join(work, 'fake-git.sh');
    writeFileSync(script, `#!/bin/sh\nmkdir -p ${hostMarkers} && echo ran > ${hostMarkers}/fake-git\n`);
    chmodSync(script, 0o755);
    const pkg = npmPackage(
      'mcpgw-evil-npmrc',
      { dependencies: { 'mcpgw-evil-git-dep': `git+file://${path.join(work, 'git-dep.git')}` } },
      { '.npmrc': `git=${script}\n` },
    );
    await expect(builder.build(server('evil-npmrc', { npm: [pkg] }, 'node'))).rejects.toThrow(/in the build container:\n[\s\S]*git/);
    expect(existsSync(hostMarkers)).toBe(false);
  });
});

describe('Python recipes (build.pip) build in a container and run sandboxed', () => {
  // A fresh copy: the recipe hash covers its files' times, so this build cannot be served from an earlier one.
  const project = path.join(work, 'py-server');
  cpSync(fileURLToPath(new URL('../fixtures/py-server', import.meta.url)), project, { recursive: true });

  it('from a local project directory (an sdist build, inside the container), with no pip in the runtime image', async () => {
    const { image } = await buildOf(server('py-local', { pip: [project] }, 'mcpgw-py-server'));
    expect(engine.builds.at(-1)?.Mounts.map((m) => m.Name)).toEqual(['mcpgw-cache-pip']);
    const sandbox = await runtime.acquire(session, server('py-local', { pip: [project] }, 'mcpgw-py-server'));
    expect((await sandbox.listTools()).map((t) => t.name)).toEqual(['echo', 'add']);
    expect(textOf(await sandbox.callTool('add', { a: 2, b: 3 }))).toBe('5');
    expect(await fileInImage(image, '/opt/mcpgw/python/pip/__init__.py')).toBeUndefined();
    expect(await fileInImage(image, '/app/site/bin/mcpgw-py-server')).toMatch(/^#!\/usr\/bin\/python3\n/);
  });

  it('from a local PEP 503 file index, the console script found as uvx would find it', async () => {
    const index = writeSimpleIndex(path.join(work, 'index', 'simple'), 'mcpgw-py-server', {
      name: 'mcpgw-py-server',
      version: '0.1.0',
      files: { 'mcpgw_py_server.py': readFileSync(path.join(project, 'mcpgw_py_server.py'), 'utf8') },
      consoleScripts: { 'mcpgw-py-server': 'mcpgw_py_server:main' },
    });
    const recipe: BuildRecipe = { pip: ['mcpgw-py-server==0.1.0'], indexUrl: `file://${index}` };
    const { image } = await buildOf(server('py-index', recipe));
    expect(await entrypointOf(image)).toEqual(['mcpgw-py-server']);
    const sandbox = await runtime.acquire(session, server('py-index', recipe));
    expect(textOf(await sandbox.callTool('echo', { message: 'from a file index' }))).toMatch(
      /^echo: from a file index \(python 3\.\d+\.\d+, uid 65534\)$/,
    );
  });
});
