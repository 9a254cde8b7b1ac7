import { execFile } from 'node:child_process';
import { realpath, stat } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RootfsFile {
  /** Absolute path inside the image. */
  path: string;
  /** The host file whose contents to copy (symlinks resolved). */
  source: string;
  mode: number;
  size: number;
  mtimeMs: number;
}

/** Lists the shared libraries `ldd` reports for a binary, as absolute paths (the vDSO has none and is skipped). */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await run('ldd', [binary]);
  const libs: string[] = [];
  for (const line of stdout.split('\n')) {
    const match = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (match?.[1]) libs.push(match[1]);
  }
  return libs;
}

/**
 * The host files an offline Node base image needs: node, /usr/bin/env (for `#!/usr/bin/env node` bins) and
 * every library they link against, each kept at the path the dynamic loader will look for it.
 */
export async function nodeRootfsFiles(nodeBinary: string): Promise<RootfsFile[]> {
  const envBinary = '/usr/bin/env';
  const wanted = new Map<string, string>([
    ['/usr/bin/node', nodeBinary],
    [envBinary, envBinary],
  ]);
  for (const binary of [nodeBinary, envBinary]) {
    for (const lib of await sharedLibraries(binary)) wanted.set(lib, lib);
  }
  const files: RootfsFile[] = [];
  for (const [path, host] of wanted) {
    const source = await realpath(host);
    const info = await stat(source);
    files.push({ path, source, mode: info.mode & 0o777, size: info.size, mtimeMs: info.mtimeMs });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
