/**
 * The tab's browser credential (traded for a link's one-time code): it survives a reload of this tab, and nothing
 * else (not other tabs, not a browser restart). mcpd accepts it for a day at most, and not after the token it came
 * from is revoked.
 */
export const TOKEN_KEY = 'mcpgw.token';

export interface TokenPlace {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

// mcpd's credentials and codes are `mcpgw_…` + base64url; anything else is a mangled link.
const SHAPE = /^[A-Za-z0-9._~-]{16,512}$/;

/**
 * The one-time code from `#code=…` (which `mcpgw web` puts in the link), removed from the address bar at once so it
 * stays in neither the history nor a copied URL. A `#token=` from an older link is removed too and not used: the
 * page never takes a long-lived token from a link.
 */
export function takeCode(place: TokenPlace): string | undefined {
  const params = new URLSearchParams(place.location.hash.replace(/^#/, ''));
  const given = params.get('code');
  if (given === null && !params.has('token')) return undefined;
  params.delete('code');
  params.delete('token');
  const rest = params.toString();
  place.history.replaceState(place.history.state, '', `${place.location.pathname}${place.location.search}${rest ? `#${rest}` : ''}`);
  const code = given?.trim();
  return code && SHAPE.test(code) ? code : undefined;
}

/** The credential kept for this tab, if any. */
export function keptToken(storage: TokenPlace['storage']): string | undefined {
  const kept = safely(() => storage.getItem(TOKEN_KEY));
  return kept && SHAPE.test(kept) ? kept : undefined;
}

/** Keeps the credential for this tab's reloads. */
export function keepToken(storage: TokenPlace['storage'], token: string): void {
  safely(() => storage.setItem(TOKEN_KEY, token));
}

/** Forgets the kept credential (mcpd refused it, so keeping it would only refuse again on the next reload). */
export function forgetToken(storage: TokenPlace['storage']): void {
  safely(() => storage.removeItem(TOKEN_KEY));
}

// Storage throws when the browser disables it; the credential then lives only as long as the page.
function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
