import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Identifies one running mcpgw process (daemon or CLI) as host:pid:starttime. The start time, read from /proc,
 * keeps a reused pid from looking like the process that created a container.
 */
export function currentInstanceId(): string {
  return `${hostname()}:${process.pid}:${processStartTime(process.pid) ?? 0}`;
}

function processStartTime(pid: number): string | undefined {
  try {
    // Field 22 of /proc/PID/stat, counted after the parenthesised command name (which may contain spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** True when the process that the instance id names is still running on this host (or lives on another host). */
export async function isInstanceAlive(instanceId: string): Promise<boolean> {
  const [host, pidText, start] = instanceId.split(':');
  if (host !== hostname()) return true; // not ours to judge: another machine may share this engine
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return start === '0' || stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] === start;
  } catch {
    return start === '0';
  }
}
