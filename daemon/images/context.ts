import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as extractTar, pack as packTar } from 'tar-stream';
import { McpgwError } from '../../src/errors.js';
import type { RootfsFile } from './rootfs.js';

/** One tar entry: a host file streamed by path, generated content, a directory or a symlink. */
export interface TarEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  /** Host file to stream (size must be set). */
  source?: string;
  size?: number;
  content?: string | Buffer;
  linkname?: string;
  uid?: number;
  gid?: number;
  /** Kept for files whose time matters (Python checks a .pyc against its source's mtime); else the epoch. */
  mtimeMs?: number;
}

export interface InlineFile {
  path: string;
  content: string;
  mode?: number;
}

/** A tar stream of the entries, host files read as the tar is consumed (no staging copy on disk). */
export function tarOf(entries: Iterable<TarEntry>): Readable {
  const tar = packTar();
  void (async () => {
    try {
      for (const e of entries) {
        const header = { name: e.name, mode: e.mode, uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: new Date(e.mtimeMs ?? 0) };
        if (e.type === 'directory') tar.entry({ ...header, type: 'directory' });
        else if (e.type === 'symlink') tar.entry({ ...header, type: 'symlink', linkname: e.linkname ?? '' });
        else if (e.source === undefined) tar.entry(header, e.content ?? '');
        else {
          const entry = tar.entry({ ...header, size: e.size ?? 0 });
          await pipeline(createReadStream(e.source), entry as unknown as NodeJS.WritableStream);
        }
      }
      tar.finalize();
    } catch (err) {
      tar.destroy(err as Error);
    }
  })();
  return Readable.from(tar);
}

/** Rootfs files as tar entries under `prefix` (a symlink stays a link). */
export function rootfsEntries(files: readonly RootfsFile[], prefix: string, owner?: number): TarEntry[] {
  const ids = owner === undefined ? {} : { uid: owner, gid: owner };
  return files.map((f) =>
    f.linkTarget !== undefined
      ? { name: `${prefix}${f.path}`, type: 'symlink', mode: 0o777, linkname: f.linkTarget, ...ids }
      : { name: `${prefix}${f.path}`, type: 'file', mode: f.mode, source: f.source, size: f.size, mtimeMs: f.mtimeMs, ...ids },
  );
}

/** A docker build context holding a Dockerfile, generated files and host files under `rootfs/`. */
export function buildContext(dockerfile: string, inline: InlineFile[], files: RootfsFile[], extra: TarEntry[] = []): Readable {
  return tarOf([
    { name: 'Dockerfile', type: 'file', mode: 0o644, content: dockerfile },
    ...inline.map((f): TarEntry => ({ name: `rootfs${f.path}`, type: 'file', mode: f.mode ?? 0o644, content: f.content })),
    ...rootfsEntries(files, 'rootfs'),
    ...extra,
  ]);
}

/**
 * A docker build context made of a Dockerfile followed by an archive exported from a container, without unpacking
 * it on the host: the Dockerfile's tar entry (without an end-of-archive marker) is sent first, then the engine's
 * own tar bytes, so the build context is the union of both and nothing from the build container touches the host's
 * file system.
 */
export async function contextWithArchive(dockerfile: string, archive: Readable): Promise<Readable> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarOf([{ name: 'Dockerfile', type: 'file', mode: 0o644, content: dockerfile }])) chunks.push(chunk as Buffer);
  const head = Buffer.concat(chunks);
  // tar-stream ends an archive with two zero blocks; everything before them is the Dockerfile's header and data.
  const end = head.length - 1024;
  if (end <= 0 || head.subarray(end).some((b) => b !== 0))
    throw new McpgwError('internal', 'unexpected tar layout for the Dockerfile entry');
  return Readable.from(
    (async function* () {
      yield head.subarray(0, end);
      yield* archive;
    })(),
  );
}

/** The contents of the first regular file in a tar (what the engine returns for a file path), up to `maxBytes`. */
export async function firstFileOf(archive: Readable, maxBytes: number): Promise<Buffer | undefined> {
  const extract = extractTar();
  let found: Buffer | undefined;
  let tooBig = false;
  extract.on('entry', (header, stream, next) => {
    if (found !== undefined || header.type !== 'file' || (header.size ?? 0) > maxBytes) {
      if (header.type === 'file' && (header.size ?? 0) > maxBytes) tooBig = true;
      stream.on('end', next).resume();
      return;
    }
    const parts: Buffer[] = [];
    stream.on('data', (c: unknown) => parts.push(c as Buffer));
    stream.on('end', () => {
      found = Buffer.concat(parts);
      next();
    });
  });
  await pipeline(archive, extract);
  if (tooBig && found === undefined)
    throw new McpgwError('image_build_failed', `a file the build produced is larger than ${maxBytes} bytes`);
  return found;
}
