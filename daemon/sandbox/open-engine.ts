import Docker from 'dockerode';
import { currentEndpoint, dockerOptions, type EngineEndpoint } from './engine-connect.js';
import { DockerodeEngine } from './dockerode-engine.js';
import type { ContainerEngine } from './engine.js';
import { unenforcedLimitsWarning } from './flavor.js';

/** What mcpd and the CLI need to reach the engine: where it is, and whether host paths mean the same there. */
export interface EngineSettings {
  /** `sandbox.engine`: forces an endpoint over DOCKER_HOST and the local sockets. */
  engine?: string;
  /** `sandbox.sharedFilesystem`: a remote engine sees this machine's paths (NFS, same host behind TLS). */
  sharedFilesystem?: boolean;
  /** `sandbox.allowUnenforcedLimits`: run sandboxes where the engine cannot enforce their limits (loudly). */
  allowUnenforcedLimits?: boolean;
}

/** Opens the engine at the resolved endpoint (config, DOCKER_HOST, then the local sockets). Connects lazily. */
export function openEngine(settings: EngineSettings, env: NodeJS.ProcessEnv = process.env): DockerodeEngine {
  const endpoint = currentEndpoint(settings.engine, env);
  return new DockerodeEngine(new Docker(dockerOptions(endpoint)), endpoint, {
    allowUnenforcedLimits: settings.allowUnenforcedLimits ?? false,
  });
}

/** For a remote engine whose filesystem is not shared: the endpoint host-path mounts are refused for, else undefined. */
export function mountsRefusedBy(endpoint: EngineEndpoint | undefined, settings: EngineSettings): EngineEndpoint | undefined {
  return endpoint?.remote && !settings.sharedFilesystem ? endpoint : undefined;
}

/** The engine as status displays name it; `name` is "unreachable" while the engine cannot be asked. */
export interface EngineSummary {
  name: string;
  version: string;
  endpoint: string;
}

/** Asks the engine its name and version once (again after a failure), for `daemon status` and the status bars. */
export function engineSummary(engine: ContainerEngine): () => Promise<EngineSummary> {
  let known: EngineSummary | undefined;
  const endpoint = engine.endpoint?.display ?? 'default';
  return async () => {
    if (known) return known;
    try {
      const info = await engine.describe();
      known = { name: info.name, version: info.version, endpoint };
      return known;
    } catch {
      return { name: 'unreachable', version: '', endpoint };
    }
  };
}

/**
 * What `sandbox.allowUnenforcedLimits` loosens on this engine, as status lines: one when the engine cannot enforce
 * limits and the setting lets sandboxes run anyway, none otherwise. Asked once the engine answers (again while it
 * does not: an unreachable engine runs nothing, so nothing runs loosened yet).
 */
export function limitsLoosening(engine: ContainerEngine, allowUnenforcedLimits: boolean): () => Promise<string[]> {
  let known: string[] | undefined;
  return async () => {
    if (!allowUnenforcedLimits) return [];
    if (known) return known;
    try {
      const reason = (await engine.describe()).limitsUnenforced;
      known = reason ? [unenforcedLimitsWarning(reason)] : [];
      return known;
    } catch {
      return [];
    }
  };
}

/** The remote endpoint host-path mounts are refused for, resolved from the settings alone (for listings). */
export function remoteEngineFor(settings: EngineSettings, env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    return mountsRefusedBy(currentEndpoint(settings.engine, env), settings)?.display;
  } catch {
    return undefined; // an unresolvable engine is reported by whatever tries to use it
  }
}
