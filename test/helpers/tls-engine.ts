import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';

/** A CA, and a server and client certificate signed by it, in Docker's file layout (ca.pem, cert.pem, key.pem). */
export interface TestPki {
  /** DOCKER_CERT_PATH for a client: ca.pem, cert.pem, key.pem. */
  clientDir: string;
  serverCert: string;
  serverKey: string;
  ca: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Makes a CA with a server certificate for 127.0.0.1 and a client certificate, with the openssl CLI. */
export function makePki(dir: string, name = 'pki'): TestPki {
  const d = path.join(dir, name);
  mkdirSync(path.join(d, 'client'), { recursive: true });
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca-key.pem',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      `/CN=mcpgw test CA ${name}`,
    ],
    d,
  );
  writeFileSync(path.join(d, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  writeFileSync(path.join(d, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [who, cn] of [
    ['server', '127.0.0.1'],
    ['client', 'mcpgw test client'],
  ] as const) {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}-key.pem`, '-out', `${who}.csr`, '-subj', `/CN=${cn}`], d);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${who}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca-key.pem',
        '-CAcreateserial',
        '-out',
        `${who}.pem`,
        '-days',
        '2',
        '-extfile',
        `${who}.ext`,
      ],
      d,
    );
  }
  const clientDir = path.join(d, 'client');
  writeFileSync(path.join(clientDir, 'ca.pem'), readFileSync(path.join(d, 'ca.pem')));
  writeFileSync(path.join(clientDir, 'cert.pem'), readFileSync(path.join(d, 'client.pem')));
  writeFileSync(path.join(clientDir, 'key.pem'), readFileSync(path.join(d, 'client-key.pem')));
  return { clientDir, serverCert: path.join(d, 'server.pem'), serverKey: path.join(d, 'server-key.pem'), ca: path.join(d, 'ca.pem') };
}

/** A free TCP port on loopback (bound and released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** stunnel4 on 127.0.0.1:port in front of the Docker socket, requiring a client certificate from the PKI's CA. */
export async function startStunnel(
  dir: string,
  pki: TestPki,
  socket = '/var/run/docker.sock',
): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const conf = path.join(dir, 'stunnel.conf');
  writeFileSync(
    conf,
    [
      'foreground = yes',
      'debug = 5',
      `pid =`,
      '[docker]',
      `accept = 127.0.0.1:${port}`,
      `connect = ${socket}`,
      `cert = ${pki.serverCert}`,
      `key = ${pki.serverKey}`,
      `CAfile = ${pki.ca}`,
      'verifyChain = yes',
      'requireCert = yes',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('stunnel4', [conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (/Configuration successful/.test(log)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`stunnel4 exited (${code}): ${log}`)));
  });
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * What the faulty proxy decides for each chunk a client sends: forward it, or cut this connection. `request` is the
 * last HTTP request line on the connection (after an attach upgrade, the chunks are the container's stdin).
 */
export type CutRule = (info: { connection: number; request: string; chunk: string }) => boolean;

/**
 * A TLS proxy (client certificates required) in front of the Docker socket that cuts a connection when `cut` says
 * so; after the first cut it refuses everything when `deadAfterCut` (the engine became unreachable). It records
 * the names of the containers created through it.
 */
export async function startFaultyProxy(
  pki: TestPki,
  opts: { cut: CutRule; deadAfterCut?: boolean; socket?: string },
): Promise<{ port: number; created: string[]; cuts: number; close: () => Promise<void> }> {
  const state = { cuts: 0, created: [] as string[] };
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = tls.createServer(
    {
      cert: readFileSync(pki.serverCert),
      key: readFileSync(pki.serverKey),
      ca: readFileSync(pki.ca),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (client) => {
      if (opts.deadAfterCut && state.cuts > 0) return client.destroy();
      const connection = ++connections;
      const upstream = createConnection(opts.socket ?? '/var/run/docker.sock');
      sockets.add(client);
      sockets.add(upstream);
      let request = '';
      const cut = (): void => {
        state.cuts++;
        client.destroy();
        upstream.destroy();
        // An engine that became unreachable drops every connection, the long-polls (wait, attach) included.
        if (opts.deadAfterCut) for (const s of sockets) s.destroy();
      };
      client.on('data', (data: Buffer) => {
        const chunk = data.toString('latin1');
        if (/^(GET|POST|PUT|DELETE|HEAD) \//.test(chunk)) request = chunk.split('\r\n', 1)[0] ?? '';
        const name = /^POST \S*\/containers\/create\?name=([\w.-]+)/.exec(chunk)?.[1];
        if (name) state.created.push(name);
        if (opts.cut({ connection, request, chunk })) return cut();
        upstream.write(data);
      });
      upstream.on('data', (data: Buffer) => client.write(data));
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => {
        upstream.end();
        sockets.delete(client);
      });
      upstream.on('close', () => {
        client.end();
        sockets.delete(upstream);
      });
    },
  );
  server.on('tlsClientError', () => undefined);
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    get created() {
      return state.created;
    },
    get cuts() {
      return state.cuts;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
