import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { IDENTITY_PATH, identityMessage } from '../../src/protocol/identity.js';
import type { Credentials } from '../state/credentials.js';
import type { RefusalLog } from './refusal-log.js';

/** The HTTP path the web page trades a one-time code at (POST, JSON `{ code }`). */
export const CODE_PATH = '/auth/code';

const HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

export interface AuthHttpDeps {
  credentials: Credentials;
  /** The port mcpd listens on, as bound into identity proofs. */
  port: () => number;
  refusals: RefusalLog;
}

/**
 * The two endpoints that answer before any credential is presented (Host/Origin were checked already):
 * `GET /identity` proves this is mcpd (see src/protocol/identity.ts) and `POST /auth/code` trades a one-time web code
 * for a browser credential. Returns false for any other path.
 */
export async function serveAuth(deps: AuthHttpDeps, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === IDENTITY_PATH) {
    if (req.method !== 'GET') return reply(res, 405, { error: 'method_not_allowed' });
    const nonce = url.searchParams.get('nonce') ?? '';
    const id = url.searchParams.get('id') ?? '';
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(nonce) || !/^[0-9a-f]{16}$/.test(id)) return reply(res, 400, { error: 'bad_request' });
    const key = deps.credentials.keyForId(id);
    if (!key) {
      deps.refusals.note('identity asked for an unknown credential', { address: req.socket.remoteAddress });
      return reply(res, 404, { error: 'unknown_credential' });
    }
    return reply(res, 200, { proof: createHmac('sha256', key).update(identityMessage(deps.port(), nonce)).digest('base64url') });
  }
  if (url.pathname === CODE_PATH) {
    if (req.method !== 'POST') return reply(res, 405, { error: 'method_not_allowed' });
    // A JSON content type makes a cross-site browser request preflighted (and the Origin check refuses it anyway).
    if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return reply(res, 415, { error: 'unsupported_media_type' });
    const body = await readBody(req, 1024);
    if (body === 'too_large') {
      // Stop reading: answer, then drop the connection rather than drain what the client keeps sending.
      res.setHeader('Connection', 'close');
      res.once('finish', () => req.destroy());
      return reply(res, 413, { error: 'too_large' });
    }
    const code = (safeJson(body) as { code?: unknown } | undefined)?.code;
    const result = deps.credentials.redeemCode(code);
    if (!result.ok) {
      deps.refusals.note('refused a web code', { reason: result.reason, address: req.socket.remoteAddress });
      return reply(res, result.reason === 'unknown' ? 404 : 410, { error: result.reason });
    }
    return reply(res, 200, { token: result.token, user: result.user, expiresAt: result.expiresAt });
  }
  return false;
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): true {
  res.writeHead(status, HEADERS).end(JSON.stringify(body));
  return true;
}

function readBody(req: IncomingMessage, limit: number): Promise<string | 'too_large'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData);
      req.pause();
      resolve('too_large');
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
