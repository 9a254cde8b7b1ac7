import type { ContainerCreateOptions } from 'dockerode';
import type { ServerConfig } from '../../src/config/catalog.js';
import type { LaunchSpec } from '../config/launch.js';
import { LABELS } from './labels.js';

/** The unprivileged user every sandbox runs as (nobody:nogroup). */
export const SANDBOX_USER = '65534:65534';
export const TMPFS_OPTIONS = 'rw,nosuid,nodev,size=64m,uid=65534,gid=65534,mode=1777';

export interface SandboxSpecInput {
  server: ServerConfig;
  /** The server's env, args and mounts as resolved for this start (secrets expanded): they go only into the spec. */
  launch: LaunchSpec;
  image: string;
  sessionId: string;
  instanceId: string;
  containerName: string;
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
}: SandboxSpecInput): ContainerCreateOptions {
  const env = { HOME: '/tmp', ...launch.env };
  return {
    name: containerName,
    Image: image,
    ...(server.command === undefined ? {} : { Entrypoint: [server.command] }),
    ...(server.command === undefined && launch.args.length === 0 ? {} : { Cmd: launch.args }),
    Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
    User: SANDBOX_USER,
    WorkingDir: server.workdir ?? '/tmp',
    Tty: false,
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    NetworkDisabled: server.network === 'none',
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
      NanoCpus: server.limits.nanoCpus,
      PidsLimit: server.limits.pids,
      NetworkMode: server.network,
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': TMPFS_OPTIONS },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      LogConfig: { Type: 'none', Config: {} },
      Mounts: launch.mounts.map((m) => ({ Type: 'bind', Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
      AutoRemove: false,
    },
  };
}
