import { open, readFile, rm } from 'node:fs/promises';
import { stateFile } from '../../src/paths.js';
import { McpgwError } from '../../src/errors.js';
import { currentInstanceId, isInstanceAlive } from '../sandbox/instance.js';
import { ensurePrivateDir } from './private-files.js';

/** What a running mcpd advertises to clients (`daemon.json` in the state dir). */
export interface DaemonInfo {
  pid: number;
  instance: string;
  url: string;
  version: string;
  startedAt: number;
}

/**
 * One mcpd per state directory: an exclusive lock file holding the owner's instance id. A lock whose owner is no
 * longer running (a daemon killed with SIGKILL) is taken over.
 */
export async function acquireLock(stateDir: string): Promise<{ release: () => Promise<void>; instance: string }> {
  ensurePrivateDir(stateDir);
  const file = stateFile(stateDir, 'lock');
  const instance = currentInstanceId();
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(`${instance}\n`);
      await handle.close();
      return {
        instance,
        release: async () => {
          const owner = (await readFile(file, 'utf8').catch(() => '')).trim();
          if (owner === instance) await rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = (await readFile(file, 'utf8').catch(() => '')).trim();
      if (owner && (await isInstanceAlive(owner))) {
        throw new McpgwError('conflict', `mcpd is already running for ${stateDir} (pid ${owner.split(':')[1] ?? '?'})`);
      }
      await rm(file, { force: true });
    }
  }
  throw new McpgwError('conflict', `could not take the lock ${file}`);
}
