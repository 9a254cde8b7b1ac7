import path from 'node:path';
import type { ContainerCreateOptions } from 'dockerode';
import { SANDBOX_USER } from '../sandbox/spec.js';
import type { NpmRegistrySettings, PipIndexSettings } from './registry.js';

/** The package manager a recipe is installed with; also names its cache volume. */
export type Ecosystem = 'npm' | 'pip';

/** Paths inside the build container. `/build` holds what we send in; `/app` is the only thing taken out. */
export const BUILD = {
  dir: '/build',
  home: '/build/home',
  tmp: '/build/tmp',
  ca: '/build/ca.pem',
  npmrc: '/build/npmrc',
  npmrcGlobal: '/build/npmrc-global',
  report: '/build/report.json',
  local: '/build/local',
  index: '/build/index',
  app: '/app',
  cache: '/cache',
} as const;

/** The named volume that holds one ecosystem's download cache between builds (mounted in build containers only). */
export const cacheVolume = (ecosystem: Ecosystem, prefix = 'mcpgw-cache'): string => `${prefix}-${ecosystem}`;

/** A local spec: the host path whose copy is sent into the build context, and the spec as the container sees it. */
export interface LocalSpec {
  index: number;
  host: string;
  container: string;
}

/** The host path of a local spec (absolute path, `file:` for npm, `file://` for pip), else undefined. */
export function localSpecPath(ecosystem: Ecosystem, spec: string): { path: string; suffix: string } | undefined {
  if (ecosystem === 'npm') {
    if (spec.startsWith('file:')) return { path: spec.slice(5), suffix: '' };
    return spec.startsWith('/') ? { path: spec, suffix: '' } : undefined;
  }
  const raw = spec.startsWith('file://') ? decodeURIComponent(spec.slice(7)) : spec;
  if (!raw.startsWith('/')) return undefined;
  // pip allows extras on a local project: /path/to/project[cli]
  const extras = /^(.*?)(\[[^\]/]*\])$/.exec(raw);
  return extras ? { path: extras[1] ?? raw, suffix: extras[2] ?? '' } : { path: raw, suffix: '' };
}

/** Rewrites local specs to their place in the build context; remote specs pass through unchanged. */
export function containerSpecs(ecosystem: Ecosystem, specs: readonly string[]): { specs: string[]; local: LocalSpec[] } {
  const local: LocalSpec[] = [];
  const out = specs.map((spec, index) => {
    const found = localSpecPath(ecosystem, spec);
    if (!found) return spec;
    const container = `${BUILD.local}/${index}/${path.posix.basename(found.path.replace(/\/+$/, '')) || 'root'}`;
    local.push({ index, host: found.path, container });
    return `${container}${found.suffix}`;
  });
  return { specs: out, local };
}

export interface InstallCommandInput {
  ecosystem: Ecosystem;
  specs: string[];
  /** npm: run lifecycle scripts (inside the container only). */
  scripts: boolean;
  /** The shell-free way to start the package manager in the builder image. */
  launcher: string[];
  /** pip: build sdists with the builder's own setuptools/wheel instead of fetching build dependencies. */
  noBuildIsolation: boolean;
  /** pip: write pip's install report, read afterwards to find the package's console script. */
  report: boolean;
}

/**
 * The package manager's command line in the build container. npm: lifecycle scripts off unless the recipe says
 * `scripts: true`, git dependencies refused (`--allow-git=none`: the builder has no git, and a git dependency's
 * `prepare` would run its code), local folders copied rather than linked. pip: into /app/site (`--target` keeps
 * the layout independent of the interpreter's install scheme), with the console scripts in /app/site/bin.
 */
export function installCommand(input: InstallCommandInput): string[] {
  if (input.ecosystem === 'npm') {
    return [
      ...input.launcher,
      'install',
      '--omit=dev',
      ...(input.scripts ? [] : ['--ignore-scripts']),
      '--install-links',
      '--allow-git=none',
      '--no-audit',
      '--no-fund',
      '--',
      ...input.specs,
    ];
  }
  return [
    ...input.launcher,
    'install',
    '--target',
    `${BUILD.app}/site`,
    '--cache-dir',
    BUILD.cache,
    '--no-warn-script-location',
    '--progress-bar',
    'off',
    ...(input.noBuildIsolation ? ['--no-build-isolation'] : []),
    ...(input.report ? ['--report', BUILD.report] : []),
    '--',
    ...input.specs,
  ];
}

export interface InstallEnvInput {
  ecosystem: Ecosystem;
  npm: NpmRegistrySettings;
  pip: PipIndexSettings;
  /** The index as the container sees it (a file:// index is rewritten to its copy in /build/index). */
  indexUrl?: string | undefined;
  hasCa: boolean;
  /** Where npm keeps its cache: the shared volume, or a private directory when package code may run. */
  npmCache: string;
}

/** The build container's whole environment: nothing of mcpd's, only what the package manager needs. */
export function installEnv(input: InstallEnvInput): Record<string, string> {
  const env: Record<string, string> = { HOME: BUILD.home, TMPDIR: BUILD.tmp };
  const set = (key: string, value: string | undefined): void => {
    if (value) env[key] = value;
  };
  if (input.ecosystem === 'npm') {
    // An empty user and global npmrc: no host or image config reaches this npm except what is set here.
    Object.assign(env, {
      npm_config_cache: input.npmCache,
      npm_config_userconfig: BUILD.npmrc,
      npm_config_globalconfig: BUILD.npmrcGlobal,
      npm_config_update_notifier: 'false',
      // No debug logs: they would pile up in the shared cache and name a file that leaves with the container.
      npm_config_logs_max: '0',
    });
    set('npm_config_registry', input.npm.registry);
    set('npm_config_proxy', input.npm.proxy);
    set('npm_config_https_proxy', input.npm.httpsProxy);
    if (input.hasCa) {
      env.npm_config_cafile = BUILD.ca;
      env.NODE_EXTRA_CA_CERTS = BUILD.ca; // for install scripts that fetch with node itself
    }
    return env;
  }
  Object.assign(env, { PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' });
  set('PIP_INDEX_URL', input.indexUrl);
  set('PIP_PROXY', input.pip.proxy);
  if (input.hasCa) {
    env.PIP_CERT = BUILD.ca;
    env.SSL_CERT_FILE = BUILD.ca; // for build backends that download with the stdlib
  }
  return env;
}

export interface BuildContainerInput {
  ecosystem: Ecosystem;
  name: string;
  image: string;
  cmd: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  /** The shared cache volume, when this build may use it. */
  cache: string | undefined;
  memoryBytes: number;
}

/** Limits of a build container: package managers need more than a server does, but not without bound. */
export const BUILD_LIMITS = { nanoCpus: 2e9, pids: 512, tmpfsBytes: 512 * 1024 ** 2 } as const;

/**
 * The throwaway build container: the sandbox user, no capabilities, no-new-privileges, memory and pids limits, the
 * default bridge network (the registry must be reachable while installing), and no host mounts: only the cache
 * volume. The root file system stays writable (the build context is copied in before start, and /app is written),
 * which costs nothing here: the container is removed after the build and only /app is taken out of it.
 */
export function buildContainerSpec(input: BuildContainerInput): ContainerCreateOptions {
  const mounts = input.cache ? [{ Type: 'volume' as const, Source: input.cache, Target: BUILD.cache }] : [];
  return {
    name: input.name,
    Image: input.image,
    Entrypoint: input.cmd.slice(0, 1),
    Cmd: input.cmd.slice(1),
    Env: Object.entries(input.env).map(([k, v]) => `${k}=${v}`),
    User: SANDBOX_USER,
    WorkingDir: BUILD.app,
    Tty: false,
    OpenStdin: false,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Labels: input.labels,
    HostConfig: {
      Init: true,
      NetworkMode: 'bridge',
      Memory: input.memoryBytes,
      MemorySwap: input.memoryBytes,
      NanoCpus: BUILD_LIMITS.nanoCpus,
      PidsLimit: BUILD_LIMITS.pids,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Privileged: false,
      ReadonlyRootfs: false,
      Mounts: mounts,
      // pip's wheel cache stays private to this build even when the HTTP cache is shared: wheels built from sdists
      // are made by package code, and a later build would install them without checking anything.
      ...(input.cache && input.ecosystem === 'pip'
        ? { Tmpfs: { [`${BUILD.cache}/wheels`]: `rw,nosuid,nodev,size=${BUILD_LIMITS.tmpfsBytes},uid=65534,gid=65534,mode=0700` } }
        : {}),
      LogConfig: { Type: 'none', Config: {} },
      AutoRemove: false,
    },
  };
}

/** The final image: the runtime base (no package manager) plus /app from the build container. */
export function appDockerfile(base: string, ecosystem: Ecosystem, entrypoint: string | undefined): string {
  const env =
    ecosystem === 'npm'
      ? 'ENV PATH=/app/node_modules/.bin:$PATH'
      : 'ENV PATH=/app/site/bin:$PATH PYTHONPATH=/app/site PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1';
  return [`FROM ${base}`, 'COPY app /app', env, ...(entrypoint ? [`ENTRYPOINT ${JSON.stringify([entrypoint])}`] : [])].join('\n');
}
