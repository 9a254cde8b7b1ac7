import type { ContainerEngine } from './engine.js';
import { LABELS } from './labels.js';

/**
 * Removes containers labelled as ours whose owning process is gone (a crashed daemon or CLI): its sandboxes,
 * standbys, pool and gateway alike. Those of live owners, `self` included, are left alone. Returns their names.
 */
export async function purgeOrphanContainers(
  engine: Pick<ContainerEngine, 'listManaged' | 'remove'>,
  self: string,
  isAlive: (instanceId: string) => Promise<boolean>,
): Promise<string[]> {
  const removed: string[] = [];
  const containers = await engine.listManaged();
  await Promise.all(
    containers.map(async (c) => {
      const owner = c.labels[LABELS.instance] ?? '';
      if (owner === self || (owner && (await isAlive(owner)))) return;
      await engine.remove(c.id);
      removed.push(c.name);
    }),
  );
  return removed;
}
