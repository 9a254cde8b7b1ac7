import { McpgwError } from '../errors.js';

/**
 * mcpd proves who it is before a client sends it a credential. A client never trusts an address alone (daemon.json
 * may be stale after a crash, and another local user may now listen on that port): it sends a fresh nonce and its
 * credential's public id to `GET /identity`, and mcpd answers HMAC-SHA256(key = sha256(credential), message). Only
 * a process that holds the credential's hash (mcpd, from its 0600 state dir) can answer; the credential itself never
 * travels. The message names the port mcpd listens on, so a process on another port cannot relay the challenge to
 * the real mcpd and pass its answer off as its own.
 */
export const IDENTITY_PATH = '/identity';

/** The message mcpd signs: a context string, its own listening port, the client's nonce. */
export function identityMessage(port: number, nonce: string): string {
  return `mcpgw-identity-v1\n${port}\n${nonce}`;
}

const encoder = new TextEncoder();

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** base64url without padding (what mcpd's Node side produces with 'base64url'). */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(text)) return undefined;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** A credential's public id: sha256(sha256(credential)), 16 hex digits. Safe to send to anyone. */
export async function credentialPublicId(credential: string): Promise<string> {
  return hex(await sha256(await sha256(encoder.encode(credential)))).slice(0, 16);
}

/** The port a URL names (its default when it names none). */
export function urlPort(url: URL): number {
  return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
}

/**
 * Asks whatever listens at `baseUrl` to prove it is the mcpd that knows `credential`; resolves when it does, else
 * throws an `unauthorized` McpgwError that says why. Call it before every connection that presents the credential.
 */
export async function verifyDaemonIdentity(baseUrl: string, credential: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  const url = new URL(IDENTITY_PATH, baseUrl);
  const where = url.host;
  const nonce = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  url.searchParams.set('nonce', nonce);
  url.searchParams.set('id', await credentialPublicId(credential));
  const refuse = (why: string): McpgwError => new McpgwError('unauthorized', `not sending the token to ${where}: ${why}`);
  let response: Response;
  try {
    response = await fetchImpl(url, { cache: 'no-store', redirect: 'error', credentials: 'omit' });
  } catch (err) {
    throw new McpgwError('internal', `cannot reach mcpd at ${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (response.status === 404 && (await response.json().catch(() => ({})))?.error === 'unknown_credential') {
    throw new McpgwError('unauthorized', `mcpd at ${where} does not know this token (revoked, expired, or another state dir)`);
  }
  if (!response.ok) throw refuse(`it did not prove it is mcpd (HTTP ${response.status})`);
  const body = (await response.json().catch(() => undefined)) as { proof?: unknown } | undefined;
  const proof = typeof body?.proof === 'string' ? fromBase64Url(body.proof) : undefined;
  if (!proof) throw refuse('it did not prove it is mcpd (no proof)');
  const key = await crypto.subtle.importKey(
    'raw',
    (await sha256(encoder.encode(credential))) as Uint8Array<ArrayBuffer>,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const message = encoder.encode(identityMessage(urlPort(url), nonce));
  if (!(await crypto.subtle.verify('HMAC', key, proof as Uint8Array<ArrayBuffer>, message))) {
    throw refuse('its identity proof is wrong: it is not the mcpd that issued this token');
  }
}
