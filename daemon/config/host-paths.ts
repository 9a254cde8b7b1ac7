/**
 * Host paths a server may see. Absolute paths in a server's command and args that exist on the host are mounted at
 * the same path, read-only; explicit `mounts` and local build specs get the same check. Some paths are never
 * mounted: `/`, the home directory itself, credential stores, container-engine sockets, mcpd's own state — nor any
 * path inside one of them, nor any path that contains one (a parent would expose it). Symlinks are resolved first.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ServerConfig } from '../../src/config/catalog.js';
import { commandBase } from '../../src/config/launchers.js';
import { resolvePaths } from '../../src/paths.js';
import { localSpecPath } from '../images/recipe.js';

export interface DeniedPath {
  /** Absolute, as configured and (when it exists) resolved: both forms are checked. */
  paths: string[];
  label: string;
  why: string;
}

export interface HostPathPolicy {
  home: string;
  denied: DeniedPath[];
}

/** Under the home directory: credentials and tokens. */
const HOME_SECRETS: Array<[string, string]> = [
  ['.ssh', 'SSH keys'],
  ['.aws', 'AWS credentials'],
  ['.gnupg', 'GnuPG keys'],
  ['.config/gcloud', 'Google Cloud credentials'],
  ['.kube', 'Kubernetes credentials'],
  ['.docker', 'Docker registry credentials'],
  ['.azure', 'Azure credentials'],
  ['.config/gh', 'GitHub CLI token'],
  ['.password-store', 'pass password store'],
  ['.netrc', 'login credentials'],
  ['.git-credentials', 'git credentials'],
  ['.npmrc', 'npm tokens'],
  ['.pypirc', 'PyPI tokens'],
];

const ENGINE_SOCKETS = ['/var/run/docker.sock', '/run/docker.sock', '/run/podman/podman.sock', '/var/run/podman/podman.sock'];

function resolved(p: string): string[] {
  const abs = path.resolve(p);
  try {
    const real = realpathSync(abs);
    return real === abs ? [abs] : [abs, real];
  } catch {
    return [abs];
  }
}

/** The denylist for this user and environment; `secretsFile` is the secrets.env beside the config. */
export function hostPathPolicy(opts: {
  env: NodeJS.ProcessEnv;
  home: string;
  secretsFile?: string | undefined;
  /** mcpd's state directory when it is not the one the environment names (`mcpd --state-dir`, tests). */
  stateDir?: string | undefined;
}): HostPathPolicy {
  const { env } = opts;
  const home = resolved(opts.home).at(-1) ?? opts.home;
  const denied: DeniedPath[] = [];
  const deny = (p: string, label: string, why: string): void => void denied.push({ paths: resolved(p), label, why });
  for (const [rel, why] of HOME_SECRETS) deny(path.join(opts.home, rel), `~/${rel}`, why);
  for (const socket of ENGINE_SOCKETS) deny(socket, socket, 'a container engine socket: whoever reaches it is root');
  const runtimeDir = env.XDG_RUNTIME_DIR || (process.getuid ? `/run/user/${process.getuid()}` : undefined);
  if (runtimeDir) deny(runtimeDir, runtimeDir, "your session's sockets: rootless Docker/Podman, D-Bus, SSH and GPG agents");
  if (env.DOCKER_HOST?.startsWith('unix://')) deny(env.DOCKER_HOST.slice(7), env.DOCKER_HOST, 'the Docker socket in DOCKER_HOST');
  if (env.SSH_AUTH_SOCK) deny(env.SSH_AUTH_SOCK, 'SSH_AUTH_SOCK', 'the SSH agent');
  for (const state of new Set([resolvePaths(env, opts.home).stateDir, opts.stateDir ?? ''])) {
    if (state) deny(state, "mcpd's state directory", 'its token, log and Redis data');
  }
  if (opts.secretsFile) deny(opts.secretsFile, opts.secretsFile, 'the secrets mcpd hands to servers');
  for (const kernel of ['/proc', '/sys', '/dev']) deny(kernel, kernel, 'kernel interfaces of the host');
  return { home, denied };
}

const within = (p: string, dir: string): boolean => p === dir || p.startsWith(dir === '/' ? '/' : `${dir}/`);

export type PathCheck = { ok: true; real: string } | { ok: false; reason: string };

/** May `p` (absolute) be mounted into a sandbox? Resolves symlinks; a missing path is refused too. */
export function checkHostPath(p: string, policy: HostPathPolicy): PathCheck {
  let real: string;
  try {
    real = realpathSync(p);
  } catch {
    return { ok: false, reason: `${p} does not exist on this machine` };
  }
  const shown = real === p ? p : `${p} (→ ${real})`;
  for (const candidate of new Set([path.resolve(p), real])) {
    if (candidate === '/') return { ok: false, reason: `${shown} is the whole filesystem` };
    if (candidate === policy.home) {
      return { ok: false, reason: `${shown} is your home directory; mount only the directories the server needs` };
    }
    for (const d of policy.denied) {
      for (const dp of d.paths) {
        if (within(candidate, dp)) return { ok: false, reason: `${shown} is inside ${d.label} (${d.why}), which is never mounted` };
        if (within(dp, candidate)) return { ok: false, reason: `${shown} contains ${d.label} (${d.why}), which is never mounted` };
      }
    }
  }
  return { ok: true, real };
}

/** Container paths a mount may not cover: the sandbox's own scratch space and kernel interfaces. */
export function checkTarget(target: string): string | undefined {
  const t = path.posix.normalize(target);
  if (t === '/') return 'a mount cannot cover the whole container filesystem';
  if (t === '/tmp') return "/tmp is the sandbox's private scratch space; mount a subdirectory of it or another path";
  for (const k of ['/proc', '/sys', '/dev']) if (within(t, k)) return `${target} is a kernel interface inside the container`;
  return undefined;
}

type Mount = ServerConfig['mounts'][number];

export type HostPathResult = { ok: true; server: ServerConfig; notices: string[] } | { ok: false; reason: string; path: string };

/**
 * Checks explicit mounts and local build specs, then mounts what the command and args name on the host. The
 * returned server has resolved mount sources; the caller shows the notices.
 */
export function applyHostPaths(server: ServerConfig, policy: HostPathPolicy): HostPathResult {
  const at = `mcpServers.${server.name}`;
  const mounts: Mount[] = [];
  for (const [i, m] of server.mounts.entries()) {
    const target = checkTarget(m.target);
    if (target) return { ok: false, path: `${at}.mounts.${i}`, reason: `cannot mount ${m.source}: ${target}` };
    const check = checkHostPath(m.source, policy);
    if (!check.ok) return { ok: false, path: `${at}.mounts.${i}`, reason: `refused mount: ${check.reason}` };
    mounts.push({ ...m, source: check.real });
  }
  // The paths the image builder will copy into the build context, read exactly as it reads them (extras stripped).
  const locals = [
    ...(server.build?.npm ?? []).map((spec) => localSpecPath('npm', spec)),
    ...(server.build?.pip ?? []).map((spec) => localSpecPath('pip', spec)),
  ];
  for (const local of locals) {
    if (!local) continue;
    const check = checkHostPath(local.path, policy);
    if (!check.ok) return { ok: false, path: `${at}.build`, reason: `cannot build from ${check.reason}` };
  }
  if (server.image) return { ok: true, server: { ...server, mounts }, notices: [] };
  const inferred = inferMounts(server, mounts, policy);
  if (!inferred.ok) return { ok: false, path: `${at}.args`, reason: inferred.reason };
  return { ok: true, server: { ...server, mounts: [...mounts, ...inferred.mounts] }, notices: inferred.notices };
}

/** The absolute host path an argument names: `/x`, or the value of `--opt=/x`. */
function pathIn(arg: string): string | undefined {
  const value = arg.startsWith('/') ? arg : /^--?[A-Za-z0-9][\w.-]*=(\/.*)$/.exec(arg)?.[1];
  return value === undefined ? undefined : path.posix.normalize(value).replace(/(.)\/$/, '$1');
}

/** The outermost directory above a Node script, below home, that has a package.json (where its imports resolve). */
function packageRoot(file: string, home: string): string | undefined {
  let root: string | undefined;
  for (let dir = path.dirname(file); dir !== '/' && dir !== home && !within(home, dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) root = dir;
  }
  return root;
}

function inferMounts(
  server: ServerConfig,
  explicit: readonly Mount[],
  policy: HostPathPolicy,
): { ok: true; mounts: Mount[]; notices: string[] } | { ok: false; reason: string } {
  const mounts: Mount[] = [];
  const notices: string[] = [];
  const runtime = server.command === undefined ? undefined : commandBase(server.command);
  let scriptSeen = runtime !== 'node' && runtime !== 'python3';
  for (const arg of [server.command ?? '', ...server.args]) {
    const p = pathIn(arg);
    if (!p || [...explicit, ...mounts].some((m) => within(p, m.target))) continue;
    let isFile: boolean;
    try {
      isFile = !statSync(p).isDirectory();
    } catch {
      continue; // not on the host: a path inside the container
    }
    let mountPath = p;
    let what = '';
    if (isFile && !scriptSeen && arg !== server.command) {
      // A script imports its siblings (Python) or its package's node_modules (Node): mount where those live.
      scriptSeen = true;
      const dir = runtime === 'node' ? (packageRoot(p, policy.home) ?? path.dirname(p)) : path.dirname(p);
      if (checkHostPath(dir, policy).ok) {
        mountPath = dir;
        what = runtime === 'node' ? ` (the package of ${p})` : ` (the directory of ${p})`;
      }
    }
    const target = checkTarget(mountPath);
    if (target) return { ok: false, reason: `cannot mount ${p}: ${target}` };
    const check = checkHostPath(mountPath, policy);
    if (!check.ok) return { ok: false, reason: `refused mount: ${check.reason}` };
    mounts.push({ source: check.real, target: mountPath, readOnly: true });
    notices.push(
      `mounted ${mountPath}${what} read-only at the same path; to make it writable add "mounts": ["${mountPath}:${mountPath}:rw"]`,
    );
  }
  return { ok: true, mounts, notices };
}
