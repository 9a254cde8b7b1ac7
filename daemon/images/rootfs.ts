import { execFile } from 'node:child_process';
import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { McpgwError } from '../../src/errors.js';

const run = promisify(execFile);

export interface RootfsFile {
  /** Absolute path inside the image. */
  path: string;
  /** The host file whose contents to copy (symlinks resolved); unused for links. */
  source: string;
  mode: number;
  size: number;
  mtimeMs: number;
  /** Set for a symbolic link kept as a link (relative, pointing inside the copied tree). */
  linkTarget?: string;
}

/** Where the builder variant keeps npm (the path npm has in Debian's and nodesource's packages). */
export const NPM_DIR = '/usr/lib/node_modules/npm';

/**
 * The shared libraries `ldd` reports for some binaries, as absolute paths (the vDSO has none and is skipped). One
 * `ldd` run for all of them: Python's lib-dynload has dozens of modules.
 */
export async function sharedLibraries(...binaries: string[]): Promise<string[]> {
  if (binaries.length === 0) return [];
  const { stdout } = await run('ldd', binaries, { maxBuffer: 16 * 1024 * 1024 }).catch((err: { stdout?: string }) => {
    // ldd exits non-zero when one argument is not dynamic ("not a dynamic executable"); the rest is still printed.
    if (typeof err.stdout === 'string') return { stdout: err.stdout };
    throw err;
  });
  const libs = new Set<string>();
  for (const line of stdout.split('\n')) {
    const match = /=>\s*(\/\S+)/.exec(line) ?? /^\s+(\/\S+)\s+\(/.exec(line);
    if (match?.[1]) libs.add(match[1]);
  }
  return [...libs];
}

/** Host files at fixed image paths (symlinks resolved), each stat-ed for the tar and the base's hash. */
export async function hostFiles(wanted: Map<string, string>): Promise<RootfsFile[]> {
  const files: RootfsFile[] = [];
  for (const [imagePath, host] of wanted) {
    const source = await realpath(host);
    const info = await stat(source);
    files.push({ path: imagePath, source, mode: info.mode & 0o777, size: info.size, mtimeMs: info.mtimeMs });
  }
  return files;
}

/** A binary and every library it links against, each kept at the path the dynamic loader will look for it. */
export async function withLibraries(wanted: Map<string, string>, binaries: string[]): Promise<Map<string, string>> {
  for (const lib of await sharedLibraries(...binaries)) wanted.set(lib, lib);
  return wanted;
}

/**
 * The host files an offline Node base image needs: node, /usr/bin/env (for `#!/usr/bin/env node` bins) and
 * every library they link against.
 */
export async function nodeRootfsFiles(nodeBinary: string): Promise<RootfsFile[]> {
  const envBinary = '/usr/bin/env';
  const wanted = new Map<string, string>([
    ['/usr/bin/node', nodeBinary],
    [envBinary, envBinary],
  ]);
  return sortFiles(await hostFiles(await withLibraries(wanted, [nodeBinary, envBinary])));
}

/**
 * What the Node builder variant adds to the base: the host's npm (found next to its node) at NPM_DIR, and /bin/sh
 * with its libraries, which npm needs only to run lifecycle scripts (`build.scripts: true`).
 */
export async function npmBuilderFiles(nodeBinary: string): Promise<RootfsFile[]> {
  const npmDir = await findNpm(nodeBinary);
  const tree = await treeFiles(npmDir, NPM_DIR);
  const shell = await realpath('/bin/sh');
  const sh = await hostFiles(await withLibraries(new Map([['/bin/sh', shell]]), [shell]));
  return sortFiles([...tree, ...sh]);
}

/**
 * What identifies the npm a builder gets, cheaply: its package.json (rewritten by every npm install or upgrade) and
 * the shell. The ~2000 files themselves are listed only when the builder image is built.
 */
export async function npmIdentity(nodeBinary: string): Promise<string[]> {
  const npmDir = await findNpm(nodeBinary);
  const manifest = await stat(path.join(npmDir, 'package.json'));
  const shell = await stat(await realpath('/bin/sh'));
  return [npmDir, `${manifest.size}:${manifest.mtimeMs}`, `${shell.size}:${shell.mtimeMs}`];
}

/** npm's package directory: beside the node binary (`<prefix>/lib/node_modules/npm`), else where `npm` resolves. */
export async function findNpm(nodeBinary: string): Promise<string> {
  const candidates = [path.resolve(path.dirname(await realpath(nodeBinary)), '..', 'lib', 'node_modules', 'npm')];
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const real = await realpath(path.join(dir, 'npm')).catch(() => undefined);
    if (real) candidates.push(path.resolve(path.dirname(real), '..'));
  }
  for (const dir of candidates) {
    if (await stat(path.join(dir, 'bin', 'npm-cli.js')).catch(() => undefined)) return dir;
  }
  throw new McpgwError(
    'image_build_failed',
    `cannot find npm next to ${nodeBinary} (looked in ${candidates.join(', ')}); the build container needs the host's npm`,
  );
}

/**
 * Every file under a host directory, placed under `imageDir`. A symlink that stays inside the tree is kept as a
 * link. One that leaves it is, for `links: 'contain'` (host installations: npm, the stdlib), copied as the file it
 * points to (dangling ones and directories outside are skipped), so nothing in the image points at a host path
 * that is not there; for `links: 'verbatim'` (a user's package directory) it is kept as a link too, so no host file
 * outside the directory the user named is ever read.
 */
export async function treeFiles(
  hostDir: string,
  imageDir: string,
  skip: (rel: string, isDir: boolean) => boolean = () => false,
  links: 'contain' | 'verbatim' = 'contain',
): Promise<RootfsFile[]> {
  const root = await realpath(hostDir);
  const files: RootfsFile[] = [];
  // Entries of a directory are stat-ed concurrently: npm alone is ~2000 files, and this runs on every recipe lookup.
  const visit = async (rel: string): Promise<void> => {
    const host = path.join(root, rel);
    const info = await lstat(host);
    if (skip(rel, info.isDirectory())) return;
    if (info.isDirectory()) {
      await Promise.all((await readdir(host)).map((name) => visit(`${rel}/${name}`)));
      return;
    }
    const imagePath = path.posix.join(imageDir, rel);
    if (info.isSymbolicLink()) {
      const target = await readlink(host);
      const resolved = path.resolve(path.dirname(host), target);
      const inside = !path.isAbsolute(target) && (resolved === root || resolved.startsWith(`${root}/`));
      if (inside || links === 'verbatim') {
        files.push({ path: imagePath, source: host, mode: 0o777, size: 0, mtimeMs: info.mtimeMs, linkTarget: target });
        return;
      }
      const real = await stat(resolved).catch(() => undefined);
      if (!real?.isFile()) return;
      files.push({ path: imagePath, source: await realpath(resolved), mode: real.mode & 0o777, size: real.size, mtimeMs: real.mtimeMs });
      return;
    }
    if (info.isFile()) files.push({ path: imagePath, source: host, mode: info.mode & 0o777, size: info.size, mtimeMs: info.mtimeMs });
  };
  await Promise.all((await readdir(root)).map((name) => visit(name)));
  return sortFiles(files);
}

/** Files in image-path order, later duplicates of a path dropped (the first source named wins). */
export function sortFiles(files: RootfsFile[]): RootfsFile[] {
  const seen = new Set<string>();
  return files
    .filter((f) => (seen.has(f.path) ? false : (seen.add(f.path), true)))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
