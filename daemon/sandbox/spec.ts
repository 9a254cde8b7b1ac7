import type { ContainerCreateOptions } from 'dockerode';
import type { ServerConfig } from '../../src/config/catalog.js';
import { isAllowlist } from '../../src/config/egress.js';
import { McpgwError } from '../../src/errors.js';
import type { LaunchSpec } from '../config/launch.js';
import { LABELS } from './labels.js';
import type { SandboxNetworkAttachment } from './network-hook.js';

/** Stdio attached before start and closed with stdin: how mcpgw speaks to every container it runs (no TTY). */
export const ATTACHED_STDIO = {
  Tty: false,
  OpenStdin: true,
  StdinOnce: true,
  AttachStdin: true,
  AttachStdout: true,
  AttachStderr: true,
} as const;

/** The unprivileged user every sandbox runs as (nobody:nogroup). */
export const SANDBOX_USER = '65534:65534';
/** Scratch space: writable, but nothing written there can be executed, setuid, or a device. */
export const TMPFS_OPTIONS = 'rw,noexec,nosuid,nodev,size=64m,uid=65534,gid=65534,mode=1777';

export interface SandboxSpecInput {
  server: ServerConfig;
  /** The server's env, args and mounts as resolved for this start (secrets expanded): they go only into the spec. */
  launch: LaunchSpec;
  image: string;
  sessionId: string;
  instanceId: string;
  containerName: string;
  /** The egress network prepared for a server with an allowlist. */
  network?: SandboxNetworkAttachment | undefined;
  /** The image's VOLUMEs: each gets a tmpfs, so none becomes a writable volume beside the read-only root. */
  imageVolumes?: readonly string[] | undefined;
  /** HostConfig.Runtime (`runsc`, `runsc-net`); undefined: the engine's default runtime. */
  runtime?: string | undefined;
}

/**
 * The CFS period of every sandbox's CPU limit: one second, the longest the kernel takes (Docker's `--cpus` uses
 * 100 ms). The limit is the same average, quota = cpus × period, but its bucket holds a whole second's share: Node
 * boots a server (about 0.25 CPU-seconds) and a short tool call runs unthrottled, where at 100 ms they would be
 * throttled every period and take twice as long at 0.5 CPU. No second ever gives a sandbox more than its limit, and
 * the limit is in force from the first instruction: nothing is raised at start and lowered later.
 */
export const CPU_PERIOD_US = 1_000_000;

/** The CFS quota for a CPU limit (`limits.cpus` as NanoCpus) over CPU_PERIOD_US; the kernel's minimum is 1 ms. */
export function cpuQuotaUs(nanoCpus: number): number {
  return Math.max(1000, Math.round((nanoCpus / 1e9) * CPU_PERIOD_US));
}

/**
 * The hardened container for one (session, server): pure, so the exact spec is unit-tested. Everything that
 * loosens it (network, writable mounts, bigger limits) comes from the server's config, never from defaults.
 */
export function buildContainerSpec({
  server,
  launch,
  image,
  sessionId,
  instanceId,
  containerName,
  network,
  imageVolumes = [],
  runtime,
}: SandboxSpecInput): ContainerCreateOptions {
  if (isAllowlist(server.network) !== (network !== undefined)) {
    // Fail closed: an allowlisted server never starts on some other network, nor does any other server get one.
    throw new McpgwError('internal', `"${server.name}": an egress network must be given exactly when the server has an allowlist`);
  }
  const env = { HOME: '/tmp', ...launch.env, ...network?.env };
  return {
    name: containerName,
    Image: image,
    ...(server.command === undefined ? {} : { Entrypoint: [server.command] }),
    ...(server.command === undefined && launch.args.length === 0 ? {} : { Cmd: launch.args }),
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    User: SANDBOX_USER,
    WorkingDir: server.workdir ?? '/tmp',
    ...ATTACHED_STDIO,
    NetworkDisabled: server.network === 'none',
    ...(network ? { NetworkingConfig: { EndpointsConfig: { [network.network]: { IPAMConfig: { IPv4Address: network.ip } } } } } : {}),
    Labels: {
      [LABELS.managed]: 'true',
      [LABELS.session]: sessionId,
      [LABELS.server]: server.name,
      [LABELS.instance]: instanceId,
    },
    HostConfig: {
      Init: true,
      Memory: server.limits.memoryBytes,
      MemorySwap: server.limits.memoryBytes,
      CpuPeriod: CPU_PERIOD_US,
      CpuQuota: cpuQuotaUs(server.limits.nanoCpus),
      PidsLimit: server.limits.pids,
      NetworkMode: network?.network ?? (isAllowlist(server.network) ? 'none' : server.network),
      // The embedded resolver forwards to the gateway only; no search domains are copied from the host.
      ...(network ? { Dns: network.dns, DnsSearch: ['.'] } : {}),
      ReadonlyRootfs: true,
      Tmpfs: scratchSpace(imageVolumes, launch.mounts),
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      LogConfig: { Type: 'none', Config: {} },
      Mounts: launch.mounts.map((m) => ({ Type: 'bind', Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
      AutoRemove: false,
      ...(runtime === undefined ? {} : { Runtime: runtime }),
    },
  };
}

/** /tmp plus a tmpfs over each image VOLUME that no configured mount already covers. */
function scratchSpace(volumes: readonly string[], mounts: LaunchSpec['mounts']): Record<string, string> {
  const tmpfs: Record<string, string> = { '/tmp': TMPFS_OPTIONS };
  const mounted = new Set(mounts.map((m) => m.target.replace(/\/+$/, '')));
  for (const volume of volumes) {
    const target = volume.replace(/\/+$/, '') || '/';
    if (target !== '/' && !mounted.has(target) && !(target in tmpfs)) tmpfs[target] = TMPFS_OPTIONS;
  }
  return tmpfs;
}
