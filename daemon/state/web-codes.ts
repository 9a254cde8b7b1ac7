import { createHash, randomBytes } from 'node:crypto';

/** Why a code was refused; the web page shows each differently. */
export type CodeRefusal = 'used' | 'expired' | 'unknown';

interface IssuedCode {
  user: string;
  /** The hash (hex) of the token whose holder asked for the code: the web session lives only as long as it. */
  parent: string;
  expiresAt: number;
  used: boolean;
}

export interface WebCodeOptions {
  ttlMs?: number;
  /** How long a used or expired code is remembered, to say "used"/"expired" rather than "unknown". */
  rememberMs?: number;
  /** Most codes kept at once; the oldest go first (a client asking in a loop cannot grow memory). */
  max?: number;
  now?: () => number;
}

/**
 * One-time codes for the web link: `mcpgw web` asks for one over its authenticated socket, the link carries it
 * instead of the token, and the page trades it for a browser credential. A code works once, for a minute, and only
 * in this daemon's memory (a restart forgets every code). Codes are kept by hash, so a lookup's timing tells nothing.
 */
export class WebCodes {
  private readonly codes = new Map<string, IssuedCode>();
  private readonly ttlMs: number;
  private readonly rememberMs: number;
  private readonly max: number;
  private readonly now: () => number;

  constructor(opts: WebCodeOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.rememberMs = opts.rememberMs ?? 10 * 60_000;
    this.max = opts.max ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  /** A new code for `user`, derived from the token with hash `parent`. */
  issue(user: string, parent: string): { code: string; expiresAt: number } {
    this.prune();
    const code = `mcpgw_code_${randomBytes(32).toString('base64url')}`;
    const expiresAt = this.now() + this.ttlMs;
    this.codes.set(digest(code), { user, parent, expiresAt, used: false });
    while (this.codes.size > this.max) this.codes.delete(this.codes.keys().next().value as string);
    return { code, expiresAt };
  }

  /** Takes a code: the first call within its lifetime gets who it is for; every other call gets why not. */
  redeem(code: unknown): { ok: true; user: string; parent: string } | { ok: false; reason: CodeRefusal } {
    this.prune();
    if (typeof code !== 'string' || code.length > 200) return { ok: false, reason: 'unknown' };
    const issued = this.codes.get(digest(code));
    if (!issued) return { ok: false, reason: 'unknown' };
    if (issued.used) return { ok: false, reason: 'used' };
    if (this.now() >= issued.expiresAt) return { ok: false, reason: 'expired' };
    issued.used = true;
    return { ok: true, user: issued.user, parent: issued.parent };
  }

  private prune(): void {
    const now = this.now();
    for (const [key, issued] of this.codes) if (now >= issued.expiresAt + this.rememberMs) this.codes.delete(key);
  }
}

const digest = (code: string): string => createHash('sha256').update(code).digest('hex');
