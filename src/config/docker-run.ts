/**
 * Turns a pasted `docker run -i --rm [flags] IMAGE [args]` (or `podman run`) into an mcpgw `image` entry, which gets
 * the full hardening of every sandbox. Flags that would loosen it are refused by name; unknown flags are refused,
 * never ignored, because a flag we do not understand may be one that matters. Pure.
 */
import { BOOLEAN, BREAKS_STDIO, DROPPED, LOOSENING, NAMESPACES, readFlags } from './docker-flags.js';
import { commandBase } from './launchers.js';

export interface DockerMount {
  source: string;
  target: string;
  readOnly: boolean;
}

export interface DockerRunTranslation {
  image: string;
  /** `--entrypoint`; undefined keeps the image's own. */
  command: string | undefined;
  args: string[];
  env: Record<string, string>;
  envFiles: string[];
  mounts: DockerMount[];
  workdir: string | undefined;
  network: string | undefined;
  limits: { memory?: string; cpus?: number; pids?: number };
  notices: string[];
}

export type DockerRunResult = ({ ok: true } & DockerRunTranslation) | { ok: false; reason: string };

const isTrue = (value: string | undefined): boolean => value === undefined || value === 'true' || value === '1';

/** `-v SRC:DST[:OPTS]`; read-only unless the options say `rw` (mcpgw's default, not docker's). */
function parseVolume(spec: string): (DockerMount & { defaulted: boolean }) | string {
  const parts = spec.split(':');
  if (parts.length === 1) return `"-v ${spec}" is an anonymous volume; mount a host directory instead ("-v /host/dir:${spec}")`;
  if (parts.length > 3) return `cannot read "-v ${spec}" (expected HOST:CONTAINER[:ro|rw])`;
  const [source = '', target = '', options = ''] = parts;
  if (!/^(\/|\.{1,2}(\/|$)|~(\/|$))/.test(source)) {
    return `"-v ${spec}" mounts the named volume "${source}"; named volumes are not supported, mount a host directory`;
  }
  let readOnly: boolean | undefined;
  for (const option of options ? options.split(',') : []) {
    if (option === 'ro' || option === 'readonly') readOnly = true;
    else if (option === 'rw') readOnly = false;
    else if (['cached', 'delegated', 'consistent', 'private', 'rprivate', 'slave', 'rslave'].includes(option)) continue;
    else if (option === 'z' || option === 'Z') return `"-v ${spec}": ":${option}" relabels the host files for SELinux; remove it`;
    else if (option === 'shared' || option === 'rshared') return `"-v ${spec}": "${option}" propagates mounts back to the host; remove it`;
    else return `"-v ${spec}": unknown mount option "${option}"`;
  }
  return { source, target, readOnly: readOnly ?? true, defaulted: readOnly === undefined };
}

/** `--mount type=bind,src=..,dst=..[,readonly]`; only bind mounts, read-only unless `readonly=false`. */
function parseMount(spec: string): (DockerMount & { defaulted: boolean }) | string {
  let type = 'volume';
  let source: string | undefined;
  let target: string | undefined;
  let readOnly: boolean | undefined;
  for (const field of spec.split(',')) {
    const eq = field.indexOf('=');
    const key = eq === -1 ? field : field.slice(0, eq);
    const value = eq === -1 ? undefined : field.slice(eq + 1);
    if (key === 'type') type = value ?? '';
    else if (key === 'source' || key === 'src') source = value;
    else if (key === 'target' || key === 'destination' || key === 'dst') target = value;
    else if (key === 'readonly' || key === 'ro') readOnly = isTrue(value);
    else if (key === 'consistency') continue;
    else if (key === 'bind-propagation' && !['shared', 'rshared'].includes(value ?? '')) continue;
    else return `"--mount ${spec}": "${field}" is not supported`;
  }
  if (type !== 'bind') return `"--mount ${spec}": only type=bind mounts of host paths are supported (found type=${type})`;
  if (!source || !target) return `"--mount ${spec}" needs both src and dst`;
  return { source, target, readOnly: readOnly ?? true, defaulted: readOnly === undefined };
}

function isRootUser(user: string): boolean {
  const [uid = '', gid] = user.split(':');
  return uid === '0' || uid === 'root' || gid === '0' || gid === 'root';
}

/**
 * Translates `docker run` / `podman run` (also `container run`). `entryEnv` is the entry's own `env`: for docker it
 * is the CLI's environment, so `-e K` takes K from it, else from mcpd's environment or secrets.env (`${K}`).
 */
export function convertDockerRun(command: string, args: readonly string[], entryEnv: Record<string, string>): DockerRunResult | undefined {
  const base = commandBase(command);
  if (base !== 'docker' && base !== 'podman') return undefined;
  const runAt = args[0] === 'run' ? 1 : args[0] === 'container' && args[1] === 'run' ? 2 : -1;
  if (runAt === -1) {
    return { ok: false, reason: `only "${base} run" entries can be translated (found "${base} ${args.slice(0, 2).join(' ')}")` };
  }
  const read = readFlags(args.slice(runAt));
  const [image = '', ...rest] = read.rest;

  const out: DockerRunTranslation = {
    image,
    command: undefined,
    args: rest,
    env: {},
    envFiles: [],
    mounts: [],
    workdir: undefined,
    network: undefined,
    limits: {},
    notices: [],
  };
  const refused: string[] = [];
  const dropped: string[] = [];
  const readOnlyByDefault: string[] = [];
  const passed = new Set<string>();
  for (const { name, written, value } of read.flags) {
    const shown = value === undefined ? written : `${written} ${value}`;
    if (BOOLEAN.has(name) && value !== undefined && !['true', 'false', '1', '0'].includes(value)) {
      refused.push(`"${written}=${value}" is not a boolean`);
      continue;
    }
    if (BOOLEAN.has(name) && !isTrue(value)) {
      dropped.push(`${written}=${value}`);
      continue;
    }
    if (DROPPED[name]) {
      dropped.push(shown);
      continue;
    }
    if (BREAKS_STDIO[name]) {
      refused.push(`"${written}" is refused: ${BREAKS_STDIO[name]}`);
      continue;
    }
    if (LOOSENING[name]) {
      if (name === 'security-opt' && /^no-new-privileges([:=]true)?$/.test(value ?? '')) {
        dropped.push(shown);
        continue;
      }
      refused.push(`"${shown}" is refused: it ${LOOSENING[name]}`);
      continue;
    }
    if (NAMESPACES[name]) {
      const v = value ?? '';
      if (v === 'private' || v === 'none' || v === '') dropped.push(shown);
      else if (v === 'host' || v.startsWith('container:')) {
        refused.push(
          `"${shown}" is refused: it shares the ${NAMESPACES[name]} namespace with ${v === 'host' ? 'the host' : 'another container'}`,
        );
      } else refused.push(`"${shown}" is not supported`);
      continue;
    }
    const v = value ?? '';
    switch (name) {
      case 'env': {
        const eq = v.indexOf('=');
        const key = eq === -1 ? v : v.slice(0, eq);
        if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
          refused.push(`"${written} ${key}" is not a valid variable name`);
          break;
        }
        passed.add(key);
        // `-e K` passes K from the docker CLI's environment: the entry's env, else mcpd's (a secret reference).
        out.env[key] = eq === -1 ? (entryEnv[key] ?? `\${${key}}`) : v.slice(eq + 1);
        break;
      }
      case 'env-file':
        out.envFiles.push(v);
        break;
      case 'volume':
      case 'mount': {
        const mount = name === 'volume' ? parseVolume(v) : parseMount(v);
        if (typeof mount === 'string') refused.push(mount);
        else if (!mount.target.startsWith('/')) refused.push(`mount target "${mount.target}" must be an absolute path`);
        else {
          out.mounts.push({ source: mount.source, target: mount.target, readOnly: mount.readOnly });
          if (mount.defaulted) readOnlyByDefault.push(`${written} ${v}`);
        }
        break;
      }
      case 'workdir':
        if (!v.startsWith('/')) refused.push(`"${written} ${v}" must be an absolute path`);
        else out.workdir = v;
        break;
      case 'entrypoint':
        out.command = v === '' ? undefined : v;
        if (v === '') {
          // An empty entrypoint clears the image's: the first argument becomes the program.
          out.command = out.args[0];
          out.args = out.args.slice(1);
        }
        break;
      case 'network':
      case 'net':
        if (v === 'host') refused.push(`"${shown}" is refused: it shares the host's network stack`);
        else if (v.startsWith('container:')) refused.push(`"${shown}" is refused: it shares another container's network stack`);
        else out.network = v === 'default' ? 'bridge' : v;
        break;
      case 'user':
        if (isRootUser(v)) refused.push(`"${shown}" is refused: it runs the server as root`);
        else dropped.push(`${shown} (the sandbox always runs as 65534:65534)`);
        break;
      case 'memory':
        out.limits.memory = v;
        break;
      case 'cpus':
      case 'pids-limit': {
        const n = Number(v);
        if (!Number.isFinite(n)) refused.push(`"${shown}" is not a number`);
        else if (name === 'cpus') out.limits.cpus = n;
        else out.limits.pids = n;
        break;
      }
      default:
        refused.push(`"${written}" is not supported`);
    }
  }
  if (read.error) refused.push(read.error);
  else if (!image) refused.push(`"${base} run" names no image`);
  if (refused.length > 0) return { ok: false, reason: refused.join('; ') };

  const unpassed = Object.keys(entryEnv).filter((k) => !passed.has(k));
  out.notices.push(
    `translated "${base} run ... ${image}" into an image entry with mcpgw's full hardening` +
      (dropped.length > 0 ? ` (dropped: ${dropped.join(', ')})` : ''),
  );
  for (const m of readOnlyByDefault) {
    out.notices.push(`mounted "${m}" read-only (docker's default is writable; add ":rw" or "readonly=false" to make it writable)`);
  }
  if (unpassed.length > 0) {
    out.notices.push(
      `env ${unpassed.join(', ')} ${unpassed.length === 1 ? 'is' : 'are'} not passed to the container: docker passes only variables named with -e`,
    );
  }
  return { ok: true, ...out };
}
