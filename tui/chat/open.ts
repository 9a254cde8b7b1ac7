import { Buffer } from 'node:buffer';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { McpgwError } from '../../src/errors.js';
import { checkMedia } from '../../src/tools/media.js';
import type { Attachment } from '../../src/view/attachments.js';

const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'audio/wav': 'wav',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/flac': 'flac',
};

/**
 * Writes an attachment of a tool result (`/open N`) to a new file only the user can read (0600, in a fresh 0700
 * directory) and returns its path. Nothing opens it: what the server sent is the user's to look at, with what they
 * choose. Media are checked again (type, base64, magic) and named by their checked type, never by anything the
 * server wrote; an embedded resource's text is saved as .txt.
 */
export async function writeAttachment(attachment: Attachment, parent = tmpdir()): Promise<string> {
  let bytes: Uint8Array;
  let extension: string;
  if (attachment.kind === 'media') {
    const data = attachment.item.data;
    if (data === undefined) throw new McpgwError('internal', `attachment ${attachment.n} has no bytes here: ask mcpd for them first`);
    const check = checkMedia(attachment.item.mimeType, data, Number.MAX_SAFE_INTEGER);
    if (!check.ok) throw new McpgwError('bad_request', `attachment ${attachment.n} cannot be saved: ${check.reason}`);
    bytes = Buffer.from(data, 'base64');
    extension = EXTENSIONS[check.mimeType] ?? 'bin';
  } else {
    bytes = Buffer.from(attachment.item.text, 'utf8');
    extension = 'txt';
  }
  // mkdtemp makes the directory 0700; the file is created new (never through a link planted there) and 0600.
  const dir = await mkdtemp(path.join(parent, 'mcpgw-open-'));
  const file = path.join(dir, `attachment-${attachment.n}.${extension}`);
  await writeFile(file, bytes, { mode: 0o600, flag: 'wx' });
  return file;
}
