import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';

export interface WheelInput {
  name: string;
  version: string;
  /** Files at the wheel's root (pure-Python modules), by name. */
  files: Record<string, string>;
  consoleScripts: Record<string, string>;
}

/**
 * Writes a pure-Python wheel (PEP 427) without any build tool: the module files plus the .dist-info (METADATA,
 * WHEEL, entry_points.txt, RECORD) in a zip with stored entries. Returns the wheel's file name and sha256.
 */
export function writeWheel(dir: string, input: WheelInput): { file: string; sha256: string } {
  const dist = input.name.replace(/[-_.]+/g, '_');
  const info = `${dist}-${input.version}.dist-info`;
  const entries: Array<[string, Buffer]> = Object.entries(input.files).map(([n, text]) => [n, Buffer.from(text)]);
  entries.push([`${info}/METADATA`, Buffer.from(`Metadata-Version: 2.1\nName: ${input.name}\nVersion: ${input.version}\n`)]);
  entries.push([`${info}/WHEEL`, Buffer.from('Wheel-Version: 1.0\nGenerator: mcpgw-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n')]);
  const scripts = Object.entries(input.consoleScripts).map(([n, target]) => `${n} = ${target}`);
  entries.push([`${info}/entry_points.txt`, Buffer.from(`[console_scripts]\n${scripts.join('\n')}\n`)]);
  const record = entries.map(([n, data]) => `${n},sha256=${createHash('sha256').update(data).digest('base64url')},${data.length}`);
  entries.push([`${info}/RECORD`, Buffer.from(`${[...record, `${info}/RECORD,,`].join('\n')}\n`)]);
  const zip = storedZip(entries);
  const file = `${dist}-${input.version}-py3-none-any.whl`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, file), zip);
  return { file, sha256: createHash('sha256').update(zip).digest('hex') };
}

/** A PEP 503 "simple" index directory holding one project's wheel, links relative so the directory can move. */
export function writeSimpleIndex(root: string, project: string, wheel: WheelInput): string {
  const normalized = project.toLowerCase().replace(/[-_.]+/g, '-');
  const projectDir = path.join(root, normalized);
  const { file, sha256 } = writeWheel(projectDir, wheel);
  writeFileSync(path.join(root, 'index.html'), `<!DOCTYPE html><html><body><a href="${normalized}/">${normalized}</a></body></html>\n`);
  writeFileSync(
    path.join(projectDir, 'index.html'),
    `<!DOCTYPE html><html><body><a href="${file}#sha256=${sha256}">${file}</a></body></html>\n`,
  );
  return root;
}

/** A zip archive with uncompressed entries: local headers, then the central directory, then its end record. */
function storedZip(entries: Array<[string, Buffer]>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name);
    const crc = crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
