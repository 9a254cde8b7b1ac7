import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { McpgwError } from '../../src/errors.js';
import { STATE_FILES } from '../../src/paths.js';
import { writePrivateFile } from './private-files.js';
import { credentialHash, credentialId, TokenStore } from './tokens.js';
import { WebCodes, type CodeRefusal, type WebCodeOptions } from './web-codes.js';

/** Who a connection acts as, and by which credential (`hash`, hex) — kept on the socket to re-check it later. */
export interface Principal {
  user: string;
  hash: string;
  kind: 'token' | 'web';
}

/** What `token ls` shows of a browser's credential. */
export interface WebSessionEntry {
  id: string;
  user: string;
  /** The id of the token it was derived from: revoking that token ends it. */
  parentId: string;
  createdAt: number;
  expiresAt: number;
}

interface StoredWebSession {
  user: string;
  parent: string;
  createdAt: number;
  expiresAt: number;
}

const WEB_FILE = STATE_FILES.webSessions;

export interface CredentialOptions {
  /** How long a browser credential is good for (default 24 h); it is checked at every connection. */
  webTtlMs?: number;
  codes?: WebCodeOptions;
  now?: () => number;
}

/**
 * Every credential mcpd accepts: users' tokens (tokens.json, edited by `mcpgw daemon token`) and the browser
 * credentials that one-time web codes are traded for (web-sessions.json, written by mcpd only, so a browser's
 * credential survives a daemon restart). A browser credential is valid while unexpired and while the token it came
 * from is; it never lets its holder mint more codes.
 */
export class Credentials {
  readonly codes: WebCodes;
  private web = new Map<string, StoredWebSession>();
  private readonly listeners = new Set<() => void>();
  private readonly stops: Array<() => void> = [];
  private readonly now: () => number;
  private readonly webTtlMs: number;

  private constructor(
    readonly tokens: TokenStore,
    opts: CredentialOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.webTtlMs = opts.webTtlMs ?? 24 * 3600_000;
    this.codes = new WebCodes({ ...opts.codes, now: this.now });
  }

  /** Opens the token table (creating the owner's token on first start) and the browser credentials. */
  static async open(stateDir: string, opts: CredentialOptions = {}): Promise<Credentials> {
    const creds = new Credentials(await TokenStore.open(stateDir), opts);
    creds.web = new Map(Object.entries(readWebFile(stateDir)));
    if (creds.prune()) creds.save();
    return creds;
  }

  /** The principal a presented credential stands for; undefined when it is unknown, expired or revoked. */
  authenticate(credential: unknown): Principal | undefined {
    const token = this.tokens.authenticate(credential);
    if (token) return { ...token, kind: 'token' };
    if (typeof credential !== 'string' || credential.length > 200) return undefined;
    const hash = credentialHash(credential).toString('hex');
    const web = this.web.get(hash);
    return web && this.webValid(web) ? { user: web.user, hash, kind: 'web' } : undefined;
  }

  /** True while a principal's credential is still accepted (re-checked after a revocation). */
  isValid(p: Principal): boolean {
    if (p.kind === 'token') return this.tokens.has(p.hash);
    const web = this.web.get(p.hash);
    return web !== undefined && this.webValid(web);
  }

  /** The identity key for a credential id: the credential's hash, known to mcpd and to the credential's holder. */
  keyForId(id: string): Buffer | undefined {
    this.tokens.refresh();
    const token = this.tokens.keyForId(id);
    if (token) return token;
    for (const [hash, web] of this.web) {
      const key = Buffer.from(hash, 'hex');
      if (this.webValid(web) && credentialId(key) === id) return key;
    }
    return undefined;
  }

  /** A one-time code for the web link; only a user token may ask (a browser cannot extend its own access). */
  issueCode(p: Principal): { code: string; expiresAt: number } {
    if (p.kind !== 'token') throw new McpgwError('forbidden', 'a browser credential cannot create web links; use mcpgw web');
    return this.codes.issue(p.user, p.hash);
  }

  /** Trades a code for a new browser credential, once. */
  redeemCode(code: unknown): { ok: true; token: string; user: string; expiresAt: number } | { ok: false; reason: CodeRefusal } {
    const taken = this.codes.redeem(code);
    if (!taken.ok) return taken;
    this.tokens.refresh();
    if (!this.tokens.has(taken.parent)) return { ok: false, reason: 'unknown' };
    const token = `mcpgw_web_${randomBytes(24).toString('base64url')}`;
    const createdAt = this.now();
    const session: StoredWebSession = { user: taken.user, parent: taken.parent, createdAt, expiresAt: createdAt + this.webTtlMs };
    this.prune();
    this.web.set(credentialHash(token).toString('hex'), session);
    this.save();
    return { ok: true, token, user: session.user, expiresAt: session.expiresAt };
  }

  /**
   * Calls `listener` whenever credentials may have been withdrawn: the token table changed on disk, or a browser
   * credential expired. Returns the unsubscribe.
   */
  onChange(listener: () => void): () => void {
    if (this.stops.length === 0) {
      this.stops.push(this.tokens.watch(() => this.changed()));
      const timer = setInterval(() => {
        if (this.prune()) this.changed();
      }, 60_000);
      timer.unref();
      this.stops.push(() => clearInterval(timer));
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops watching the token table. */
  close(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.listeners.clear();
  }

  private changed(): void {
    if (this.prune()) this.save();
    for (const listener of this.listeners) listener();
  }

  private webValid(web: StoredWebSession): boolean {
    return this.now() < web.expiresAt && this.tokens.has(web.parent);
  }

  /** Drops expired and orphaned browser credentials; true when any went. */
  private prune(): boolean {
    let dropped = false;
    for (const [hash, web] of this.web) {
      if (!this.webValid(web)) {
        this.web.delete(hash);
        dropped = true;
      }
    }
    return dropped;
  }

  private save(): void {
    writePrivateFile(
      path.join(this.tokens.stateDir, WEB_FILE),
      `${JSON.stringify({ version: 1, sessions: Object.fromEntries(this.web) }, null, 2)}\n`,
    );
  }
}

/** The browser credentials mcpd has handed out (for `token ls`), without their hashes. */
export function listWebSessions(stateDir: string, now = Date.now()): WebSessionEntry[] {
  return Object.entries(readWebFile(stateDir))
    .filter(([, s]) => s.expiresAt > now)
    .map(([hash, s]) => ({
      id: credentialId(Buffer.from(hash, 'hex')),
      user: s.user,
      parentId: credentialId(Buffer.from(s.parent, 'hex')),
      createdAt: s.createdAt,
      expiresAt: s.expiresAt,
    }));
}

function readWebFile(stateDir: string): Record<string, StoredWebSession> {
  try {
    const parsed = JSON.parse(readFileSync(path.join(stateDir, WEB_FILE), 'utf8')) as { sessions?: Record<string, StoredWebSession> };
    return Object.fromEntries(Object.entries(parsed.sessions ?? {}).filter(([hash]) => /^[0-9a-f]{64}$/.test(hash)));
  } catch {
    return {};
  }
}
