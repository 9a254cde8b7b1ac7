import type Docker from 'dockerode';
import type { EngineInfo } from './engine.js';
import { dockerError } from './engine-errors.js';
import { engineFacts, unenforceableLimits } from './flavor.js';

/**
 * What the engine says about itself (name, version, runtimes, cgroup facts, whether it enforces limits), in one
 * shape for `doctor`, status displays, the runtime choice and the limits gate. The reading of the raw answers into
 * facts lives in flavor.ts; this only asks and assembles.
 */
export async function describeEngine(docker: Docker): Promise<EngineInfo> {
  try {
    const [version, info] = await Promise.all([docker.version(), docker.info() as Promise<Record<string, unknown>>]);
    const facts = engineFacts(version as { Components?: Array<{ Name?: string }> }, info);
    const unenforced = unenforceableLimits(facts);
    return {
      name: facts.kind === 'podman' ? 'Podman' : 'Docker',
      version: version.Version,
      apiVersion: version.ApiVersion,
      os: `${version.Os}/${version.Arch}`,
      runtimes: Object.keys((info.Runtimes as Record<string, unknown> | undefined) ?? {}).sort(),
      defaultRuntime: String(info.DefaultRuntime ?? 'runc'),
      rootDir: String(info.DockerRootDir ?? ''),
      cgroupVersion: String(info.CgroupVersion ?? '?'),
      facts,
      ...(unenforced ? { limitsUnenforced: unenforced } : {}),
      cpus: Number(info.NCPU ?? 0),
    };
  } catch (err) {
    throw dockerError(err, 'describe the engine');
  }
}
