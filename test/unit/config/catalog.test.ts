import { describe, expect, it } from 'vitest';
import { formatConfigIssues, parseCatalog } from '../../../src/config/catalog.js';
import { convertNpx } from '../../../src/config/npx.js';
import { parseDuration, parseMemory } from '../../../src/config/units.js';

const parseOk = (input: unknown) => {
  const result = parseCatalog(input);
  if (!result.ok) throw new Error(formatConfigIssues(result.issues));
  return result;
};

describe('parseCatalog', () => {
  it('applies locked-down defaults to a minimal entry', () => {
    const { catalog } = parseOk({
      mcpServers: { memory: { command: 'mcp-server-memory', build: { npm: ['@modelcontextprotocol/server-memory'] } } },
    });
    expect(catalog.servers.get('memory')).toEqual({
      name: 'memory',
      command: 'mcp-server-memory',
      args: [],
      env: {},
      image: undefined,
      build: { npm: ['@modelcontextprotocol/server-memory'] },
      runtime: 'node',
      network: 'none',
      mounts: [],
      limits: { memoryBytes: 512 * 1024 * 1024, nanoCpus: 500_000_000, pids: 128 },
      timeoutMs: 60_000,
      workdir: undefined,
      disabled: false,
    });
    expect(catalog.sandbox).toEqual({
      maxContainers: 64,
      maxConcurrentStarts: 4,
      maxMessageSize: 16 * 1024 * 1024,
      startTimeout: 30_000,
      build: { timeout: 600_000, memory: 2 * 1024 ** 3, npm: {}, pip: {} },
    });
  });

  it('makes a pip recipe a python server, and reads the build settings', () => {
    const { catalog } = parseOk({
      mcpServers: { py: { build: { pip: ['mcp-server-fetch==1.0'], indexUrl: 'file:///srv/index' }, command: 'mcp-server-fetch' } },
      sandbox: {
        pythonBaseImage: 'python:3.12-slim',
        build: {
          timeout: '5m',
          memory: '1g',
          npm: { registry: 'https://mirror.example/npm/' },
          pip: { indexUrl: 'https://mirror.example/simple', cert: '/ca.pem' },
        },
      },
    });
    expect(catalog.servers.get('py')).toMatchObject({
      runtime: 'python',
      build: { pip: ['mcp-server-fetch==1.0'], indexUrl: 'file:///srv/index' },
    });
    expect(catalog.sandbox).toMatchObject({
      pythonBaseImage: 'python:3.12-slim',
      build: {
        timeout: 300_000,
        memory: 1024 ** 3,
        npm: { registry: 'https://mirror.example/npm/' },
        pip: { indexUrl: 'https://mirror.example/simple', cert: '/ca.pem' },
      },
    });
  });

  it('turns an npx entry pasted from another client into a build recipe, with a notice', () => {
    const { catalog, notices } = parseOk({
      mcpServers: { fs: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/data'], env: { A: '1' } } },
    });
    expect(catalog.servers.get('fs')).toMatchObject({
      command: undefined,
      args: ['/data'],
      build: { npm: ['@modelcontextprotocol/server-filesystem'] },
      env: { A: '1' },
    });
    expect(notices).toEqual([expect.stringContaining('mcpServers.fs: converted "npx -y @modelcontextprotocol/server-filesystem /data"')]);
  });

  it('parses mounts as strings or objects, read-only unless stated', () => {
    const { catalog } = parseOk({
      mcpServers: {
        s: {
          command: 'node',
          mounts: ['/a:/a', '/b:/b:rw', { source: '/c', target: '/c' }, { source: '/d', target: '/d', readOnly: false }],
        },
      },
    });
    expect(catalog.servers.get('s')?.mounts).toEqual([
      { source: '/a', target: '/a', readOnly: true },
      { source: '/b', target: '/b', readOnly: false },
      { source: '/c', target: '/c', readOnly: true },
      { source: '/d', target: '/d', readOnly: false },
    ]);
  });

  it.each([
    [
      'an unknown key (a typo must not silently loosen anything)',
      { s: { command: 'node', mount: ['/a:/a'] } },
      'mcpServers.s',
      'unknown key(s) "mount"',
    ],
    [
      'a bad memory size',
      { s: { command: 'node', limits: { memory: 'lots' } } },
      'mcpServers.s.limits.memory',
      'expected a memory size like "512m" or "1g"',
    ],
    ['a wrong type', { s: { command: 'node', args: 'x' } }, 'mcpServers.s.args', 'expected array'],
    [
      'a relative mount target',
      { s: { command: 'node', mounts: [{ source: '/a', target: 'a' }] } },
      'mcpServers.s.mounts.0.target',
      'must be an absolute path inside the container',
    ],
    ['a remote server', { s: { url: 'https://example.com/mcp' } }, 'mcpServers.s.url', 'remote (url) servers are not supported'],
    [
      'image and build together',
      { s: { image: 'x', build: { npm: ['y'] } } },
      'mcpServers.s.image',
      'give either "image" or "build", not both',
    ],
    [
      'a recipe with both npm and pip',
      { s: { build: { npm: ['a'], pip: ['b'] } } },
      'mcpServers.s.build',
      'give exactly one of "npm" or "pip"',
    ],
    ['a recipe with neither', { s: { command: 'x', build: {} } }, 'mcpServers.s.build', 'give exactly one of "npm" or "pip"'],
    ['an option among the specs', { s: { build: { pip: ['--index-url=http://evil'] } } }, 'mcpServers.s.build.pip.0', 'not an option'],
    ['scripts on a pip recipe', { s: { build: { pip: ['a'], scripts: true } } }, 'mcpServers.s.build.scripts', 'applies to npm recipes'],
    [
      'an index on an npm recipe',
      { s: { build: { npm: ['a'], indexUrl: 'https://x/simple' } } },
      'mcpServers.s.build.indexUrl',
      'applies to pip',
    ],
    [
      'a registry that is not a URL',
      { s: { command: 'node' } },
      'sandbox.build.npm.registry',
      'expected an http(s) URL',
      { build: { npm: { registry: 'registry.npmjs.org' } } },
    ],
    ['a server name with a double underscore', { a__b: { command: 'node' } }, 'mcpServers.a__b', 'server names use letters'],
    ['nothing to run', { s: { args: ['x'] } }, 'mcpServers.s', 'give a "command", an "image" or a "build" recipe'],
    [
      'a Python launcher without an image',
      { s: { command: 'uvx', args: ['mcp-server-git'] } },
      'mcpServers.s.command',
      '"uvx" is not in the offline Node base image',
    ],
  ])('reports %s with its path', (_name, servers, path, message, sandbox?: unknown) => {
    const result = parseCatalog({ mcpServers: servers, ...(sandbox ? { sandbox } : {}) });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringContaining(message) })]));
  });

  it('shows what it found next to what it expected', () => {
    const result = parseCatalog({ mcpServers: { s: { command: 'node', timeout: 'soon' } } });
    expect(result.ok ? '' : formatConfigIssues(result.issues)).toBe(
      '  mcpServers.s.timeout: expected a duration like "30s", "15m" or milliseconds (found: "soon")',
    );
  });

  it('accepts keys other MCP clients write, and unknown top-level sections', () => {
    expect(parseCatalog({ globalShortcut: 'x', mcpServers: { s: { type: 'stdio', command: 'node' } } }).ok).toBe(true);
  });
});

describe('convertNpx', () => {
  it.each([
    ['npx', ['-y', 'pkg'], { packages: ['pkg'], command: undefined, args: [] }],
    ['npx', ['--yes', '@s/pkg@1.2.3', '--flag', 'v'], { packages: ['@s/pkg@1.2.3'], command: undefined, args: ['--flag', 'v'] }],
    ['npx', ['-p', '@s/pkg', 'the-bin', 'a'], { packages: ['@s/pkg'], command: 'the-bin', args: ['a'] }],
    ['npx', ['--package=@s/pkg', '--', 'the-bin'], { packages: ['@s/pkg'], command: 'the-bin', args: [] }],
    ['npm', ['exec', '-y', 'pkg', 'x'], { packages: ['pkg'], command: undefined, args: ['x'] }],
    ['/usr/local/bin/npx', ['pkg'], { packages: ['pkg'], command: undefined, args: [] }],
  ])('%s %j', (command, args, expected) => {
    expect(convertNpx(command, args)).toMatchObject(expected);
  });

  it('leaves other commands alone', () => {
    expect(convertNpx('node', ['server.js'])).toBeUndefined();
    expect(convertNpx('npx', ['-y'])).toBeUndefined();
  });
});

describe('units', () => {
  it.each([
    ['512m', 512 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['1.5G', 1.5 * 1024 ** 3],
    ['64k', 65536],
    ['100mb', 100 * 1024 ** 2],
    [4096, 4096],
    ['lots', undefined],
    ['-1m', undefined],
    [0, undefined],
  ])('parseMemory(%j)', (input, expected) => expect(parseMemory(input)).toBe(expected));

  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['250ms', 250],
    ['1h', 3_600_000],
    ['100', 100],
    [5000, 5000],
    ['soon', undefined],
  ])('parseDuration(%j)', (input, expected) => expect(parseDuration(input)).toBe(expected));
});
