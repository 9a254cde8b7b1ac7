import { describe, expect, it } from 'vitest';
import { formatConfigIssues, parseCatalog } from '../../../src/config/catalog.js';
import { convertLauncher } from '../../../src/config/launchers.js';
import { convertPython, scriptName } from '../../../src/config/python.js';

const ok = (command: string, args: string[]) => {
  const result = convertLauncher(command, args);
  if (!result?.ok) throw new Error(`not converted: ${JSON.stringify(result)}`);
  return result;
};
const refused = (command: string, args: string[]): string => {
  const result = convertLauncher(command, args);
  if (result?.ok !== false) throw new Error(`not refused: ${JSON.stringify(result)}`);
  return result.reason;
};

describe('uvx', () => {
  it.each([
    [['mcp-server-git'], ['mcp-server-git'], 'mcp-server-git', []],
    [['mcp-server-git', '--repository', '/repo'], ['mcp-server-git'], 'mcp-server-git', ['--repository', '/repo']],
    [['mcp-server-fetch@2025.1.17'], ['mcp-server-fetch==2025.1.17'], 'mcp-server-fetch', []],
    [['mcp-server-fetch@latest'], ['mcp-server-fetch'], 'mcp-server-fetch', []],
    [['mcp-server-time==0.6.2'], ['mcp-server-time==0.6.2'], 'mcp-server-time', []],
    [['pkg[extra]>=1,<2', 'x'], ['pkg[extra]>=1,<2'], 'pkg', ['x']],
    [['--from', 'git+https://example.com/org/repo', 'the-tool', '-v'], ['git+https://example.com/org/repo'], 'the-tool', ['-v']],
    [['--from=/home/me/proj', 'proj-server'], ['/home/me/proj'], 'proj-server', []],
    [['--with', 'numpy', '--with=pandas==2', 'mcp-stats'], ['mcp-stats', 'numpy', 'pandas==2'], 'mcp-stats', []],
    [['-q', '--no-cache', 'mcp-server-git'], ['mcp-server-git'], 'mcp-server-git', []],
    [['--', 'mcp-server-git', '--', 'x'], ['mcp-server-git'], 'mcp-server-git', ['--', 'x']],
  ])('uvx %j → pip %j, command %s, args %j', (args, pip, command, tail) => {
    expect(ok('uvx', args)).toEqual({
      ok: true,
      runtime: 'python',
      build: { pip },
      command,
      args: tail,
      notices: [expect.stringContaining('converted "uvx')],
    });
  });

  it('ignores --python with a notice: the sandbox runs its base image’s Python', () => {
    const result = ok('uvx', ['--python', '3.12', 'mcp-server-git']);
    expect(result.build).toEqual({ pip: ['mcp-server-git'] });
    expect(result.notices).toEqual([
      expect.stringContaining('build.pip: ["mcp-server-git"], command "mcp-server-git"'),
      'ignored "--python 3.12": the sandbox runs the Python of its base image',
    ]);
  });

  it('runs `uv tool run` like uvx, from any path', () => {
    expect(ok('/home/me/.local/bin/uv', ['tool', 'run', 'mcp-server-git'])).toMatchObject({
      build: { pip: ['mcp-server-git'] },
      command: 'mcp-server-git',
    });
    expect(ok('/opt/bin/uvx', ['mcp-server-git'])).toMatchObject({ command: 'mcp-server-git' });
  });

  it.each([
    [['--index-url', 'https://example.com/simple', 'pkg'], 'uvx option "--index-url" is not supported per server: set the index in pip'],
    [['--default-index=file:///srv/index', 'pkg'], 'uvx option "--default-index" is not supported per server'],
    [['--with-requirements', 'r.txt', 'pkg'], 'uvx option "--with-requirements" is not supported'],
    [['--from'], 'uvx option "--from" needs a value'],
    [['-q'], 'names no package to run'],
  ])('refuses uvx %j clearly', (args, reason) => {
    expect(refused('uvx', args)).toContain(reason);
  });
});

describe('pipx run', () => {
  it.each([
    [['run', 'mcp-server-git'], ['mcp-server-git'], 'mcp-server-git', []],
    [
      ['run', 'mcp-server-time==0.6.2', '--local-timezone', 'UTC'],
      ['mcp-server-time==0.6.2'],
      'mcp-server-time',
      ['--local-timezone', 'UTC'],
    ],
    [['run', '--spec', 'git+https://example.com/r', 'tool'], ['git+https://example.com/r'], 'tool', []],
    [['run', '--no-cache', '--spec=pkg==1', 'tool', 'a'], ['pkg==1'], 'tool', ['a']],
  ])('pipx %j → pip %j, command %s', (args, pip, command, tail) => {
    expect(ok('pipx', args)).toMatchObject({ runtime: 'python', build: { pip }, command, args: tail });
  });

  it('refuses other pipx subcommands and unknown options', () => {
    expect(refused('pipx', ['install', 'x'])).toContain('only "pipx run" can be translated');
    expect(refused('pipx', ['run', '--pip-args=--pre', 'x'])).toContain('pipx run option "--pip-args=--pre" is not supported');
  });
});

describe('python', () => {
  it.each([
    ['python', ['-m', 'mcp_server_time'], ['-m', 'mcp_server_time']],
    ['python3', ['-m', 'mcp_server_time', '--tz', 'UTC'], ['-m', 'mcp_server_time', '--tz', 'UTC']],
    ['python3.12', ['/srv/server.py'], ['/srv/server.py']],
    ['/usr/bin/python3', ['-u', '/srv/server.py'], ['-u', '/srv/server.py']],
  ])('%s %j runs python3 on the Python base, no recipe', (command, args, expected) => {
    const result = ok(command, args);
    expect(result).toMatchObject({ runtime: 'python', command: 'python3', args: expected });
    expect(result.notices).toEqual([expect.stringMatching(/^runs (on the Python base image|the sandbox's python3 instead of)/)]);
    expect(result.build).toBeUndefined();
  });

  it('says a virtualenv’s packages are not there', () => {
    expect(convertPython('/home/me/proj/.venv/bin/python', ['-m', 'srv'])).toMatchObject({
      notices: [expect.stringMatching(/instead of "\/home\/me\/proj\/\.venv\/bin\/python".*list them in "build": \{ "pip"/)],
    });
  });

  it('refuses uv run with the way to write it instead', () => {
    expect(refused('uv', ['--directory', '/home/me/weather', 'run', 'weather.py'])).toMatch(/"uv run" runs inside a uv project.*"uvx PKG"/);
  });

  it.each([
    ['mcp-server-git', 'mcp-server-git'],
    ['pkg[a,b]==1', 'pkg'],
    ['Pkg.Name_x>=2', 'Pkg.Name_x'],
    ['@bad', undefined],
  ])('scriptName(%j) = %j', (spec, name) => expect(scriptName(spec)).toBe(name));
});

describe('node and others', () => {
  it('runs node scripts on the Node base, swapping a host node path for the sandbox’s', () => {
    expect(ok('node', ['/srv/index.js'])).toEqual({ ok: true, runtime: 'node', command: 'node', args: ['/srv/index.js'], notices: [] });
    expect(ok('/usr/local/bin/node', ['/srv/index.js']).notices).toEqual(['runs the sandbox\'s node instead of "/usr/local/bin/node"']);
  });

  it('leaves a plain bin alone (the recipe or the image provides it)', () => {
    expect(convertLauncher('mcp-server-memory', [])).toBeUndefined();
  });

  it.each(['deno', 'bun', 'java', 'bash'])('refuses %s: no base image has it', (command) => {
    expect(refused(command, ['x'])).toContain(`"${command}" is not in mcpgw's base images`);
  });
});

describe('in a config', () => {
  it('adds a notice for each conversion and keeps the entry’s env', () => {
    const result = parseCatalog({
      mcpServers: {
        git: { command: 'uvx', args: ['mcp-server-git'], env: { GIT_TOKEN: '${GIT_TOKEN}' } },
        time: { command: 'python3', args: ['-m', 'mcp_server_time'], build: { pip: ['mcp-server-time'] } },
      },
    });
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    expect(result.catalog.servers.get('git')).toMatchObject({
      runtime: 'python',
      command: 'mcp-server-git',
      build: { pip: ['mcp-server-git'] },
      env: { GIT_TOKEN: '${GIT_TOKEN}' },
    });
    expect(result.catalog.servers.get('time')).toMatchObject({
      runtime: 'python',
      command: 'python3',
      build: { pip: ['mcp-server-time'] },
    });
    expect(result.notices).toEqual([
      expect.stringMatching(/^mcpServers\.git: converted "uvx mcp-server-git" into a Python sandbox image recipe/),
    ]);
  });
});
