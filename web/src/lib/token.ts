/** The tab's copy of the token: it survives a reload of this tab, and nothing else (not other tabs, not a restart). */
export const TOKEN_KEY = 'mcpgw.token';

export interface TokenPlace {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

// mcpd's tokens are `mcpgw_` + base64url; anything outside URL-safe characters is a mangled link, not a token.
const TOKEN_SHAPE = /^[A-Za-z0-9._~-]{16,512}$/;

/**
 * The token for this tab: taken from `#token=…` (which `mcpgw web` puts in the link) and then removed from the
 * address bar, so it does not stay in the history or get copied along with the URL; else the one kept earlier.
 */
export function takeToken(place: TokenPlace): string | undefined {
  const params = new URLSearchParams(place.location.hash.replace(/^#/, ''));
  const given = params.get('token');
  if (given !== null) {
    params.delete('token');
    const rest = params.toString();
    place.history.replaceState(place.history.state, '', `${place.location.pathname}${place.location.search}${rest ? `#${rest}` : ''}`);
    const token = given.trim();
    if (TOKEN_SHAPE.test(token)) {
      safely(() => place.storage.setItem(TOKEN_KEY, token));
      return token;
    }
  }
  const kept = safely(() => place.storage.getItem(TOKEN_KEY));
  return kept && TOKEN_SHAPE.test(kept) ? kept : undefined;
}

/** Forgets the kept token (mcpd refused it, so keeping it would only refuse again on the next reload). */
export function forgetToken(storage: TokenPlace['storage']): void {
  safely(() => storage.removeItem(TOKEN_KEY));
}

// Storage throws when the browser disables it; the token then lives only as long as the page.
function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
