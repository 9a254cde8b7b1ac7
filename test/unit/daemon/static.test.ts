import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { serveStatic } from '../../../daemon/api/static.js';

const root = mkdtempSync(path.join(tmpdir(), 'mcpgw-web-'));
writeFileSync(path.join(root, 'index.html'), '<html>app</html>');
mkdirSync(path.join(root, 'assets'));
writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(path.join(path.dirname(root), 'secret.txt'), 'do not serve');

/** Serves one request and collects status, headers and body. */
async function get(url: string, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const out = new PassThrough();
  let status = 0;
  let headers: Record<string, unknown> = {};
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const res = Object.assign(out, {
    writeHead(code: number, h?: Record<string, unknown>) {
      status = code;
      headers = h ?? {};
      return res;
    },
  }) as unknown as ServerResponse;
  const done = new Promise((resolve) => out.on('finish', resolve));
  await serveStatic(root, { method, url } as IncomingMessage, res);
  await done;
  return { status, headers, body: Buffer.concat(chunks).toString() };
}

describe('serveStatic', () => {
  it('serves files with a strict CSP and immutable caching for assets', async () => {
    const asset = await get('/assets/app.js');
    expect(asset).toMatchObject({ status: 200, body: 'console.log(1)' });
    expect(asset.headers).toMatchObject({
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Frame-Options': 'DENY',
    });
    expect(String(asset.headers['Content-Security-Policy'])).toContain("default-src 'self'");
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/..%2fsecret.txt'])(
    'never leaves the root: %s',
    async (url) => {
      const r = await get(url);
      expect(r.body).not.toContain('do not serve');
    },
  );

  it('falls back to index.html for client-side routes, refuses other methods, answers /healthz', async () => {
    expect((await get('/sessions/s_1')).body).toBe('<html>app</html>');
    expect((await get('/', 'POST')).status).toBe(405);
    expect(await get('/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
  });
});
