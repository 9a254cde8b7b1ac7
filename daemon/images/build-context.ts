import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { McpgwError } from '../../src/errors.js';
import { tarOf, type TarEntry } from './context.js';
import { BUILD, type Ecosystem, type LocalSpec } from './recipe.js';
import { treeFiles } from './rootfs.js';

const NOBODY = 65534;

/** Directories of a local package that never go into a build: VCS data, installed dependencies, caches. */
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '__pycache__', '.venv']);
const skipLocal = (rel: string, isDir: boolean): boolean => isDir && SKIPPED_DIRS.has(rel.split('/').pop() ?? '');

export interface BuildContextInput {
  ecosystem: Ecosystem;
  local: LocalSpec[];
  /** PEM text of the CA bundle the package manager must trust (a TLS-inspecting proxy's), if any. */
  ca: string | undefined;
  /** A file:// index directory on the host, copied to /build/index. */
  indexDir: string | undefined;
}

/**
 * The tar put into the build container at `/`: /build (CA bundle, an empty npmrc, local packages, a file index)
 * and, for npm, /app/package.json. Everything is owned by the sandbox user. Local packages are copied with their
 * symlinks kept as links, so no host file outside the directories the recipe names is read.
 */
export async function buildContextTar(input: BuildContextInput): Promise<Readable> {
  const entries: TarEntry[] = [dir('build'), dir('build/home'), dir('build/tmp'), dir('build/local')];
  const rel = (p: string): string => p.replace(/^\/+/, '');
  if (input.ecosystem === 'npm') {
    entries.push(file(rel(BUILD.npmrc), '', 0o600), file(rel(BUILD.npmrcGlobal), '', 0o600));
    entries.push(dir('app'), file('app/package.json', `${JSON.stringify({ name: 'mcpgw-sandbox-app', private: true }, null, 2)}\n`));
  }
  if (input.ca !== undefined) entries.push(file(rel(BUILD.ca), input.ca));
  for (const spec of input.local) {
    entries.push(dir(rel(path.posix.dirname(spec.container))));
    entries.push(...(await hostEntries(spec.host, rel(spec.container))));
  }
  if (input.indexDir) entries.push(...(await hostEntries(input.indexDir, rel(BUILD.index))));
  return tarOf(entries);
}

/** A host file or directory as tar entries at `name` (directories walked, links verbatim, modes capped at 0755). */
async function hostEntries(host: string, name: string): Promise<TarEntry[]> {
  const info = await stat(host).catch((err: unknown) => {
    throw new McpgwError('image_build_failed', `local package ${host} cannot be read: ${(err as Error).message}`);
  });
  if (info.isFile()) return [{ name, type: 'file', mode: info.mode & 0o755, source: host, size: info.size, uid: NOBODY, gid: NOBODY }];
  const files = await treeFiles(host, `/${name}`, skipLocal, 'verbatim');
  const dirs = new Set<string>([name]);
  for (const f of files) {
    for (let d = path.posix.dirname(f.path.slice(1)); d.length > name.length; d = path.posix.dirname(d)) dirs.add(d);
  }
  return [
    ...[...dirs].sort().map((d) => dir(d)),
    ...files.map((f): TarEntry =>
      f.linkTarget !== undefined
        ? { name: f.path.slice(1), type: 'symlink', mode: 0o777, linkname: f.linkTarget, uid: NOBODY, gid: NOBODY }
        : { name: f.path.slice(1), type: 'file', mode: f.mode & 0o755, source: f.source, size: f.size, uid: NOBODY, gid: NOBODY },
    ),
  ];
}

/** Reads the CA bundle a registry setting names; a missing file is an error naming the setting. */
export async function readCa(file: string, setting: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new McpgwError('image_build_failed', `cannot read the CA bundle ${file} (${setting}): ${(err as Error).message}`, { cause: err });
  }
}

/** Sizes and mtimes of a local spec's files (skipped dirs left out): cheap, and changes when they do. */
export async function fingerprint(target: string): Promise<string> {
  const info = await stat(target).catch(() => undefined);
  if (!info) return `${target}:missing`;
  if (!info.isDirectory()) return `${target}:${info.size}:${info.mtimeMs}`;
  const files = await treeFiles(target, '/', skipLocal, 'verbatim');
  return files.map((f) => `${f.path}:${f.size}:${f.mtimeMs}:${f.mode}:${f.linkTarget ?? ''}`).join('\n');
}

const dir = (name: string): TarEntry => ({ name: `${name}/`, type: 'directory', mode: 0o755, uid: NOBODY, gid: NOBODY });
const file = (name: string, content: string, mode = 0o644): TarEntry => ({ name, type: 'file', mode, content, uid: NOBODY, gid: NOBODY });
