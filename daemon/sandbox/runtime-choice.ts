import type { ServerConfig } from '../../src/config/catalog.js';
import { chooseRuntime, type RuntimeChoice, type RuntimeDecision, type RuntimeSetting } from '../../src/config/sandbox-runtime.js';
import { McpgwError } from '../../src/errors.js';
import type { LaunchResolver } from '../config/launch.js';
import type { ContainerEngine, EngineInfo } from './engine.js';
import { runtimeRefusal } from './flavor.js';

/** What a sandbox is placed on: its runtime. */
export interface Placement {
  runtime: RuntimeChoice;
}

export interface PlacementOptions {
  /** `sandbox.runtime`; a server's own `runtime` wins. */
  runtime: RuntimeSetting;
  /** How long engine info is trusted (a user may register gVisor while mcpd runs). */
  cacheMs?: number;
}

/**
 * Decides where each sandbox runs from the settings and what the engine lists. Engine info is asked once and
 * refreshed behind the starts that use it; an engine that was never answered fails the start (the caller reports
 * it), never picks a default.
 */
export class SandboxPlacement {
  private info: { at: number; value: Promise<EngineInfo> } | undefined;
  private refreshing: Promise<unknown> | undefined;

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
    return { runtime: decision.choice };
  }

  /** Asks the engine now, so that not even the first start waits for its info (a failure is retried by that start). */
  prime(): void {
    try {
      this.engineInfo().catch(() => undefined);
    } catch {
      // an engine that cannot even be asked is reported by the start that needs it
    }
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

  /**
   * Engine info, asked once and then refreshed in the background when it is older than `cacheMs`: a cold start
   * never waits for `/info` (about 10 ms on Docker) once the first answer is in. Until a refresh lands, the last
   * answer stands; a failed ask is never kept, so an engine that was down is asked again by the next start.
   */
  private engineInfo(): Promise<EngineInfo> {
    const now = Date.now();
    if (!this.info) return this.ask(now);
    if (now - this.info.at > (this.opts.cacheMs ?? 10_000) && !this.refreshing) {
      const last = this.info;
      this.refreshing = this.ask(now, last.value)
        .catch(() => undefined)
        .finally(() => (this.refreshing = undefined));
    }
    return this.info.value;
  }

  private ask(now: number, fallback?: Promise<EngineInfo>): Promise<EngineInfo> {
    const value = this.engine.describe();
    const settled = value.then(
      () => (this.info = { at: now, value }),
      () => {
        // Forget the failure; a refresh that failed leaves the last good answer in place.
        if (!fallback && this.info?.value === value) this.info = undefined;
      },
    );
    if (!fallback) this.info = { at: now, value };
    void settled;
    return value;
  }
}

/** A launch resolver whose availability check also says when a server's runtime is missing from the engine. */
export function withRuntimeCheck(launch: LaunchResolver, placement: SandboxPlacement): LaunchResolver {
  return {
    resolve: (server) => launch.resolve(server),
    check: async (server) => (await launch.check(server)) ?? (await placement.check(server)),
  };
}
