import type { ServerConfig } from './catalog.js';
import { shortNetwork } from './egress.js';
import { npmSpecSummary, pipSpecSummary } from './redact.js';
import { DEFAULT_LIMITS } from './schema.js';

/**
 * What a server runs from, for listings and clients: its image, its recipe with every spec summarised (a spec can
 * carry a credential), or the plain base of its runtime.
 */
export function imageLabel(s: Pick<ServerConfig, 'image' | 'build' | 'runtime'>): string {
  if (s.image) return s.image;
  if (s.build?.pip) return `build: pip ${s.build.pip.map(pipSpecSummary).join(' ')}`;
  if (s.build?.npm) return `build: ${s.build.npm.map(npmSpecSummary).join(' ')}`;
  return `${s.runtime} base`;
}

/** What this server's config loosens beyond the locked-down defaults, one short phrase each (empty: nothing). */
export function loosenedBy(s: Pick<ServerConfig, 'network' | 'mounts' | 'limits'>): string[] {
  const out: string[] = [];
  if (s.network !== 'none') out.push(`network ${shortNetwork(s.network)}`);
  for (const m of s.mounts) if (!m.readOnly) out.push(`writable mount ${m.target}`);
  const mib = (bytes: number): string => `${Math.round(bytes / 1024 ** 2)} MiB`;
  if (s.limits.memoryBytes > DEFAULT_LIMITS.memory) out.push(`memory ${mib(s.limits.memoryBytes)}`);
  if (s.limits.nanoCpus > DEFAULT_LIMITS.cpus * 1e9) out.push(`${s.limits.nanoCpus / 1e9} cpus`);
  if (s.limits.pids > DEFAULT_LIMITS.pids) out.push(`${s.limits.pids} pids`);
  return out;
}
