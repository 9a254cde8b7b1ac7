// Runs inside the gateway container: node built-ins and files next to this one only.

/** The parts of a DNS query the gateway answers from (RFC 1035 §4.1). */
export interface DnsQuery {
  id: number;
  /** The query's flags word: opcode and RD are echoed. */
  flags: number;
  /** Lower-case, without the trailing dot. */
  name: string;
  type: number;
  qclass: number;
  /** The question section as received, echoed in the answer. */
  question: Buffer;
}

export const QTYPE = { A: 1, AAAA: 28 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

const HEADER = 12;

/** Parses a query with exactly one question; `{ id }` alone when it is malformed but has a header to answer. */
export function parseQuery(msg: Buffer): { ok: true; query: DnsQuery } | { ok: false; id?: number; flags?: number; rcode: number } {
  if (msg.length < HEADER) return { ok: false, rcode: RCODE.FORMERR };
  const id = msg.readUInt16BE(0);
  const flags = msg.readUInt16BE(2);
  const fail = (rcode: number): { ok: false; id: number; flags: number; rcode: number } => ({ ok: false, id, flags, rcode });
  if (flags & 0x8000) return fail(RCODE.FORMERR); // a response, not a query
  if ((flags >> 11) & 0xf) return fail(RCODE.NOTIMP); // only standard queries
  if (msg.readUInt16BE(4) !== 1) return fail(RCODE.FORMERR);
  const labels: string[] = [];
  let at = HEADER;
  let length = 0;
  for (;;) {
    const size = msg[at];
    if (size === undefined) return fail(RCODE.FORMERR);
    at += 1;
    if (size === 0) break;
    if (size > 63) return fail(RCODE.FORMERR); // compression pointers have no place in a question
    if (at + size > msg.length) return fail(RCODE.FORMERR);
    length += size + 1;
    if (length > 255) return fail(RCODE.FORMERR);
    labels.push(msg.toString('latin1', at, at + size));
    at += size;
  }
  if (at + 4 > msg.length) return fail(RCODE.FORMERR);
  const type = msg.readUInt16BE(at);
  const qclass = msg.readUInt16BE(at + 2);
  at += 4;
  return {
    ok: true,
    query: { id, flags, name: labels.join('.').toLowerCase(), type, qclass, question: Buffer.from(msg.subarray(HEADER, at)) },
  };
}

/**
 * An answer to `query`: the rcode, and A records for `addresses` (IPv4, dotted). No authority section, so a
 * negative answer is not cached (RFC 2308 §5): a name granted a moment later resolves on the next try.
 */
export function buildResponse(
  query: Pick<DnsQuery, 'id' | 'flags' | 'question'>,
  rcode: number,
  addresses: readonly string[] = [],
  ttl = 5,
): Buffer {
  const header = Buffer.alloc(HEADER);
  header.writeUInt16BE(query.id, 0);
  // QR, the query's opcode and RD, AA (the gateway is the authority for what a sandbox may resolve), RA.
  header.writeUInt16BE(0x8000 | (query.flags & 0x7900) | 0x0400 | 0x0080 | (rcode & 0xf), 2);
  header.writeUInt16BE(query.question.length > 0 ? 1 : 0, 4);
  header.writeUInt16BE(addresses.length, 6);
  const answers = addresses.map((address) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc000 | HEADER, 0); // pointer to the question's name
    record.writeUInt16BE(QTYPE.A, 2);
    record.writeUInt16BE(1, 4);
    record.writeUInt32BE(ttl, 6);
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((octet, i) => record.writeUInt8(Number(octet), 12 + i));
    return record;
  });
  return Buffer.concat([header, query.question, ...answers]);
}

/** An error answer for a query that could not be parsed (no question echoed). */
export function buildError(id: number, flags: number, rcode: number): Buffer {
  return buildResponse({ id, flags, question: Buffer.alloc(0) }, rcode);
}
