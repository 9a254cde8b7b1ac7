// The client side of the egress benchmark, run inside a container: new-connection setup times and download
// throughput over HTTPS and HTTP. Usage: node egress-client.mjs NAME IP|- CONNECTIONS BYTES
// With IP "-" the name is resolved by the system resolver for every connection, as clients do; else it is used as is.
import { promises as dns } from 'node:dns';
import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { connect as tlsConnect } from 'node:tls';

const [name = '', ip = '-', connections = '100', bytes = '0'] = process.argv.slice(2);
const ca = readFileSync(process.env.CA_FILE ?? '/certs/cert.pem');

const address = async () => (ip === '-' ? (await dns.lookup(name, { family: 4 })).address : ip);

/** Opens a connection (TLS or not), sends one GET, resolves with the time to the response's last byte. */
async function exchange(tls, path, expectBytes) {
  const t0 = performance.now();
  const host = await address();
  return new Promise((resolve, reject) => {
    const socket = tls ? tlsConnect({ host, port: 443, servername: name, ca }, send) : netConnect({ host, port: 80 }, send);
    function send() {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${name}\r\nConnection: close\r\n\r\n`);
    }
    let got = 0;
    socket.on('data', (d) => (got += d.length));
    socket.on('end', () => {
      if (got < expectBytes) reject(new Error(`short read ${got} < ${expectBytes}`));
      else resolve({ ms: performance.now() - t0, got });
    });
    socket.on('error', reject);
  });
}

const result = { setupTlsMs: [], setupHttpMs: [] };
for (let i = 0; i < Number(connections); i++) {
  result.setupTlsMs.push((await exchange(true, '/small', 1)).ms);
  result.setupHttpMs.push((await exchange(false, '/small', 1)).ms);
}
const n = Number(bytes);
if (n > 0) {
  for (const [key, tls] of [
    ['tlsMBps', true],
    ['httpMBps', false],
  ]) {
    const { ms, got } = await exchange(tls, `/bytes?n=${n}`, n);
    result[key] = got / 1e6 / (ms / 1000);
  }
}
process.stdout.write(`${JSON.stringify(result)}\n`);
