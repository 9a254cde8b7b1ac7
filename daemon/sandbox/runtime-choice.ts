import type { ServerConfig } from '../../src/config/catalog.js';
import { chooseRuntime, type RuntimeChoice, type RuntimeDecision, type RuntimeSetting } from '../../src/config/sandbox-runtime.js';
import { McpgwError } from '../../src/errors.js';
import type { LaunchResolver } from '../config/launch.js';
import type { ContainerEngine, EngineInfo } from './engine.js';
import { runtimeRefusal } from './flavor.js';

/** What a sandbox is placed on: its runtime, and the CPUs it may boot with before its own limit applies. */
export interface Placement {
  runtime: RuntimeChoice;
  /** NanoCpus until `initialize` completes; equal to the server's limit when there is no boost. */
  startNanoCpus: number;
}

export interface PlacementOptions {
  /** `sandbox.runtime`; a server's own `runtime` wins. */
  runtime: RuntimeSetting;
  /** `sandbox.startCpus`: 0 turns the start boost off. */
  startCpus: number;
  /** How long engine info is trusted (a user may register gVisor while mcpd runs). */
  cacheMs?: number;
}

/**
 * Decides where each sandbox runs from the settings and what the engine lists. Engine info is asked once and kept
 * for a few seconds; an engine that cannot be asked fails the start (the caller reports it), never picks a default.
 */
export class SandboxPlacement {
  private info: { at: number; value: Promise<EngineInfo> } | undefined;

  constructor(
    private readonly engine: Pick<ContainerEngine, 'describe'>,
    private readonly opts: PlacementOptions,
  ) {}

  /** The runtime a server asks for (its own, else the setting). */
  settingFor(server: ServerConfig): RuntimeSetting {
    return server.sandboxRuntime ?? this.opts.runtime;
  }

  /** Where `server` runs now; throws `server_unavailable` when its runtime is not there. */
  async place(server: ServerConfig): Promise<Placement> {
    const info = await this.engineInfo();
    const decision = this.decide(server, info);
    if (!decision.ok) throw new McpgwError('server_unavailable', `server "${server.name}" cannot start: ${decision.reason}`);
    // Both engines lower a running container's CPUs (Docker's update, Podman's own API: flavor.ts cpuUpdateRequest).
    const limit = server.limits.nanoCpus;
    return { runtime: decision.choice, startNanoCpus: startNanoCpus(limit, this.opts.startCpus, info.cpus, decision.choice) };
  }

  /** Why `server` cannot run on this engine's runtimes, or undefined (also when the engine cannot be asked now). */
  async check(server: ServerConfig): Promise<string | undefined> {
    let info: EngineInfo;
    try {
      info = await this.engineInfo();
    } catch {
      return undefined; // an unreachable engine is reported as such by status and by the start that needs it
    }
    const decision = this.decide(server, info);
    return decision.ok ? undefined : decision.reason;
  }

  /** The runtime for `server` on this engine, or why there is none. */
  private decide(server: ServerConfig, info: EngineInfo): RuntimeDecision {
    const setting = this.settingFor(server);
    const refused = runtimeRefusal(info.facts.kind, setting, info.defaultRuntime);
    if (refused) return { ok: false, reason: refused };
    // Podman runs every container under its default runtime, whatever `/info` lists (flavor.ts runtimeRefusal):
    // only that one is offered to the choice, so `auto` means it and status names it.
    const runtimes = info.facts.kind === 'podman' ? { ...info, runtimes: [info.defaultRuntime] } : info;
    return chooseRuntime(setting, server.network !== 'none', runtimes);
  }

  private engineInfo(): Promise<EngineInfo> {
    const now = Date.now();
    if (!this.info || now - this.info.at > (this.opts.cacheMs ?? 10_000)) {
      const value = this.engine.describe();
      this.info = { at: now, value };
      // A failed ask is not kept: the next start asks again.
      value.catch(() => {
        if (this.info?.value === value) this.info = undefined;
      });
    }
    return this.info.value;
  }
}

/**
 * The CPUs a sandbox boots with. Node's start-up is CPU-bound, and at 0.5 CPU it takes about three times as long;
 * so a sandbox gets `startCpus` (never more than the machine has, never less than its limit) until `initialize`
 * is answered. Only under runc: gVisor's runtime cannot change a running sandbox's limit, and a boost that cannot
 * be taken back is never given.
 */
export function startNanoCpus(limit: number, startCpus: number, engineCpus: number, runtime: RuntimeChoice): number {
  if (runtime.kind !== 'runc' || startCpus <= 0 || engineCpus <= 0) return limit;
  return Math.max(limit, Math.round(Math.min(startCpus, engineCpus) * 1e9));
}

/** A launch resolver whose availability check also says when a server's runtime is missing from the engine. */
export function withRuntimeCheck(launch: LaunchResolver, placement: SandboxPlacement): LaunchResolver {
  return {
    resolve: (server) => launch.resolve(server),
    check: async (server) => (await launch.check(server)) ?? (await placement.check(server)),
  };
}
