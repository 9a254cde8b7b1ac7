import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The facts a benchmark result is meaningless without. */
export function describeMachine(): Record<string, string | number> {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  const docker = (() => {
    try {
      return execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unavailable';
    }
  })();
  const cgroup = (() => {
    try {
      return readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8') ? 'v2' : 'v1';
    } catch {
      return 'v1';
    }
  })();
  return {
    cpu,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    kernel: os.release(),
    os: `${os.type()} ${os.arch()}`,
    node: process.version,
    docker,
    cgroup,
  };
}

/** Host memory available right now, in bytes (MemAvailable from /proc/meminfo). */
export function memAvailable(): number {
  const line = readFileSync('/proc/meminfo', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('MemAvailable:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}
