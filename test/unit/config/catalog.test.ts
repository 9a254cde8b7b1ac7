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
      envFiles: [],
      image: undefined,
      build: { npm: ['@modelcontextprotocol/server-memory'] },
      runtime: 'node',
      network: 'none',
      mounts: [],
      limits: { memoryBytes: 512 * 1024 * 1024, nanoCpus: 500_000_000, pids: 128, outputBytesPerSecond: 65_536, outputLinesPerSecond: 200 },
      timeoutMs: 60_000,
      maxTotalTimeoutMs: 600_000,
      workdir: undefined,
      disabled: false,
    });
    expect(catalog.unavailable.size).toBe(0);
    expect(catalog.sandbox).toEqual({
      maxContainers: 64,
      maxConcurrentStarts: 4,
      maxMessageSize: 16 * 1024 * 1024,
      startTimeout: 30_000,
      build: { timeout: 600_000, memory: 2 * 1024 ** 3, npm: {}, pip: {} },
      sharedFilesystem: false,
      allowUnenforcedLimits: false,
      runtime: 'runc',
      standby: true,
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
      { command: 'node', mount: ['/a:/a'] },
      'mcpServers.s',
      'unknown key(s) "mount"',
    ],
    [
      'a bad memory size',
      { command: 'node', limits: { memory: 'lots' } },
      'mcpServers.s.limits.memory',
      'expected a memory size like "512m" or "1g"',
    ],
    ['a wrong type', { command: 'node', args: 'x' }, 'mcpServers.s.args', 'expected array, received string (found: "x")'],
    [
      'a relative mount target',
      { command: 'node', mounts: [{ source: '/a', target: 'a' }] },
      'mcpServers.s.mounts.0.target',
      'must be an absolute path inside the container',
    ],
    ['image and build together', { image: 'x', build: { npm: ['y'] } }, 'mcpServers.s.image', 'give either "image" or "build", not both'],
    [
      'a recipe with both npm and pip',
      { command: 'x', build: { npm: ['a'], pip: ['b'] } },
      'mcpServers.s.build',
      'exactly one of "npm" or "pip"',
    ],
    ['nothing to run', { args: ['x'] }, 'mcpServers.s', 'give a "command", an "image" or a "build" recipe'],
    ['a recipe with both npm and pip', { build: { npm: ['a'], pip: ['b'] } }, 'mcpServers.s.build', 'give exactly one of "npm" or "pip"'],
    ['an option among the specs', { build: { pip: ['--index-url=http://evil'] } }, 'mcpServers.s.build.pip.0', 'not an option'],
    ['scripts on a pip recipe', { build: { pip: ['a'], scripts: true } }, 'mcpServers.s.build.scripts', 'applies to npm recipes'],
    ['an index on an npm recipe', { build: { npm: ['a'], indexUrl: 'https://x/simple' } }, 'mcpServers.s.build.indexUrl', 'applies to pip'],
    ['a remote url', { url: 'https://example.com/mcp' }, 'mcpServers.s', 'a remote server ("url"): mcpgw only runs servers it can sandbox'],
    ['a remote sse entry', { type: 'sse', url: 'http://127.0.0.1:9/sse' }, 'mcpServers.s', 'a remote sse server'],
    [
      'a streamable-http entry',
      { type: 'streamable-http', url: 'http://127.0.0.1:9/mcp', headers: { A: 'b' } },
      'mcpServers.s',
      'remote streamable-http',
    ],
    ['a Windsurf serverUrl', { serverUrl: 'https://example.com/mcp' }, 'mcpServers.s', 'a remote server ("serverUrl")'],
    [
      'an unsupported launcher',
      { command: 'deno', args: ['run', 'x.ts'] },
      'mcpServers.s.command',
      '"deno" is not in mcpgw\'s base images',
    ],
    [
      'uv run',
      { command: 'uv', args: ['--directory', '/p', 'run', 'server.py'] },
      'mcpServers.s.command',
      '"uv run" runs inside a uv project',
    ],
    [
      'a refused docker flag',
      { command: 'docker', args: ['run', '-i', '--privileged', 'img'] },
      'mcpServers.s.args',
      '"--privileged" is refused',
    ],
    ['a prompted input', { command: 'x', env: { T: '${input:token}' } }, 'mcpServers.s', 'prompted inputs are not supported'],
  ])('makes only the entry with %s unavailable, with where and why', (_name, entry, path, message) => {
    const { catalog } = parseOk({ mcpServers: { good: { command: 'node', args: ['server.js'] }, s: entry } });
    expect(catalog.servers.has('good')).toBe(true);
    expect(catalog.servers.has('s')).toBe(false);
    expect(catalog.unavailable.get('s')).toEqual({ name: 's', path, reason: expect.stringContaining(message) });
  });

  it('makes a server whose name cannot be a tool name unavailable', () => {
    const { catalog } = parseOk({ mcpServers: { a__b: { command: 'node' }, ok: { command: 'node' } } });
    expect(catalog.unavailable.get('a__b')?.reason).toMatch(/server names use letters/);
    expect([...catalog.servers.keys()]).toEqual(['ok']);
  });

  it('shows what it found next to what it expected, but never a value found in env', () => {
    const { catalog } = parseOk({ mcpServers: { s: { command: 'node', timeout: 'soon' }, e: { command: 'node', env: { TOKEN: 12345 } } } });
    expect(catalog.unavailable.get('s')?.reason).toBe(
      'mcpServers.s.timeout: expected a duration like "30s", "15m" or milliseconds (found: "soon")',
    );
    expect(catalog.unavailable.get('e')?.reason).toBe('mcpServers.e.env.TOKEN: Invalid input: expected string, received number');
  });

  it.each([
    ['a bad section', { daemon: { idleTimeout: 'never' } }, 'daemon.idleTimeout'],
    ['a bad sandbox section', { sandbox: { maxContainers: -1 } }, 'sandbox.maxContainers'],
    ['a registry that is not a URL', { sandbox: { build: { npm: { registry: 'registry.npmjs.org' } } } }, 'sandbox.build.npm.registry'],
    ['mcpServers that is not an object', { mcpServers: ['a'] }, 'mcpServers'],
  ])('still rejects the whole file for %s', (_name, input, path) => {
    const result = parseCatalog(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path);
  });

  it('accepts keys other MCP clients write, and unknown top-level sections', () => {
    const { catalog } = parseOk({ globalShortcut: 'x', mcpServers: { s: { type: 'stdio', command: 'node' } } });
    expect(catalog.servers.has('s')).toBe(true);
  });

  it('takes envFile (VS Code) as an env file read at start, and keeps ${VAR} templates as written', () => {
    const { catalog } = parseOk({
      mcpServers: { s: { command: 'node', args: ['--key', '${env:KEY}'], env: { A: '${A}', B: 'x-${B:-none}' }, envFile: '.env' } },
    });
    expect(catalog.servers.get('s')).toMatchObject({
      args: ['--key', '${env:KEY}'],
      env: { A: '${A}', B: 'x-${B:-none}' },
      envFiles: ['.env'],
    });
  });

  it("keeps a recipe's scripts and index, and reads the build settings", () => {
    const { catalog } = parseOk({
      mcpServers: {
        py: { build: { pip: ['mcp-server-fetch==1.0'], indexUrl: 'file:///srv/index' }, command: 'mcp-server-fetch' },
        js: { build: { npm: ['a'], scripts: true }, command: 'a' },
      },
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
    expect(catalog.servers.get('js')?.build).toEqual({ npm: ['a'], scripts: true });
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

  it('gives a build.pip recipe the Python runtime, and python as python3', () => {
    const { catalog } = parseOk({
      mcpServers: { p: { build: { pip: ['mcp-server-time==1.0'] }, command: 'python', args: ['-m', 'mcp_server_time'] } },
    });
    expect(catalog.servers.get('p')).toMatchObject({ runtime: 'python', command: 'python3', build: { pip: ['mcp-server-time==1.0'] } });
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
