/**
 * What differs between the engines that speak the Docker API (Docker, Podman): the one place engine-specific
 * spellings and checks live. Specs are built in Docker's spelling (spec.ts); `adaptSpec` rewrites them for the engine
 * and refuses a spec whose protections the engine would not apply. Pure, so each translation is unit-tested.
 */
import type { ContainerCreateOptions } from 'dockerode';
import { isGvisor, type RuntimeSetting } from '../../src/config/sandbox-runtime.js';
import { McpgwError } from '../../src/errors.js';

export type EngineKind = 'docker' | 'podman';

/** What the engine says about itself that decides how specs are spelled and whether its limits hold. */
export interface EngineFacts {
  kind: EngineKind;
  /** "1", "2" or "?" when the engine does not say. */
  cgroupVersion: string;
  /** "cgroupfs", "systemd", "none" (rootless Docker without cgroups) or "" when the engine does not say. */
  cgroupDriver: string;
  rootless: boolean;
  /** What the engine reports it can enforce (Docker's /info fields; Podman fills them too). */
  memoryLimit: boolean;
  swapLimit: boolean;
  cpuQuota: boolean;
  pidsLimit: boolean;
}

/** Reads the facts from the engine's /version and /info answers (Docker API shape, both engines). */
export function engineFacts(version: { Components?: Array<{ Name?: string }> }, info: Record<string, unknown>): EngineFacts {
  const podman = (version.Components ?? []).some((c) => /podman/i.test(c.Name ?? ''));
  const security = Array.isArray(info.SecurityOptions) ? (info.SecurityOptions as unknown[]).map(String) : [];
  // Docker marks rootless in SecurityOptions; Podman's compat /info adds a `Rootless` field (and the same option).
  const rootless = info.Rootless === true || security.some((o) => o.split(',').includes('name=rootless'));
  // An engine that does not report a capability is taken at its word only when it says true.
  const says = (field: string): boolean => info[field] === true;
  return {
    kind: podman ? 'podman' : 'docker',
    cgroupVersion: String(info.CgroupVersion ?? '?'),
    cgroupDriver: String(info.CgroupDriver ?? ''),
    rootless,
    memoryLimit: says('MemoryLimit'),
    swapLimit: says('SwapLimit'),
    cpuQuota: says('CpuCfsQuota'),
    pidsLimit: says('PidsLimit'),
  };
}

/**
 * Why this engine cannot enforce a sandbox's memory, CPU and pids limits, or undefined when it can. Rootless engines
 * on cgroup v1 (and rootless without systemd's delegation) accept the limits and silently ignore them.
 */
export function unenforceableLimits(facts: EngineFacts): string | undefined {
  const engine = facts.kind === 'podman' ? 'Podman' : 'Docker';
  if (facts.rootless && facts.cgroupVersion === '1') {
    return `rootless ${engine} on cgroup v1 cannot apply memory, CPU or pids limits (it ignores them); use the rootful engine or cgroup v2 with systemd`;
  }
  if (facts.rootless && (facts.cgroupDriver === 'none' || facts.cgroupDriver === 'cgroupfs')) {
    return `rootless ${engine} with the "${facts.cgroupDriver}" cgroup manager cannot apply limits; it needs cgroup v2 with systemd delegating the controllers`;
  }
  const missing = [
    ...(facts.memoryLimit ? [] : ['memory']),
    ...(facts.swapLimit ? [] : ['swap']),
    ...(facts.cpuQuota ? [] : ['CPU quota']),
    ...(facts.pidsLimit ? [] : ['pids']),
  ];
  if (missing.length > 0) return `the ${engine} engine says it cannot enforce ${missing.join(', ')} limits`;
  return undefined;
}

/** The loud line for a loosening in force: `sandbox.allowUnenforcedLimits` on an engine that cannot enforce limits. */
export function unenforcedLimitsWarning(reason: string): string {
  return `${reason}: sandboxes run WITHOUT memory, CPU and pids limits (sandbox.allowUnenforcedLimits)`;
}

/** Docker's tmpfs owner options; Podman refuses them and spells "owned by the container's user" as `U`. */
const OWNER = /^(uid|gid)=(\d+)$/;

/** Rewrites one tmpfs option string for Podman; throws when an owner other than the container's user is asked for. */
export function podmanTmpfsOptions(options: string, user: string | undefined, target: string): string {
  const [uid, gid] = (user ?? '').split(':');
  const out: string[] = [];
  let owned = false;
  for (const option of options.split(',')) {
    const owner = OWNER.exec(option);
    if (!owner) {
      out.push(option);
      continue;
    }
    const wanted = owner[1] === 'uid' ? uid : (gid ?? uid);
    if (owner[2] !== wanted) {
      throw new McpgwError(
        'sandbox_start_failed',
        `Podman cannot make the tmpfs at ${target} owned by ${option} (only by the container's user ${user ?? 'root'}); refusing rather than leaving it unwritable`,
      );
    }
    owned = true;
  }
  // `U` chowns the tmpfs to the container's user: the same uid=/gid= mount Docker makes. `notmpcopyup`: Docker does
  // not copy the image's files into a tmpfs, and Podman does unless told not to.
  return [...out, ...(owned ? ['U'] : []), 'notmpcopyup'].join(',');
}

/**
 * The spec in the engine's spelling, with the same protections; throws when one of them cannot be expressed.
 * Docker takes the spec as mcpgw writes it.
 */
export function adaptSpec(spec: ContainerCreateOptions, kind: EngineKind): ContainerCreateOptions {
  if (kind === 'docker') return spec;
  const host = spec.HostConfig ?? {};
  const tmpfs = host.Tmpfs
    ? Object.fromEntries(Object.entries(host.Tmpfs).map(([target, options]) => [target, podmanTmpfsOptions(options, spec.User, target)]))
    : undefined;
  return { ...spec, HostConfig: { ...host, ...(tmpfs ? { Tmpfs: tmpfs } : {}) } };
}

/** An image tag as mcpgw names it: Podman reports `docker.io/mcpgw/x:t` for what was tagged `mcpgw/x:t`. */
export function normalizeTag(tag: string): string {
  return tag.startsWith('docker.io/library/') ? tag.slice('docker.io/library/'.length) : tag.replace(/^docker\.io\//, '');
}

/**
 * Whether a container that exited was OOM-killed. Podman (conmon on cgroup v1) never reports OOM kills, so there a
 * memory-limited container whose process died of SIGKILL (exit 137) counts as one. mcpgw's own kills are expected exits
 * and never explained this way; a server that SIGKILLs itself is misnamed OOM-killed (a wrong diagnosis, nothing more).
 */
export function wasOomKilled(kind: EngineKind | undefined, exit: { reported: boolean; exitCode: number; memoryLimited: boolean }): boolean {
  if (exit.reported) return true;
  return kind === 'podman' && exit.memoryLimited && exit.exitCode === 137;
}

/** Why Podman cannot run a gVisor sandbox (doctor and the refusal below say it). */
export const PODMAN_IGNORES_RUNTIME = "Podman's Docker API ignores a container's runtime and would run it under runc";

/**
 * Why a sandbox with this runtime setting cannot run on this engine, or undefined when the engine takes a runtime per
 * container. Podman 4.3's Docker API ignores `HostConfig.Runtime`: a container created there with "runsc" ran under
 * runc (`/proc/version` the host's 6.18 kernel, not gVisor's 4.4.0; libpod inspect: OCIRuntime "runc"), though
 * `/info` lists runsc. So on Podman gVisor is refused rather than silently replaced, `auto` means runc, and a Podman
 * whose own default runtime is gVisor is refused too (mcpgw could not tell which runtime a sandbox got).
 */
export function runtimeRefusal(kind: EngineKind, setting: RuntimeSetting, defaultRuntime: string): string | undefined {
  if (kind === 'docker') return undefined;
  if (isGvisor(defaultRuntime)) {
    return `Podman's default runtime is gVisor's "${defaultRuntime}", and its Docker API cannot choose a runtime per container; set Podman's default runtime to runc (containers.conf [engine] runtime)`;
  }
  if (setting === 'runsc') {
    return `runtime "runsc" is configured but Podman cannot run a sandbox under gVisor: ${PODMAN_IGNORES_RUNTIME}; use Docker with scripts/gvisor.sh, or set "runtime": "runc"`;
  }
  return undefined;
}
