import type { Catalog, ServerConfig } from '../../src/config/catalog.js';
import { imageLabel, loosenedBy } from '../../src/config/describe.js';
import { shortNetwork } from '../../src/config/egress.js';
import type { ServerSummary } from '../../src/protocol/session.js';
import type { RuntimeSetting } from '../../src/config/sandbox-runtime.js';
import type { LaunchResolver } from './launch.js';

/** One configured server as pickers and listings show it: runnable or not, and why. */
export type ServerState =
  | { name: string; available: true; server: ServerConfig }
  | { name: string; available: false; reason: string; path?: string; server?: ServerConfig };

/**
 * Every configured server in config order: static reasons from the catalog (remote, refused flag, bad entry) and
 * the ones known now (a missing secret, a refused secrets.env or mount). Checks presence only; no value is kept.
 */
export async function serverStates(catalog: Catalog, launch: Pick<LaunchResolver, 'check'>): Promise<ServerState[]> {
  const order = Object.keys((catalog.raw.mcpServers as Record<string, unknown> | undefined) ?? {});
  const states = new Map<string, ServerState>();
  for (const u of catalog.unavailable.values()) states.set(u.name, { ...u, available: false });
  await Promise.all(
    [...catalog.servers.values()].map(async (server) => {
      const reason = await launch.check(server);
      states.set(
        server.name,
        reason === undefined ? { name: server.name, available: true, server } : { name: server.name, available: false, reason, server },
      );
    }),
  );
  const named = new Set(order);
  return [...order.filter((n) => states.has(n)), ...[...states.keys()].filter((n) => !named.has(n))].map((n) => states.get(n)!);
}

/** The wire form of a server's state (`servers:list`); `runtime` is `sandbox.runtime`, which a server's own overrides. */
export function serverSummary(state: ServerState, runtime: RuntimeSetting = 'runc'): ServerSummary {
  const s = state.server;
  const loosened = s ? loosenedBy(s) : [];
  return {
    name: state.name,
    image: s ? imageLabel(s) : '-',
    network: s ? shortNetwork(s.network) : 'none',
    disabled: s?.disabled ?? false,
    available: state.available,
    ...(state.available ? {} : { reason: state.reason }),
    ...(loosened.length > 0 ? { loosened } : {}),
    runtime: s?.sandboxRuntime ?? runtime,
  };
}

/** Whether a server can run now, must be built first, or cannot run: what `config import` and `doctor` say. */
export type Readiness = { state: 'ready' | 'build'; detail: string } | { state: 'unavailable'; detail: string };

/** A state in one word and a detail; `built` says whether a recipe's image exists (undefined: not checked). */
export function readinessOf(state: ServerState, built?: boolean): Readiness {
  if (!state.available) return { state: 'unavailable', detail: state.reason };
  const s = state.server;
  if (s.disabled) return { state: 'unavailable', detail: 'disabled in the config' };
  if (s.build && built !== true) return { state: 'build', detail: imageLabel(s).replace(/^build: /, '') };
  return { state: 'ready', detail: imageLabel(s) };
}
