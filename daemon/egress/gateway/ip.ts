// Runs inside the gateway container: node built-ins and files next to this one only.
import { isIPv4, isIPv6 } from 'node:net';

/** An address as 4 or 16 bytes. */
export interface IpBytes {
  family: 4 | 6;
  bytes: Uint8Array;
}

export interface Cidr extends IpBytes {
  prefix: number;
}

/** Parses a literal IPv4 or IPv6 address (no zone, no brackets); undefined for anything else. */
export function parseIp(text: string): IpBytes | undefined {
  if (isIPv4(text)) return { family: 4, bytes: Uint8Array.from(text.split('.').map(Number)) };
  if (!isIPv6(text)) return undefined;
  let head = text;
  let tail4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    tail4 = text
      .slice(lastColon + 1)
      .split('.')
      .map(Number);
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const groups = (part: string): number[] => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const l = groups(left);
  const r = right === undefined ? [] : groups(right);
  const words = [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[i * 2] = w >> 8;
    bytes[i * 2 + 1] = w & 0xff;
  });
  if (tail4.length === 4) bytes.set(tail4, 12);
  return { family: 6, bytes };
}

/** Parses "10.0.0.0/8", "fe80::/10" or a bare address (a /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
  const [addr = '', prefixText] = text.split('/');
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  return { ...ip, prefix };
}

/** True when `ip` lies inside `cidr` (same family only). */
export function inCidr(ip: IpBytes, cidr: Cidr): boolean {
  if (ip.family !== cidr.family) return false;
  let bits = cidr.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((ip.bytes[i] ?? 0) & mask) !== ((cidr.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** The IPv4 address an IPv6 one carries (IPv4-mapped ::ffff:0:0/96 or NAT64 64:ff9b::/96), if any. */
export function embeddedIpv4(ip: IpBytes): IpBytes | undefined {
  if (ip.family !== 6) return undefined;
  const b = ip.bytes;
  const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  const nat64 = b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && b.slice(4, 12).every((x) => x === 0);
  return mapped || nat64 ? { family: 4, bytes: b.slice(12) } : undefined;
}

/** Dotted or colon notation of an address (for logs). */
export function formatIp(ip: IpBytes): string {
  if (ip.family === 4) return [...ip.bytes].join('.');
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push((((ip.bytes[i] ?? 0) << 8) | (ip.bytes[i + 1] ?? 0)).toString(16));
  return words.join(':');
}
