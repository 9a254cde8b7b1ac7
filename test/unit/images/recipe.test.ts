import { describe, expect, it } from 'vitest';
import { appDockerfile, buildContainerSpec, containerSpecs, installCommand, installEnv } from '../../../daemon/images/recipe.js';
import {
  chooseConsoleScript,
  consoleScripts,
  distInfoDir,
  npmDependencies,
  npmPackageBin,
  requestedDists,
  singlePackage,
} from '../../../daemon/images/entrypoint.js';

const NPM = ['/usr/bin/node', '/usr/lib/node_modules/npm/bin/npm-cli.js'];
const PIP = ['/usr/bin/python3', '-m', 'pip'];

describe('installCommand', () => {
  it('runs npm with lifecycle scripts and git dependencies off, local folders copied, specs after --', () => {
    expect(
      installCommand({
        ecosystem: 'npm',
        specs: ['a@1', '/build/local/1/b'],
        scripts: false,
        launcher: NPM,
        noBuildIsolation: false,
        report: false,
      }),
    ).toEqual([
      ...NPM,
      'install',
      '--omit=dev',
      '--ignore-scripts',
      '--install-links',
      '--allow-git=none',
      '--no-audit',
      '--no-fund',
      '--',
      'a@1',
      '/build/local/1/b',
    ]);
  });

  it('leaves --ignore-scripts out only when the recipe asks for scripts', () => {
    const cmd = installCommand({
      ecosystem: 'npm',
      specs: ['a'],
      scripts: true,
      launcher: ['npm'],
      noBuildIsolation: false,
      report: false,
    });
    expect(cmd).not.toContain('--ignore-scripts');
    expect(cmd).toContain('--allow-git=none');
    expect(cmd[0]).toBe('npm');
  });

  it('runs pip into /app/site with the shared cache, the report when the bin is looked up, and the builder backend offline', () => {
    expect(
      installCommand({ ecosystem: 'pip', specs: ['x==1'], scripts: false, launcher: PIP, noBuildIsolation: true, report: true }),
    ).toEqual([
      ...PIP,
      'install',
      '--target',
      '/app/site',
      '--cache-dir',
      '/cache',
      '--no-warn-script-location',
      '--progress-bar',
      'off',
      '--no-build-isolation',
      '--report',
      '/build/report.json',
      '--',
      'x==1',
    ]);
    const pulled = installCommand({
      ecosystem: 'pip',
      specs: ['x'],
      scripts: false,
      launcher: ['python3', '-m', 'pip'],
      noBuildIsolation: false,
      report: false,
    });
    expect(pulled).not.toContain('--no-build-isolation');
    expect(pulled).not.toContain('--report');
  });
});

describe('installEnv', () => {
  it('gives npm only its registry settings, an empty npmrc and the CA copied into the context', () => {
    const env = installEnv({
      ecosystem: 'npm',
      npm: { registry: 'https://mirror.example/npm/', cafile: '/host/ca.pem', proxy: 'http://p:3128', httpsProxy: 'http://p:3128' },
      pip: {},
      hasCa: true,
      npmCache: '/cache',
    });
    expect(env).toEqual({
      HOME: '/build/home',
      TMPDIR: '/build/tmp',
      npm_config_cache: '/cache',
      npm_config_userconfig: '/build/npmrc',
      npm_config_globalconfig: '/build/npmrc-global',
      npm_config_update_notifier: 'false',
      npm_config_logs_max: '0',
      npm_config_registry: 'https://mirror.example/npm/',
      npm_config_proxy: 'http://p:3128',
      npm_config_https_proxy: 'http://p:3128',
      npm_config_cafile: '/build/ca.pem',
      NODE_EXTRA_CA_CERTS: '/build/ca.pem',
    });
  });

  it('gives pip no config files, its index and the CA; unset settings are absent, not empty', () => {
    expect(
      installEnv({ ecosystem: 'pip', npm: {}, pip: { cert: '/host/ca.pem' }, indexUrl: 'file:///build/index', hasCa: true, npmCache: '' }),
    ).toEqual({
      HOME: '/build/home',
      TMPDIR: '/build/tmp',
      PIP_CONFIG_FILE: '/dev/null',
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
      PIP_NO_INPUT: '1',
      PIP_INDEX_URL: 'file:///build/index',
      PIP_CERT: '/build/ca.pem',
      SSL_CERT_FILE: '/build/ca.pem',
    });
    expect(installEnv({ ecosystem: 'pip', npm: {}, pip: {}, hasCa: false, npmCache: '' })).not.toHaveProperty('PIP_INDEX_URL');
  });
});

describe('buildContainerSpec', () => {
  const input = {
    ecosystem: 'npm' as const,
    name: 'mcpgw-build-x-1',
    image: 'mcpgw/builder:node20-abc',
    cmd: [...NPM, 'install', 'a'],
    env: { HOME: '/build/home' },
    labels: { 'mcpgw.managed': 'true', 'mcpgw.kind': 'build' },
    cache: 'mcpgw-cache-npm',
    memoryBytes: 2 * 1024 ** 3,
  };

  it('is the sandbox user, no caps, no-new-privileges, limits, bridge network, and only the cache volume mounted', () => {
    expect(buildContainerSpec(input)).toEqual({
      name: 'mcpgw-build-x-1',
      Image: 'mcpgw/builder:node20-abc',
      Entrypoint: ['/usr/bin/node'],
      Cmd: ['/usr/lib/node_modules/npm/bin/npm-cli.js', 'install', 'a'],
      Env: ['HOME=/build/home'],
      User: '65534:65534',
      WorkingDir: '/app',
      Tty: false,
      OpenStdin: false,
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Labels: { 'mcpgw.managed': 'true', 'mcpgw.kind': 'build' },
      HostConfig: {
        Init: true,
        NetworkMode: 'bridge',
        Memory: 2 * 1024 ** 3,
        MemorySwap: 2 * 1024 ** 3,
        NanoCpus: 2e9,
        PidsLimit: 512,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Privileged: false,
        ReadonlyRootfs: false,
        Mounts: [{ Type: 'volume', Source: 'mcpgw-cache-npm', Target: '/cache' }],
        LogConfig: { Type: 'none', Config: {} },
        AutoRemove: false,
      },
    });
  });

  it('mounts nothing without a shared cache, and keeps pip wheels built by package code private', () => {
    expect(buildContainerSpec({ ...input, cache: undefined }).HostConfig?.Mounts).toEqual([]);
    const pip = buildContainerSpec({ ...input, ecosystem: 'pip', cache: 'mcpgw-cache-pip' }).HostConfig;
    expect(pip?.Mounts).toEqual([{ Type: 'volume', Source: 'mcpgw-cache-pip', Target: '/cache' }]);
    expect(Object.keys(pip?.Tmpfs ?? {})).toEqual(['/cache/wheels']);
    expect(pip?.Binds).toBeUndefined();
  });
});

describe('containerSpecs', () => {
  it('moves local specs into /build/local and leaves registry specs alone', () => {
    expect(containerSpecs('npm', ['left-pad@1', '/home/u/srv/', 'file:/tmp/pkg.tgz'])).toEqual({
      specs: ['left-pad@1', '/build/local/1/srv', '/build/local/2/pkg.tgz'],
      local: [
        { index: 1, host: '/home/u/srv/', container: '/build/local/1/srv' },
        { index: 2, host: '/tmp/pkg.tgz', container: '/build/local/2/pkg.tgz' },
      ],
    });
  });

  it('keeps a wheel file name (pip parses it) and a project extra', () => {
    expect(containerSpecs('pip', ['/w/x_y-1.0-py3-none-any.whl', '/p/proj[cli]', 'file:///d/sd-1.tar.gz', 'requests[socks]>=2'])).toEqual({
      specs: ['/build/local/0/x_y-1.0-py3-none-any.whl', '/build/local/1/proj[cli]', '/build/local/2/sd-1.tar.gz', 'requests[socks]>=2'],
      local: [
        { index: 0, host: '/w/x_y-1.0-py3-none-any.whl', container: '/build/local/0/x_y-1.0-py3-none-any.whl' },
        { index: 1, host: '/p/proj', container: '/build/local/1/proj' },
        { index: 2, host: '/d/sd-1.tar.gz', container: '/build/local/2/sd-1.tar.gz' },
      ],
    });
  });
});

describe('appDockerfile', () => {
  it('copies /app onto the runtime base with the bins on PATH', () => {
    expect(appDockerfile('mcpgw/base:node20-1', 'npm', 'mcp-server-memory')).toBe(
      ['FROM mcpgw/base:node20-1', 'COPY app /app', 'ENV PATH=/app/node_modules/.bin:$PATH', 'ENTRYPOINT ["mcp-server-memory"]'].join('\n'),
    );
    expect(appDockerfile('mcpgw/base:python3.11-1', 'pip', undefined)).toBe(
      [
        'FROM mcpgw/base:python3.11-1',
        'COPY app /app',
        'ENV PATH=/app/site/bin:$PATH PYTHONPATH=/app/site PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1',
      ].join('\n'),
    );
  });
});

describe('the entrypoint of an entry without "command"', () => {
  it('is the npm package bin npx would run', () => {
    expect(npmDependencies('{"dependencies":{"@s/pkg":"^1.0.0"}}')).toEqual(['@s/pkg']);
    expect(npmPackageBin('@s/pkg', '{"bin":"dist/index.js"}')).toBe('pkg');
    expect(npmPackageBin('@s/pkg', '{"bin":{"other":"x.js"}}')).toBe('other');
    expect(npmPackageBin('@s/pkg', '{"bin":{"pkg":"a.js","aux":"b.js"}}')).toBe('pkg');
    expect(() => npmPackageBin('@s/pkg', '{"bin":{"a":"a.js","b":"b.js"}}')).toThrow(/bins a, b; set "command"/);
    expect(() => singlePackage(['a', 'b'], 'npm')).toThrow(/among packages a, b; set "command"/);
  });

  it('is the console script uvx would run, found through pip report and entry points', () => {
    const report = JSON.stringify({
      install: [
        { requested: true, metadata: { name: 'Mcp.Server-Fetch', version: '1.2.0' } },
        { requested: false, metadata: { name: 'httpx', version: '0.27' } },
      ],
    });
    expect(requestedDists(report)).toEqual([{ name: 'Mcp.Server-Fetch', version: '1.2.0' }]);
    expect(distInfoDir('Mcp.Server-Fetch', '1.2.0')).toBe('Mcp_Server_Fetch-1.2.0.dist-info');
    const eps = '[console_scripts]\nmcp-server-fetch = mcp_server_fetch:main\nhelper=x:y\n\n[gui_scripts]\ngui = g:main\n';
    expect(consoleScripts(eps)).toEqual(['mcp-server-fetch', 'helper']);
    expect(chooseConsoleScript('Mcp.Server-Fetch', consoleScripts(eps))).toBe('mcp-server-fetch');
    expect(chooseConsoleScript('x', ['only'])).toBe('only');
    expect(() => chooseConsoleScript('x', [])).toThrow(/no console scripts; set "command"/);
  });

  it('refuses a name the build wrote that is not a plain file name (it becomes the image ENTRYPOINT)', () => {
    expect(() => npmPackageBin('p', '{"bin":{"x\\"]\\nRUN id":"a.js"}}')).toThrow(/unusable name/);
    expect(() => chooseConsoleScript('p', ['../../bin/sh'])).toThrow(/unusable name/);
  });
});
