import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack as packTar } from 'tar-stream';
import { pack as packDirectory } from 'tar-fs';
import type { RootfsFile } from './rootfs.js';

export interface InlineFile {
  path: string;
  content: string;
  mode?: number;
}

/** A docker build context holding a Dockerfile, generated files and host files, streamed without a staging copy. */
export function buildContext(dockerfile: string, inline: InlineFile[], files: RootfsFile[]): Readable {
  const tar = packTar();
  void (async () => {
    try {
      tar.entry({ name: 'Dockerfile', mode: 0o644 }, dockerfile);
      for (const file of inline) tar.entry({ name: `rootfs${file.path}`, mode: file.mode ?? 0o644 }, file.content);
      for (const file of files) {
        const entry = tar.entry({ name: `rootfs${file.path}`, size: file.size, mode: file.mode });
        await pipeline(createReadStream(file.source), entry as unknown as NodeJS.WritableStream);
      }
      tar.finalize();
    } catch (err) {
      tar.destroy(err as Error);
    }
  })();
  return Readable.from(tar);
}

/** A docker build context from a directory (symlinks kept, as npm's .bin entries need). */
export function directoryContext(dir: string): Readable {
  return packDirectory(dir) as unknown as Readable;
}
