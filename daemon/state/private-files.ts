import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Creates `dir` and every missing parent with mode 0700, and sets the directory itself to exactly 0700.
 *
 * mkdir's mode is only an upper bound (the umask removes bits), and a directory that already exists keeps its mode:
 * an older mcpgw created the state dir 0755. The state dir holds the token, so it is made private on every start.
 * Parents are only created (0700, as XDG asks), never changed: they may be the user's home.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = statSync(dir);
  if ((info.mode & 0o777) !== 0o700 && info.uid === process.getuid?.()) chmodSync(dir, 0o700);
}

/**
 * Writes a file readable by its owner only, atomically: the content goes to a new 0600 file (created with that mode,
 * never widened later) which then replaces `file`, so a reader never sees half a file or a moment of a wider mode.
 */
export function writePrivateFile(file: string, content: string): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, content, { mode: 0o600, flag: 'wx' });
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
