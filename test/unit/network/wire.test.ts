import { createServer, type AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { DnsResponder } from '../../../daemon/egress/gateway/dns-server.js';
import { printable } from '../../../daemon/egress/gateway/gateway.js';
import { parseQuery, QTYPE, RCODE } from '../../../daemon/egress/gateway/dns-wire.js';
import { sniff, splitHostPort } from '../../../daemon/egress/gateway/sniff.js';
import { parseEgressRule, type EgressRule } from '../../../src/config/egress.js';

/** A DNS query as a stub resolver sends it (RD set, one question, optional EDNS record). */
function query(name: string, type: number, id = 0x1234, edns = false): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(edns ? 1 : 0, 10);
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  const opt = edns ? Buffer.from([0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0]) : Buffer.alloc(0);
  return Buffer.concat([header, ...labels, Buffer.from([0]), tail, opt]);
}

/** The rcode and A records of an answer. */
function read(answer: Buffer): { id: number; rcode: number; qr: boolean; aa: boolean; addresses: string[] } {
  const q = parseQuery(Buffer.concat([answer.subarray(0, 2), Buffer.from([1, 0]), answer.subarray(4)]));
  if (!q.ok) throw new Error('unreadable answer');
  const flags = answer.readUInt16BE(2);
  const addresses: string[] = [];
  let at = 12 + q.query.question.length;
  for (let i = 0; i < answer.readUInt16BE(6); i++) {
    const size = answer.readUInt16BE(at + 10);
    addresses.push([...answer.subarray(at + 12, at + 12 + size)].join('.'));
    at += 12 + size;
  }
  return { id: answer.readUInt16BE(0), rcode: flags & 0xf, qr: Boolean(flags & 0x8000), aa: Boolean(flags & 0x400), addresses };
}

const rules: EgressRule[] = ['api.github.com', '*.context7.com'].map((t) => {
  const r = parseEgressRule(t);
  if (!r.ok) throw new Error(r.message);
  return r.rule;
});

describe('DNS answers', () => {
  it('answers an allowed name with the gateway’s own address, and nothing else', () => {
    const dns = new DnsResponder('10.200.0.2', () => rules);
    const a = dns.answer(query('API.GitHub.com', QTYPE.A, 7, true));
    expect(read(a.response!)).toEqual({ id: 7, rcode: RCODE.NOERROR, qr: true, aa: true, addresses: ['10.200.0.2'] });
    expect(a.decided).toEqual({ name: 'api.github.com', reason: 'allowed' });
    expect(read(dns.answer(query('mcp.context7.com', QTYPE.AAAA)).response!)).toMatchObject({ rcode: RCODE.NOERROR, addresses: [] });
  });

  it('answers NXDOMAIN for every other name, without asking anyone', () => {
    const dns = new DnsResponder('10.200.0.2', () => rules);
    const denied = dns.answer(query('registry.npmjs.org', QTYPE.A));
    expect(read(denied.response!)).toMatchObject({ rcode: RCODE.NXDOMAIN, addresses: [] });
    expect(denied.decided).toEqual({ name: 'registry.npmjs.org', reason: 'not_allowed' });
    // No authority section: the refusal is not cached, so a grant takes effect on the next lookup.
    expect(denied.response!.readUInt16BE(8)).toBe(0);
    expect(read(dns.answer(query('context7.com', QTYPE.A)).response!).rcode).toBe(RCODE.NXDOMAIN);
  });

  it('answers its own name with its own address (Podman has no resolver to), without a decision to report', () => {
    const dns = new DnsResponder('10.200.0.2', () => []);
    const self = dns.answer(query('MCPGW-EGRESS', QTYPE.A));
    expect(read(self.response!)).toMatchObject({ rcode: RCODE.NOERROR, addresses: ['10.200.0.2'] });
    expect(self.decided).toBeUndefined();
    expect(read(dns.answer(query('mcpgw-egress.example', QTYPE.A)).response!).rcode).toBe(RCODE.NXDOMAIN);
  });

  it('reports one name once in a while, not every retry', () => {
    const dns = new DnsResponder('10.200.0.2', () => rules);
    expect(dns.answer(query('x.example', QTYPE.A), 1000).decided).toBeDefined();
    expect(dns.answer(query('x.example', QTYPE.AAAA), 1001).decided).toBeUndefined();
    expect(dns.answer(query('x.example', QTYPE.A), 20_000).decided).toBeDefined();
    dns.forget();
    expect(dns.answer(query('x.example', QTYPE.A), 20_001).decided).toBeDefined();
  });

  it('answers malformed queries with FORMERR and other opcodes with NOTIMP', () => {
    const dns = new DnsResponder('10.200.0.2', () => rules);
    expect(dns.answer(Buffer.from([1, 2, 3])).response).toBeUndefined();
    const truncated = query('api.github.com', QTYPE.A).subarray(0, 20);
    const formerr = dns.answer(truncated).response!;
    expect(formerr.readUInt16BE(2) & 0xf).toBe(RCODE.FORMERR);
    expect(formerr.readUInt16BE(4)).toBe(0); // no question echoed: it could not be read
    const pointer = Buffer.concat([query('a.b', QTYPE.A).subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]);
    expect(dns.answer(pointer).response!.readUInt16BE(2) & 0xf).toBe(RCODE.FORMERR);
    const update = query('api.github.com', QTYPE.A);
    update.writeUInt16BE(0x2800, 2); // opcode 5 (UPDATE)
    expect(dns.answer(update).response!.readUInt16BE(2) & 0xf).toBe(RCODE.NOTIMP);
  });
});

/** The bytes a real Node TLS client sends first, for `servername`. */
async function clientHello(servername?: string): Promise<Buffer> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const got = new Promise<Buffer>((resolve) => server.once('connection', (s) => s.once('data', (d: Buffer) => (resolve(d), s.destroy()))));
  const client = tlsConnect({ host: '127.0.0.1', port, ...(servername ? { servername } : {}), rejectUnauthorized: false });
  client.on('error', () => undefined);
  const hello = await got;
  client.destroy();
  server.close();
  return hello;
}

describe('sniffing the destination name', () => {
  it('reads the SNI of a real ClientHello, and waits for the rest of a partial one', async () => {
    const hello = await clientHello('api.github.com');
    expect(sniff(hello)).toEqual({ kind: 'tls', name: 'api.github.com' });
    expect(sniff(hello.subarray(0, 3))).toEqual({ kind: 'more' });
    expect(sniff(hello.subarray(0, hello.length - 1))).toEqual({ kind: 'more' });
  });

  it('joins a ClientHello split over two TLS records', async () => {
    const hello = await clientHello('mcp.context7.com');
    const body = hello.subarray(5);
    const record = (part: Buffer): Buffer => Buffer.concat([Buffer.from([0x16, 3, 1, part.length >> 8, part.length & 0xff]), part]);
    const split = Buffer.concat([record(body.subarray(0, 40)), record(body.subarray(40))]);
    expect(sniff(split)).toEqual({ kind: 'tls', name: 'mcp.context7.com' });
  });

  it('sees no name when a client connects by address (no SNI)', async () => {
    expect(sniff(await clientHello())).toEqual({ kind: 'tls', name: undefined });
  });

  it('reads the Host of an HTTP request, and refuses two of them', () => {
    const one = sniff(Buffer.from('GET /x HTTP/1.1\r\nHost: API.example.com:80\r\nAccept: */*\r\n\r\n'));
    expect(one).toMatchObject({ kind: 'http', name: 'API.example.com', head: { method: 'GET', target: '/x' } });
    expect(sniff(Buffer.from('GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n'))).toMatchObject({
      kind: 'http',
      name: undefined,
    });
    expect(sniff(Buffer.from('GET / HTTP/1.1\r\nHost: a.exa'))).toEqual({ kind: 'more' });
  });

  it('reads a proxy CONNECT', () => {
    expect(sniff(Buffer.from('CONNECT api.github.com:443 HTTP/1.1\r\nHost: api.github.com:443\r\n\r\n'))).toMatchObject({
      kind: 'http',
      head: { method: 'CONNECT', target: 'api.github.com:443' },
    });
  });

  it('calls anything else "other"', () => {
    expect(sniff(Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'))).toEqual({ kind: 'other' });
    expect(sniff(Buffer.from([0x16, 3, 1, 0, 4, 2, 0, 0, 0]))).toEqual({ kind: 'other' }); // a ServerHello
    expect(sniff(Buffer.from('GET / FTP/1.0\r\n\r\n'))).toEqual({ kind: 'other' });
  });

  it('splits host and port', () => {
    expect(splitHostPort('a.example:8443')).toEqual({ host: 'a.example', port: 8443 });
    expect(splitHostPort('[2001:db8::1]:443')).toEqual({ host: '2001:db8::1', port: 443 });
    expect(splitHostPort('a.example')).toEqual({ host: 'a.example', port: undefined });
    expect(splitHostPort('a b')).toBeUndefined();
  });
});

describe('names in reports', () => {
  it('reach consoles short and printable, whatever a sandbox sent', () => {
    expect(printable('api.github.com')).toBe('api.github.com');
    expect(printable('\u001b[2Jevil\u0007.example')).toBe('?[2Jevil?.example');
    expect(printable('a'.repeat(1000))).toHaveLength(253);
  });
});
