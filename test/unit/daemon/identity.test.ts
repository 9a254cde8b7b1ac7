import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveAuth } from '../../../daemon/api/auth-http.js';
import { RefusalLog } from '../../../daemon/api/refusal-log.js';
import { silentLogger } from '../../../daemon/logger.js';
import { Credentials } from '../../../daemon/state/credentials.js';
import { credentialHash, credentialId } from '../../../daemon/state/tokens.js';
import { credentialPublicId, identityMessage, verifyDaemonIdentity } from '../../../src/protocol/identity.js';

const servers: Server[] = [];

/** An HTTP server on 127.0.0.1, port 0; resolves with its base URL and port. */
async function listen(handler: RequestListener): Promise<{ url: string; port: number; server: Server }> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, server };
}

let creds: Credentials;
let token: string;
let mcpd: { url: string; port: number };

beforeAll(async () => {
  const state = mkdtempSync(path.join(tmpdir(), 'mcpgw-identity-'));
  creds = await Credentials.open(state);
  token = readFileSync(path.join(state, 'token'), 'utf8').trim();
  let port = 0;
  mcpd = await listen((req, res) => {
    void serveAuth({ credentials: creds, port: () => port, refusals: new RefusalLog(silentLogger) }, req, res).then((served) => {
      if (!served) res.writeHead(404).end();
    });
  });
  port = mcpd.port;
});

afterAll(() => {
  for (const s of servers) s.close();
  creds.close();
});

describe('mcpd proves its identity before a client sends a credential', () => {
  it('the credential id is the same whether mcpd (Node) or a client (WebCrypto) computes it', async () => {
    expect(await credentialPublicId(token)).toBe(credentialId(credentialHash(token)));
  });

  it('the real mcpd passes, for a user token and for a browser credential', async () => {
    await expect(verifyDaemonIdentity(mcpd.url, token)).resolves.toBeUndefined();
    const web = creds.redeemCode(creds.issueCode(creds.authenticate(token)!).code);
    if (!web.ok) throw new Error(web.reason);
    await expect(verifyDaemonIdentity(mcpd.url, web.token)).resolves.toBeUndefined();
  });

  it('a process that does not know the key is refused, and is never sent the token', async () => {
    const seen: string[] = [];
    const impostor = await listen((req, res) => {
      seen.push(`${req.url} ${JSON.stringify(req.headers)}`);
      const nonce = new URL(req.url ?? '/', 'http://x').searchParams.get('nonce') ?? '';
      // It answers in the right shape, signed with a key of its own.
      const proof = createHmac('sha256', randomBytes(32)).update(identityMessage(impostor.port, nonce)).digest('base64url');
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ proof }));
    });
    await expect(verifyDaemonIdentity(impostor.url, token)).rejects.toMatchObject({
      code: 'unauthorized',
      message: expect.stringMatching(/^not sending the token to 127\.0\.0\.1:\d+: its identity proof is wrong/),
    });
    expect(seen).toHaveLength(1);
    expect(seen.join()).not.toContain(token);
  });

  it('refuses a process that answers anything else (a page, an error, garbage)', async () => {
    const page = await listen((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>hello</html>'));
    await expect(verifyDaemonIdentity(page.url, token)).rejects.toMatchObject({ message: expect.stringContaining('no proof') });
    const missing = await listen((_req, res) => res.writeHead(404).end());
    await expect(verifyDaemonIdentity(missing.url, token)).rejects.toMatchObject({ message: expect.stringContaining('HTTP 404') });
    const garbage = await listen((_req, res) => res.writeHead(200).end(JSON.stringify({ proof: 'AAAA' })));
    await expect(verifyDaemonIdentity(garbage.url, token)).rejects.toMatchObject({ message: expect.stringContaining('proof is wrong') });
  });

  it('refuses a relay: a process on another port that forwards the challenge to the real mcpd', async () => {
    const relay = await listen((req, res) => {
      const forward = request(
        `${mcpd.url}${req.url ?? '/'}`,
        { headers: { Host: `127.0.0.1:${mcpd.port}` } },
        (answer: IncomingMessage) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        },
      );
      forward.end();
    });
    // mcpd signs its own port into the answer; the client checks it against the port it connected to.
    await expect(verifyDaemonIdentity(relay.url, token)).rejects.toMatchObject({ message: expect.stringContaining('proof is wrong') });
  });

  it('says when mcpd does not know the credential (revoked), and when nothing listens', async () => {
    await expect(verifyDaemonIdentity(mcpd.url, 'mcpgw_revoked-or-never-issued-0123456789')).rejects.toMatchObject({
      code: 'unauthorized',
      message: expect.stringContaining('does not know this token'),
    });
    const gone = await listen(() => undefined);
    await new Promise((resolve) => gone.server.close(resolve));
    await expect(verifyDaemonIdentity(gone.url, token)).rejects.toMatchObject({
      code: 'internal',
      message: expect.stringContaining('cannot reach'),
    });
  });
});

describe('POST /auth/code', () => {
  /** Posts a body to mcpd's code endpoint; resolves with the status and the JSON answer. */
  async function post(body: string, type = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${mcpd.url}/auth/code`, { method: 'POST', headers: { 'Content-Type': type }, body });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  it('trades a code once; the second time says it was used', async () => {
    const { code } = creds.issueCode(creds.authenticate(token)!);
    const first = await post(JSON.stringify({ code }));
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ token: expect.stringMatching(/^mcpgw_web_/), user: creds.authenticate(token)!.user });
    expect(await post(JSON.stringify({ code }))).toEqual({ status: 410, json: { error: 'used' } });
  });

  it('refuses unknown codes, bad bodies and other content types without a credential', async () => {
    expect(await post(JSON.stringify({ code: 'mcpgw_code_never-issued' }))).toEqual({ status: 404, json: { error: 'unknown' } });
    expect(await post('not json')).toEqual({ status: 404, json: { error: 'unknown' } });
    expect((await post(JSON.stringify({ code: 'x' }), 'text/plain')).status).toBe(415);
    expect(await post(JSON.stringify({ code: 'x'.repeat(4096) }))).toEqual({ status: 413, json: { error: 'too_large' } });
  });
});
