import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCert {
  key: string;
  cert: string;
  /** SHA-256 fingerprint as Node prints it (AA:BB:...): what a client sees proves which server it reached. */
  fingerprint256: string;
}

/** A fresh self-signed certificate for `names` (made by openssl; a test's targets serve it, its clients trust it). */
export function makeTestCert(names: string[]): TestCert {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpgw-cert-'));
  try {
    const fixed = 'req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2'.split(' ');
    const san = `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`;
    const out = ['-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')];
    execFileSync('openssl', [...fixed, '-subj', `/CN=${names[0] ?? 'test'}`, '-addext', san, ...out], { stdio: 'ignore' });
    const cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    return { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert, fingerprint256: new X509Certificate(cert).fingerprint256 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
