import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer as createHttpServer, request as httpRequest, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from '../../../daemon/egress/gateway/gateway.js';
import type { DecisionReport, GatewayCommand, GatewayReport } from '../../../daemon/egress/gateway/protocol.js';
import { parseEgressRule, type EgressRule } from '../../../src/config/egress.js';
import { makeTestCert } from '../../helpers/tls-cert.js';

// The gateway in-process, on loopback addresses: 127.0.0.2 plays its address on a sandbox network, 127.0.0.1 the
// sandbox, 127.0.0.3 the destinations, and a recording DNS stub the upstream resolver. The same code runs in the
// gateway container (test/integration/egress.test.ts proves that wiring with real networks).
const GATEWAY = '127.0.0.2';
const SANDBOX = '127.0.0.1';
const TARGETS = '127.0.0.3';
const cert = makeTestCert(['tls.egress.test', 'rebind.egress.test']);

let tlsPort = 0;
let httpPort = 0;
let proxyPort = 0;
let dnsPort = 0;
const reports: GatewayReport[] = [];
const stubQueries: string[] = [];
let stub: ChildProcess;
let gateway: Gateway;
const servers: Array<{ close: () => unknown }> = [];
let nextId = 1;

const rule = (text: string): EgressRule => {
  const parsed = parseEgressRule(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.rule;
};

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

async function run(cmd: WithoutId<GatewayCommand>): Promise<void> {
  const id = nextId++;
  await gateway.handle({ ...cmd, id } as GatewayCommand);
  const ack = reports.find((r) => r.type === 'ack' && r.id === id);
  if (!ack || ack.type !== 'ack' || !ack.ok) throw new Error(`command failed: ${JSON.stringify(ack)}`);
}

/** A free TCP port on `host` (and, as used here, on the gateway address too). */
async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const waiters = new Set<() => void>();
function record(report: GatewayReport): void {
  reports.push(report);
  for (const check of waiters) check();
}

/** The decision reported for a host: already in, or the next one that arrives. */
function decision(host: string | undefined, via?: string): Promise<DecisionReport> {
  const find = (): DecisionReport | undefined =>
    reports.find((r): r is DecisionReport => r.type === 'decision' && r.host === host && (!via || r.via === via));
  return new Promise((resolve) => {
    const check = (): void => {
      const found = find();
      if (!found) return;
      waiters.delete(check);
      resolve(found);
    };
    waiters.add(check);
    check();
  });
}

beforeAll(async () => {
  stub = spawn(process.execPath, [
    fileURLToPath(new URL('../../fixtures/egress/dns-stub.mjs', import.meta.url)),
    SANDBOX,
    '0',
    JSON.stringify({ 'tls.egress.test': TARGETS, 'http.egress.test': TARGETS, 'rebind.egress.test': '10.200.0.9' }),
  ]);
  const stubPort = await new Promise<number>((resolve) => {
    createInterface({ input: stub.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as { listening?: number; query?: string };
      if (msg.listening !== undefined) resolve(msg.listening);
      if (msg.query) stubQueries.push(msg.query);
    });
  });
  [tlsPort, httpPort, proxyPort, dnsPort] = [
    await freePort(TARGETS),
    await freePort(TARGETS),
    await freePort(GATEWAY),
    await freePort(GATEWAY),
  ];
  const tls = createHttpsServer({ key: cert.key, cert: cert.cert }, (req, res) => res.end(`tls target saw ${req.headers.host}`));
  const http: HttpServer = createHttpServer((req, res) => res.end(`http target saw ${req.method} ${req.url} host=${req.headers.host}`));
  await new Promise<void>((resolve) => tls.listen(tlsPort, TARGETS, resolve));
  await new Promise<void>((resolve) => http.listen(httpPort, TARGETS, resolve));
  servers.push(tls, http);

  gateway = new Gateway(record);
  await run({
    op: 'configure',
    resolvers: [`${SANDBOX}:${stubPort}`],
    blockedSandbox: ['10.200.0.0/16'],
    blockedHost: [],
    exempt: [`${TARGETS}/32`],
    proxyPort,
    dnsPort,
  });
  await run({
    op: 'attach',
    lease: 'L1',
    server: 'web',
    listen: GATEWAY,
    peer: SANDBOX,
    rules: [rule(`tls.egress.test:${tlsPort}`), rule(`http.egress.test:${httpPort}`), rule(`rebind.egress.test:${tlsPort}`)],
  });
});

afterAll(async () => {
  await run({ op: 'detach', lease: 'L1' });
  for (const s of servers) s.close();
  stub.kill();
});

/** A TLS handshake through the gateway, as a sandbox would make it after resolving `name` to the gateway. */
function tlsThrough(name: string, port = tlsPort): Promise<{ fingerprint?: string; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const tcp = connect({ host: GATEWAY, port, localAddress: SANDBOX });
    const socket = tlsConnect({ socket: tcp, servername: name, ca: cert.cert });
    socket.once('secureConnect', () => {
      const fingerprint = socket.getPeerX509Certificate()?.fingerprint256;
      socket.write(`GET / HTTP/1.1\r\nHost: ${name}\r\nConnection: close\r\n\r\n`);
      let body = '';
      socket.on('data', (d: Buffer) => (body += d.toString()));
      socket.once('end', () => resolve({ fingerprint, body }));
    });
    socket.once('error', (err) => resolve({ error: err.message }));
  });
}

/** A raw HTTP/1.1 exchange with the gateway from the sandbox address. */
function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: GATEWAY, port, localAddress: SANDBOX }, () => socket.write(text));
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString()));
    socket.once('end', () => resolve(got));
    socket.once('error', reject);
  });
}

describe('the gateway (in-process, loopback)', () => {
  it('passes TLS through to an allowed name: the client sees the destination’s own certificate', async () => {
    const result = await tlsThrough('tls.egress.test');
    expect(result.error).toBeUndefined();
    expect(result.fingerprint).toBe(cert.fingerprint256);
    expect(result.body).toContain('tls target saw tls.egress.test');
    const report = await decision('tls.egress.test', 'tls');
    expect(report).toMatchObject({ allowed: true, reason: 'allowed', port: tlsPort, address: TARGETS, lease: 'L1' });
    expect(report.bytesUp).toBeGreaterThan(100);
    expect(report.bytesDown).toBeGreaterThan(100);
  });

  it('refuses a name not on the list with a TLS alert, and never resolves it', async () => {
    const result = await tlsThrough('registry.npmjs.org');
    expect(result.error).toMatch(/access denied/i);
    expect(await decision('registry.npmjs.org', 'tls')).toMatchObject({ allowed: false, reason: 'not_allowed' });
    expect(stubQueries).not.toContain('registry.npmjs.org');
  });

  it('refuses an allowed name that resolves to a sandbox network (rebinding), before connecting', async () => {
    const result = await tlsThrough('rebind.egress.test');
    expect(result.error).toMatch(/access denied/i);
    expect(await decision('rebind.egress.test', 'tls')).toMatchObject({ allowed: false, reason: 'address_sandbox', address: '10.200.0.9' });
  });

  it('refuses an allowed name on a port its rule does not list', async () => {
    const result = await tlsThrough('http.egress.test', tlsPort);
    expect(result.error).toMatch(/access denied/i);
    expect(await decision('http.egress.test', 'tls')).toMatchObject({ allowed: false, reason: 'port_not_allowed' });
  });

  it('routes plain HTTP by its Host header, and answers a refusal with a readable 403', async () => {
    const ok = await rawHttp(httpPort, `GET /a HTTP/1.1\r\nHost: http.egress.test:${httpPort}\r\nConnection: close\r\n\r\n`);
    expect(ok).toContain(`http target saw GET /a host=http.egress.test:${httpPort}`);
    const denied = await rawHttp(httpPort, 'GET / HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n');
    expect(denied).toMatch(/^HTTP\/1.1 403 Forbidden/);
    expect(denied).toContain(`mcpgw egress gateway: other.example:${httpPort} refused for server "web": not in the allowlist`);
    const raw = await rawHttp(httpPort, `GET / HTTP/1.1\r\nHost: ${TARGETS}\r\nConnection: close\r\n\r\n`);
    expect(raw).toContain('raw IP addresses are never allowed');
  });

  it('speaks HTTP CONNECT on the proxy port with the same allowlist', async () => {
    const tunnel = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({
        host: GATEWAY,
        port: proxyPort,
        localAddress: SANDBOX,
        method: 'CONNECT',
        path: `tls.egress.test:${tlsPort}`,
      });
      req.once('connect', (res, socket) => {
        const tls = tlsConnect({ socket, servername: 'tls.egress.test', ca: cert.cert }, () => {
          tls.write('GET /via-connect HTTP/1.1\r\nHost: tls.egress.test\r\nConnection: close\r\n\r\n');
        });
        let body = `${res.statusCode} `;
        tls.on('data', (d: Buffer) => (body += d.toString()));
        tls.once('end', () => resolve(body));
        tls.once('error', reject);
      });
      req.once('error', reject);
      req.end();
    });
    expect(tunnel).toMatch(/^200 /);
    expect(tunnel).toContain('tls target saw tls.egress.test');
    const denied = await rawHttp(proxyPort, 'CONNECT registry.npmjs.org:443 HTTP/1.1\r\nHost: registry.npmjs.org:443\r\n\r\n');
    expect(denied).toMatch(/^HTTP\/1.1 403 Forbidden/);
    expect(await decision('registry.npmjs.org', 'connect')).toMatchObject({ allowed: false, reason: 'not_allowed', port: 443 });
  });

  it('forwards an absolute-form http:// proxy request as origin-form, and refuses https:// in the clear', async () => {
    const url = `http://http.egress.test:${httpPort}/p?q=1`;
    const ok = await rawHttp(
      proxyPort,
      `GET ${url} HTTP/1.1\r\nHost: http.egress.test:${httpPort}\r\nProxy-Connection: close\r\nConnection: close\r\n\r\n`,
    );
    expect(ok).toContain('http target saw GET /p?q=1');
    const https = await rawHttp(proxyPort, 'GET https://tls.egress.test/ HTTP/1.1\r\nHost: tls.egress.test\r\nConnection: close\r\n\r\n');
    expect(https).toContain('neither TLS nor HTTP');
  });

  it('accepts nothing from an address that is not the sandbox', async () => {
    const error = await new Promise<string>((resolve) => {
      const socket = connect({ host: GATEWAY, port: tlsPort, localAddress: '127.0.0.5' });
      socket.once('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? err.message));
      socket.once('close', () => resolve('closed'));
    });
    expect(['ECONNRESET', 'closed']).toContain(error);
    expect(await decision(undefined, 'tcp')).toMatchObject({ allowed: false, reason: 'wrong_peer' });
  });

  it('answers DNS itself: allowed names get its own address, others NXDOMAIN, nothing goes upstream', async () => {
    const before = stubQueries.length;
    const ask = (name: string): Promise<Buffer> =>
      new Promise((resolve) => {
        const socket = createSocket('udp4');
        socket.bind(0, SANDBOX, () => {
          const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
          const query = Buffer.concat([Buffer.from([0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, 1, 0, 1])]);
          socket.once('message', (msg) => (socket.close(), resolve(msg)));
          socket.send(query, dnsPort, GATEWAY);
        });
      });
    const allowed = await ask('tls.egress.test');
    expect(allowed.readUInt16BE(2) & 0xf).toBe(0);
    expect([...allowed.subarray(-4)].join('.')).toBe(GATEWAY);
    const denied = await ask('secret-data.registry.npmjs.org');
    expect(denied.readUInt16BE(2) & 0xf).toBe(3);
    expect(await decision('secret-data.registry.npmjs.org', 'dns')).toMatchObject({ allowed: false, reason: 'not_allowed' });
    expect(stubQueries.slice(before)).toEqual([]);
  });

  it('lets a grant open a name (and a new port) for the running sandbox', async () => {
    const newPort = await freePort(TARGETS);
    const late = createHttpServer((req, res) => res.end(`late target ${req.url}`));
    await new Promise<void>((resolve) => late.listen(newPort, TARGETS, resolve));
    servers.push(late);
    await expect(rawHttp(newPort, 'GET / HTTP/1.1\r\nHost: http.egress.test\r\n\r\n')).rejects.toThrow(/ECONNREFUSED/);
    await run({ op: 'grant', lease: 'L1', rule: rule(`http.egress.test:${newPort}`) });
    expect(await rawHttp(newPort, 'GET /granted HTTP/1.1\r\nHost: http.egress.test\r\nConnection: close\r\n\r\n')).toContain(
      'late target /granted',
    );
  });
});
