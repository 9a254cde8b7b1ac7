/**
 * The `docker run` / `podman run` options mcpgw knows, in groups by what it does with them, and the reader that
 * splits a command line into flags before the image. Pure.
 */

/** Short options and the long option each stands for. */
const SHORT: Record<string, string> = {
  i: 'interactive',
  t: 'tty',
  d: 'detach',
  e: 'env',
  v: 'volume',
  w: 'workdir',
  u: 'user',
  m: 'memory',
  p: 'publish',
  P: 'publish-all',
  q: 'quiet',
  l: 'label',
  h: 'hostname',
  a: 'attach',
};

/** Flags without a value (they may still be written `--flag=false`). */
export const BOOLEAN = new Set([
  'interactive',
  'tty',
  'detach',
  'rm',
  'init',
  'privileged',
  'read-only',
  'quiet',
  'publish-all',
  'oom-kill-disable',
]);

/** Accepted and dropped: mcpgw already does (or deliberately does not do) what they ask for. */
export const DROPPED: Record<string, string> = {
  interactive: 'mcpgw always attaches stdin',
  rm: 'mcpgw always removes its containers',
  init: 'mcpgw always runs an init process',
  'read-only': 'the root filesystem is always read-only',
  quiet: 'output of the docker CLI',
  name: 'mcpgw names its containers',
  label: 'mcpgw labels its containers',
  pull: 'mcpgw never pulls; pull the image yourself',
  'cap-drop': 'every capability is dropped anyway',
};

/** Refused because they would loosen the sandbox; the reason says how. */
export const LOOSENING: Record<string, string> = {
  privileged: 'gives the container every capability and the host devices',
  'cap-add': 'adds Linux capabilities; the sandbox drops them all',
  device: 'exposes a host device',
  gpus: 'exposes host GPUs',
  'security-opt': 'changes the seccomp/AppArmor/SELinux confinement',
  'volumes-from': "mounts another container's volumes",
  'group-add': 'adds supplementary groups',
  sysctl: 'changes kernel parameters',
  runtime: 'picks another container runtime (for gVisor, give the entry "runtime": "runsc" instead)',
  'cgroup-parent': 'moves the container out of its resource limits',
  'oom-kill-disable': 'disables the out-of-memory killer',
  publish: 'publishes ports; mcpgw talks to servers over stdio',
  'publish-all': 'publishes ports; mcpgw talks to servers over stdio',
};

/** Namespace flags: `host` / `container:X` share a namespace with the host or another container. */
export const NAMESPACES: Record<string, string> = {
  pid: 'process',
  ipc: 'IPC',
  uts: 'hostname',
  userns: 'user',
  cgroupns: 'cgroup',
};

/** Refused because the stdio JSON-RPC connection cannot work with them. */
export const BREAKS_STDIO: Record<string, string> = {
  tty: 'a TTY mangles the stdio JSON-RPC stream',
  detach: 'mcpgw talks to the server over attached stdio',
  attach: 'mcpgw attaches stdin, stdout and stderr itself',
};

/** Options that take a value (`--flag value` or `--flag=value`). */
const VALUE_FLAGS = new Set([
  'env',
  'env-file',
  'volume',
  'mount',
  'workdir',
  'entrypoint',
  'name',
  'network',
  'net',
  'user',
  'memory',
  'cpus',
  'pids-limit',
  'label',
  'pull',
  'cap-drop',
  'attach',
  'hostname',
  ...Object.keys(LOOSENING).filter((f) => !BOOLEAN.has(f)),
  ...Object.keys(NAMESPACES),
]);

export interface Flag {
  name: string;
  written: string;
  value: string | undefined;
}

/**
 * Splits the options before IMAGE into flags, expanding `-it`-style groups; stops at the first positional, or at
 * an unknown flag (whose value, if any, cannot be told from the image), returning what it read so far.
 */
export function readFlags(args: readonly string[]): { flags: Flag[]; rest: string[]; error?: string } {
  const flags: Flag[] = [];
  const fail = (error: string): { flags: Flag[]; rest: string[]; error: string } => ({ flags, rest: [], error });
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      let value = eq === -1 ? undefined : arg.slice(eq + 1);
      if (VALUE_FLAGS.has(name) && value === undefined) {
        value = args[++i];
        if (value === undefined) return fail(`"--${name}" needs a value`);
      } else if (!VALUE_FLAGS.has(name) && !BOOLEAN.has(name)) {
        return fail(`unknown docker run flag "--${name}": mcpgw refuses flags it does not translate`);
      }
      flags.push({ name, written: `--${name}`, value });
      continue;
    }
    // A group of short flags: booleans, then at most one that takes the rest of the group or the next argument.
    for (let j = 1; j < arg.length; j++) {
      const letter = arg[j] ?? '';
      const name = SHORT[letter];
      if (!name) {
        const within = arg.length > 2 ? ` (in "${arg}")` : '';
        return fail(`unknown docker run flag "-${letter}"${within}: mcpgw refuses flags it does not translate`);
      }
      if (!VALUE_FLAGS.has(name)) {
        flags.push({ name, written: `-${letter}`, value: undefined });
        continue;
      }
      let value = arg.slice(j + 1);
      if (value.startsWith('=')) value = value.slice(1);
      if (value === '') {
        const next = args[++i];
        if (next === undefined) return fail(`"-${letter}" needs a value`);
        value = next;
      }
      flags.push({ name, written: `-${letter}`, value });
      break;
    }
  }
  return { flags, rest: args.slice(i) };
}
