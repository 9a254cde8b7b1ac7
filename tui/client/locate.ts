import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { resolvePaths, stateFile } from '../../src/paths.js';

export interface DaemonLocation {
  stateDir: string;
  /** From MCPGW_URL, else the running daemon's daemon.json; undefined when none is running. */
  url: string | undefined;
  pid: number | undefined;
  token: string | undefined;
}

/** Finds the daemon this user talks to: its URL and the token that admits them. */
export function locateDaemon(env: NodeJS.ProcessEnv = process.env): DaemonLocation {
  const { stateDir } = resolvePaths(env, homedir());
  const token = env.MCPGW_TOKEN || readOptional(stateFile(stateDir, 'ownerToken'))?.trim();
  if (env.MCPGW_URL) return { stateDir, url: env.MCPGW_URL, pid: undefined, token };
  const info = readOptional(stateFile(stateDir, 'daemonInfo'));
  if (!info) return { stateDir, url: undefined, pid: undefined, token };
  try {
    const { url, pid } = JSON.parse(info) as { url: string; pid: number };
    return { stateDir, url: isRunning(pid) ? url : undefined, pid, token };
  } catch {
    return { stateDir, url: undefined, pid: undefined, token };
  }
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** True when a process with this pid exists (EPERM means it exists but is someone else's). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The mcpd entry point shipped next to this client (compiled layout), overridable with MCPGW_MCPD. */
export function mcpdEntry(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.MCPGW_MCPD) return env.MCPGW_MCPD.split(' ');
  for (const relative of ['../../bin/mcpd.js', '../../dist/bin/mcpd.js']) {
    const file = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(file)) return [process.execPath, file];
  }
  return ['mcpd'];
}
