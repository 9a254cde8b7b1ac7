// Runs inside the gateway container: node built-ins and files next to this one only.

/** The most the gateway reads before it knows where a connection goes (a ClientHello or an HTTP head). */
export const MAX_SNIFF_BYTES = 64 * 1024;

/** What the first bytes of a connection say about its destination. */
export type Sniffed =
  | { kind: 'more' }
  | { kind: 'tls'; name: string | undefined }
  | { kind: 'http'; name: string | undefined; head: HttpHead }
  | { kind: 'other' };

export interface HttpHead {
  method: string;
  target: string;
  version: string;
  headers: Array<[string, string]>;
  /** Bytes of the head, including the blank line. */
  length: number;
}

/** Reads a TLS ClientHello's SNI, or an HTTP request's Host, from the bytes received so far. */
export function sniff(data: Buffer): Sniffed {
  if (data.length === 0) return { kind: 'more' };
  if (data[0] === 0x16) return sniffTls(data);
  if (/^[A-Z]{1,16} /.test(data.toString('latin1', 0, Math.min(data.length, 17))) || /^[A-Z]{1,16}$/.test(data.toString('latin1'))) {
    const head = parseHttpHead(data);
    if (head === 'more') return { kind: 'more' };
    if (head === 'bad') return { kind: 'other' };
    return { kind: 'http', name: hostOf(head), head };
  }
  return { kind: 'other' };
}

/** Parses an HTTP/1.x request head; 'more' until the blank line has arrived. */
export function parseHttpHead(data: Buffer): HttpHead | 'more' | 'bad' {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return data.length >= MAX_SNIFF_BYTES ? 'bad' : 'more';
  const lines = data.toString('latin1', 0, end).split('\r\n');
  const [method, target, version, ...extra] = (lines[0] ?? '').split(' ');
  if (!method || !target || !version?.startsWith('HTTP/1.') || extra.length > 0) return 'bad';
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return 'bad';
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { method, target, version, headers, length: end + 4 };
}

/** The Host header's name, without a port. Two Host headers (a smuggling trick) count as none. */
function hostOf(head: HttpHead): string | undefined {
  const hosts = head.headers.filter(([k]) => k === 'host').map(([, v]) => v);
  if (hosts.length !== 1) return undefined;
  return splitHostPort(hosts[0] ?? '')?.host;
}

/** "name:port", "[v6]:port" or "name" → its parts; undefined when malformed. */
export function splitHostPort(text: string): { host: string; port: number | undefined } | undefined {
  const bracket = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracket) return { host: bracket[1] ?? '', port: bracket[2] === undefined ? undefined : Number(bracket[2]) };
  const match = /^([^:\s]+)(?::(\d{1,5}))?$/.exec(text);
  if (!match) return undefined;
  return { host: match[1] ?? '', port: match[2] === undefined ? undefined : Number(match[2]) };
}

/**
 * The server_name of a ClientHello (RFC 8446 §4.1.2, RFC 6066 §3). The handshake message may span several TLS
 * records; their fragments are joined until the whole message is here.
 */
function sniffTls(data: Buffer): Sniffed {
  const fragments: Buffer[] = [];
  let at = 0;
  let have = 0;
  let need: number | undefined;
  while (need === undefined || have < need) {
    if (at + 5 > data.length) return data.length >= MAX_SNIFF_BYTES ? { kind: 'other' } : { kind: 'more' };
    if (data[at] !== 0x16) return { kind: 'other' };
    const size = data.readUInt16BE(at + 3);
    if (at + 5 + size > data.length) return data.length >= MAX_SNIFF_BYTES ? { kind: 'other' } : { kind: 'more' };
    fragments.push(data.subarray(at + 5, at + 5 + size));
    have += size;
    at += 5 + size;
    if (need === undefined && have >= 4) {
      const first = Buffer.concat(fragments);
      if (first[0] !== 0x01) return { kind: 'other' }; // not a ClientHello
      need = 4 + first.readUIntBE(1, 3);
    }
  }
  const hello = Buffer.concat(fragments).subarray(4, need);
  return { kind: 'tls', name: serverName(hello) };
}

function serverName(hello: Buffer): string | undefined {
  let at = 2 + 32; // version, random
  const skip = (lengthBytes: number): boolean => {
    if (at + lengthBytes > hello.length) return false;
    at += lengthBytes + hello.readUIntBE(at, lengthBytes);
    return at <= hello.length;
  };
  if (!skip(1) || !skip(2) || !skip(1)) return undefined; // session id, cipher suites, compression methods
  if (at + 2 > hello.length) return undefined;
  const end = Math.min(hello.length, at + 2 + hello.readUInt16BE(at));
  at += 2;
  while (at + 4 <= end) {
    const type = hello.readUInt16BE(at);
    const size = hello.readUInt16BE(at + 2);
    const body = hello.subarray(at + 4, at + 4 + size);
    at += 4 + size;
    if (type !== 0 || body.length < 5) continue;
    // server_name_list: one host_name (type 0) entry is all clients send.
    if (body[2] !== 0) return undefined;
    const nameLength = body.readUInt16BE(3);
    return body.toString('latin1', 5, 5 + nameLength);
  }
  return undefined;
}
