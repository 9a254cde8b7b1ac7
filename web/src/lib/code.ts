/** Why a link's code bought no credential; the page explains each. */
export type CodeFailure = 'used' | 'expired' | 'unknown' | 'unreachable';

export type Redeemed = { ok: true; token: string; user: string; expiresAt: number } | { ok: false; reason: CodeFailure };

/**
 * Trades a one-time code for a browser credential at the mcpd that served this page (same origin). mcpd answers
 * once per code: a second try, or one after about a minute, is refused with the reason.
 */
export async function redeemCode(code: string, fetchImpl: typeof fetch = fetch): Promise<Redeemed> {
  let response: Response;
  try {
    response = await fetchImpl('/auth/code', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code }),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    return { ok: false, reason: 'unreachable' };
  }
  const body = (await response.json().catch(() => ({}))) as { token?: unknown; user?: unknown; expiresAt?: unknown; error?: unknown };
  if (response.ok && typeof body.token === 'string' && typeof body.user === 'string') {
    return { ok: true, token: body.token, user: body.user, expiresAt: Number(body.expiresAt) };
  }
  if (body.error === 'used' || body.error === 'expired' || body.error === 'unknown') return { ok: false, reason: body.error };
  return { ok: false, reason: 'unreachable' };
}
