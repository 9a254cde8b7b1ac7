import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkHostPath, checkTarget, hostPathPolicy, type HostPathPolicy } from '../../../daemon/config/host-paths.js';
import { parseConfigText } from '../../../daemon/config/load.js';

// A fake machine under a temp dir: a home with credentials, projects, mcpd's state and a runtime dir.
const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'mcpgw-paths-')));
const home = path.join(root, 'home', 'me');
const p = (...parts: string[]): string => path.join(home, ...parts);
let env: NodeJS.ProcessEnv;
let policy: HostPathPolicy;

beforeAll(() => {
  for (const dir of [
    '.ssh',
    '.aws',
    '.config/gcloud',
    'notes',
    'docs',
    'proj/build',
    'proj/node_modules/dep',
    'py',
    'cfg',
    'state',
    'run',
  ]) {
    mkdirSync(p(dir), { recursive: true });
  }
  writeFileSync(p('.ssh/id_ed25519'), 'key');
  writeFileSync(p('proj/package.json'), '{}');
  writeFileSync(p('proj/build/index.js'), '');
  writeFileSync(p('py/server.py'), '');
  writeFileSync(p('tool.js'), '');
  mkdirSync(p('cfg/dist'));
  writeFileSync(p('cfg/dist/x.whl'), '');
  writeFileSync(p('notes/a.txt'), 'a');
  symlinkSync(p('.ssh'), p('keys'));
  symlinkSync(p('notes'), p('notes-link'));
  env = { HOME: home, MCPGW_STATE_DIR: p('state'), XDG_RUNTIME_DIR: p('run') };
  policy = hostPathPolicy({ env, home, secretsFile: p('cfg', 'secrets.env') });
});

const refusedBecause = (target: string): string => {
  const check = checkHostPath(target, policy);
  if (check.ok) throw new Error(`${target} was allowed`);
  return check.reason;
};

describe('checkHostPath', () => {
  it('allows an ordinary directory and resolves symlinks', () => {
    expect(checkHostPath(p('notes'), policy)).toEqual({ ok: true, real: p('notes') });
    expect(checkHostPath(p('notes-link'), policy)).toEqual({ ok: true, real: p('notes') });
  });

  it.each([
    ['/', 'is the whole filesystem'],
    ['HOME', 'is your home directory'],
    ['HOME/.ssh', 'is inside ~/.ssh (SSH keys)'],
    ['HOME/.ssh/id_ed25519', 'is inside ~/.ssh'],
    ['HOME/.aws', 'is inside ~/.aws (AWS credentials)'],
    ['HOME/.config', 'contains ~/.config/gcloud'],
    ['HOME/keys', 'is inside ~/.ssh'], // a symlink into a denied dir
    ['HOME/state', "is inside mcpd's state directory"],
    ['HOME/run', 'is inside'],
    ['HOME/cfg', 'contains'], // the secrets.env beside the config
    ['HOME/..', 'contains ~/.ssh'], // a parent of home
    ['HOME/notes/../.ssh', 'is inside ~/.ssh'],
    ['/run', 'contains'],
    ['/var/run/docker.sock', 'container engine socket'],
    ['/proc/self', 'kernel interfaces'],
    ['HOME/nope', 'does not exist on this machine'],
  ])('refuses %s: %s', (target, reason) => {
    expect(refusedBecause(target.replace('HOME', home))).toContain(reason);
  });

  it('refuses the state directory mcpd was given even when the environment names another', () => {
    mkdirSync(p('other-state'), { recursive: true });
    const given = hostPathPolicy({ env, home, stateDir: p('other-state') });
    expect(checkHostPath(p('other-state'), given)).toEqual({
      ok: false,
      reason: expect.stringContaining("is inside mcpd's state directory"),
    });
  });

  it('says where a symlink leads', () => {
    expect(refusedBecause(p('keys'))).toBe(`${p('keys')} (→ ${p('.ssh')}) is inside ~/.ssh (SSH keys), which is never mounted`);
  });

  it.each([
    ['/', 'whole container filesystem'],
    ['/tmp', "the sandbox's private scratch space"],
    ['/proc/1', 'kernel interface'],
    ['/tmp/x', undefined],
    ['/data', undefined],
  ])('checks container target %s', (target, reason) => {
    const result = checkTarget(target);
    if (reason === undefined) expect(result).toBeUndefined();
    else expect(result).toContain(reason);
  });
});

/** Loads a config written beside the fake home's cfg dir, with the fake environment. */
function load(mcpServers: Record<string, unknown>) {
  return parseConfigText(JSON.stringify({ mcpServers }), p('cfg', 'config.json'), env);
}

describe('host paths in a config', () => {
  it('mounts the directories server-filesystem is given, read-only at the same path, with a notice each', () => {
    const { catalog, notices } = load({
      fs: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', p('notes'), `${p('docs')}/`] },
    });
    expect(catalog.servers.get('fs')?.mounts).toEqual([
      { source: p('notes'), target: p('notes'), readOnly: true },
      { source: p('docs'), target: p('docs'), readOnly: true },
    ]);
    expect(notices).toContain(
      `mcpServers.fs: mounted ${p('notes')} read-only at the same path; to make it writable add "mounts": ["${p('notes')}:${p('notes')}:rw"]`,
    );
  });

  it('mounts a symlinked directory from where it leads, at the path the server is given', () => {
    const { catalog } = load({ fs: { command: 'mcp-server-filesystem', args: [p('notes-link')], build: { npm: ['x'] } } });
    expect(catalog.servers.get('fs')?.mounts).toEqual([{ source: p('notes'), target: p('notes-link'), readOnly: true }]);
  });

  it('mounts the package of a node script (its node_modules resolve) and the directory of a Python script', () => {
    const { catalog, notices } = load({
      js: { command: 'node', args: [p('proj/build/index.js'), '--root', p('notes')] },
      py: { command: 'python3', args: [p('py/server.py')] },
    });
    expect(catalog.servers.get('js')?.mounts).toEqual([
      { source: p('proj'), target: p('proj'), readOnly: true },
      { source: p('notes'), target: p('notes'), readOnly: true },
    ]);
    expect(catalog.servers.get('py')?.mounts).toEqual([{ source: p('py'), target: p('py'), readOnly: true }]);
    expect(notices).toContain(
      `mcpServers.js: mounted ${p('proj')} (the package of ${p('proj/build/index.js')}) read-only at the same path; ` +
        `to make it writable add "mounts": ["${p('proj')}:${p('proj')}:rw"]`,
    );
  });

  it('mounts only the file for a script that lives in the home directory itself', () => {
    const { catalog } = load({ t: { command: 'node', args: [p('tool.js')] } });
    expect(catalog.servers.get('t')?.mounts).toEqual([{ source: p('tool.js'), target: p('tool.js'), readOnly: true }]);
  });

  it('reads --opt=/path, skips paths the host does not have and paths an explicit mount covers', () => {
    const { catalog } = load({
      s: {
        command: 'node',
        args: ['/srv/not-here.js', `--root=${p('docs')}`, p('notes')],
        mounts: [`${p('notes')}:${p('notes')}:rw`],
      },
    });
    expect(catalog.servers.get('s')?.mounts).toEqual([
      { source: p('notes'), target: p('notes'), readOnly: false },
      { source: p('docs'), target: p('docs'), readOnly: true },
    ]);
  });

  it('never infers mounts for an image entry: its args are paths inside the image', () => {
    const { catalog } = load({ img: { image: 'some/image', args: [p('notes')] } });
    expect(catalog.servers.get('img')?.mounts).toEqual([]);
  });

  it.each([
    [
      'a denied directory in args',
      { command: 'mcp-server-filesystem', build: { npm: ['x'] }, args: [p('.ssh')] },
      'args',
      'is inside ~/.ssh',
    ],
    ['a parent of a denied directory', { command: 'node', args: ['/srv/x.js', path.dirname(home)] }, 'args', 'contains ~/.ssh'],
    ['the home directory', { command: 'npx', args: ['-y', 'server-filesystem', home] }, 'args', 'is your home directory'],
    ['a symlink into a denied directory', { command: 'node', args: ['/srv/x.js', p('keys')] }, 'args', 'is inside ~/.ssh'],
    ['an explicit mount of a denied directory', { command: 'node', mounts: ['~/.aws:/aws'] }, 'mounts.0', 'is inside ~/.aws'],
    ['an explicit mount that does not exist', { command: 'node', mounts: ['./missing:/m'] }, 'mounts.0', 'does not exist on this machine'],
    ['an explicit mount over /tmp', { command: 'node', mounts: [`${p('notes')}:/tmp`] }, 'mounts.0', "the sandbox's private scratch space"],
    [
      'a docker -v of the docker socket',
      { command: 'docker', args: ['run', '-i', '-v', '/var/run/docker.sock:/s', 'img'] },
      'mounts.0',
      'container engine socket',
    ],
    ['a local build spec in a denied directory', { build: { npm: [p('.ssh')] }, command: 'x' }, 'build', 'cannot build from'],
  ])('makes only the entry with %s unavailable', (_name, entry, where, reason) => {
    const { catalog } = load({ bad: entry, good: { command: 'node', args: [p('notes')] } });
    expect(catalog.servers.has('good')).toBe(true);
    expect(catalog.unavailable.get('bad')).toEqual({
      name: 'bad',
      path: `mcpServers.bad.${where}`,
      reason: expect.stringContaining(reason),
    });
  });

  it('resolves relative mounts, local specs and env files against the config file', () => {
    const { catalog } = load({
      s: { command: 'node', mounts: ['../notes:/notes'], envFile: 'vars.env' },
      py: { command: 'python3', build: { pip: ['../py', 'dist/x.whl', 'requests>=2'] } },
    });
    expect(catalog.servers.get('s')).toMatchObject({ mounts: [{ source: p('notes'), target: '/notes' }], envFiles: [p('cfg/vars.env')] });
    expect(catalog.servers.get('py')?.build).toEqual({ pip: [p('py'), p('cfg/dist/x.whl'), 'requests>=2'] });
    expect(catalog.secretsFile).toBe(p('cfg/secrets.env'));
  });
});
