import type { Logger } from '../logger.js';
import { isInstanceAlive } from '../sandbox/instance.js';
import type { SandboxRuntime } from '../sandbox/runtime.js';
import type { ContainerLedger, SessionRecords } from '../store/ports.js';

/**
 * What a starting daemon does about the one before it: containers no live process owns are removed (an
 * MCP server cannot be re-initialised mid-stream), sessions keep everything but their containers and go idle.
 * Returns every session id, for the agent to close calls that were in flight.
 */
export async function recoverSessions(options: {
  store: SessionRecords & ContainerLedger;
  runtime: SandboxRuntime;
  dockerOk: boolean;
  log: Logger;
}): Promise<string[]> {
  const { store, runtime, log } = options;
  if (options.dockerOk) {
    const purged = await runtime.purgeOrphans(isInstanceAlive);
    if (purged.length) log.info('purged orphan containers', { count: purged.length, names: purged });
  }
  const ids = await store.allSessionIds();
  for (const rec of await store.getSessions(ids)) {
    for (const [server, containerId] of Object.entries(await store.containersOf(rec.id)))
      await store.clearContainer(rec.id, server, containerId);
    if (rec.status === 'active') await store.updateSession(rec.id, { status: 'idle' });
  }
  return ids;
}
