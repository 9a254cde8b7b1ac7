/** The longest URL a server may ask a person to open. */
export const MAX_URL_CHARS = 2048;

/** A URL a server asks a person to open, as mcpgw shows it: normalised, with the host to show prominently. */
export interface ElicitUrl {
  /** The normalised URL (an international host in its xn-- form, so look-alike letters show as what they are). */
  href: string;
  /** The host the link goes to: what a person should read before opening it. */
  host: string;
  /** False for plain http: the page is not encrypted (shown as a warning). */
  secure: boolean;
}

/**
 * Checks a URL a server wants opened, or says why it may not be shown as a link: only http(s), no user name or
 * password (`https://bank.example@evil.example/` reads as the bank but goes to evil.example), bounded length.
 */
export function checkElicitUrl(raw: string): { ok: true; url: ElicitUrl } | { ok: false; reason: string } {
  if (raw.length > MAX_URL_CHARS) return { ok: false, reason: `the URL is longer than ${MAX_URL_CHARS} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'the URL does not parse' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, reason: `only http and https URLs are shown, not ${url.protocol}` };
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'the URL carries a user name or password' };
  if (url.hostname === '') return { ok: false, reason: 'the URL has no host' };
  return { ok: true, url: { href: url.href, host: url.hostname, secure: url.protocol === 'https:' } };
}
