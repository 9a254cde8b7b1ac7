import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync, watch } from 'node:fs';
import { userInfo } from 'node:os';
import { STATE_FILES, stateFile } from '../../src/paths.js';
import { ensurePrivateDir, writePrivateFile } from './private-files.js';

/** sha256 of a credential: all mcpd keeps of it, and the key it proves its identity with (see api/identity.ts). */
export const credentialHash = (credential: string): Buffer => createHash('sha256').update(credential).digest();

/** A credential's public id (sha256 of its hash, 16 hex digits): shown by `token ls`, sent with identity challenges. */
export const credentialId = (hash: Buffer): string => createHash('sha256').update(hash).digest('hex').slice(0, 16);

/** What `token ls` shows of a token: never the token, nor its hash. */
export interface TokenEntry {
  id: string;
  user: string;
  /** Unknown for tokens created before mcpgw recorded it. */
  createdAt: number | undefined;
  /** The token in the state dir's `token` file (the daemon owner's). */
  owner: boolean;
}

interface StoredToken {
  user: string;
  createdAt?: number;
}

/** tokens.json: sha256(token) in hex → who it admits. Version 1 files (`users: {hash: user}`) are still read. */
interface TokenFile {
  version: 2;
  tokens: Record<string, StoredToken>;
}

/**
 * Who may talk to mcpd. The first start creates a token for the local user in `token` (mode 0600), which local
 * clients read; `tokens.json` (0600) maps token hashes to users, so several users can share one daemon. `mcpgw daemon
 * token add/revoke` edit the table from another process; the daemon notices (watch) and drops revoked sockets.
 */
export class TokenStore {
  private tokens = new Map<string, StoredToken>();
  private stamp = '';

  private constructor(readonly stateDir: string) {}

  /** Loads the token table, creating the owner's token on first start (or after it was revoked). */
  static async open(stateDir: string): Promise<TokenStore> {
    const store = new TokenStore(stateDir);
    ensurePrivateDir(stateDir);
    store.reload();
    const own = store.ownToken();
    if (!own || !store.authenticate(own)) await store.create(safeUserName(), store.ownTokenFile);
    return store;
  }

  private get tablePath(): string {
    return stateFile(this.stateDir, 'tokens');
  }

  /** The owner's token file, which local clients read. */
  get ownTokenFile(): string {
    return stateFile(this.stateDir, 'ownerToken');
  }

  /** Creates a token for `user`; written to `file` (0600) when given. Returns the token. */
  async create(user: string, file?: string): Promise<string> {
    const token = `mcpgw_${randomBytes(24).toString('base64url')}`;
    this.reload();
    this.tokens.set(credentialHash(token).toString('hex'), { user, createdAt: Date.now() });
    this.save();
    if (file) writePrivateFile(file, `${token}\n`);
    return token;
  }

  /** Every token: user, id, creation time; the owner's first. */
  list(): TokenEntry[] {
    this.refresh();
    const ownHash = hashOf(this.ownToken());
    return [...this.tokens]
      .map(([hash, t]): TokenEntry => ({
        id: credentialId(Buffer.from(hash, 'hex')),
        user: t.user,
        createdAt: t.createdAt,
        owner: hash === ownHash,
      }))
      .sort((a, b) => Number(b.owner) - Number(a.owner) || a.user.localeCompare(b.user) || (a.createdAt ?? 0) - (b.createdAt ?? 0));
  }

  /** Removes every token of a user, or the one token with an id; returns what was removed. */
  revoke(selector: { user: string } | { id: string }): TokenEntry[] {
    this.reload();
    const removed = this.list().filter((t) => ('user' in selector ? t.user === selector.user : t.id === selector.id));
    if (removed.length === 0) return [];
    const ids = new Set(removed.map((t) => t.id));
    for (const hash of [...this.tokens.keys()]) if (ids.has(credentialId(Buffer.from(hash, 'hex')))) this.tokens.delete(hash);
    this.save();
    return removed;
  }

  /** The user a token belongs to, compared in constant time; undefined for an unknown token. */
  verify(token: unknown): string | undefined {
    return this.authenticate(token)?.user;
  }

  /** The user and the hash (hex) of a known token, as of the table on disk now (a stat; re-read when it changed). */
  authenticate(token: unknown): { user: string; hash: string } | undefined {
    this.refresh();
    if (typeof token !== 'string' || token.length === 0 || token.length > 200) return undefined;
    return this.lookup(credentialHash(token));
  }

  /** True while the token with this hash (hex) is in the table (as of the last refresh). */
  has(hash: string): boolean {
    return this.tokens.has(hash);
  }

  /** The identity key (the token's hash) of the token with this public id. */
  keyForId(id: string): Buffer | undefined {
    for (const hash of this.tokens.keys()) {
      const key = Buffer.from(hash, 'hex');
      if (credentialId(key) === id) return key;
    }
    return undefined;
  }

  /**
   * Calls `onChange` after the table changed on disk (a token added or revoked by another process). fs.watch makes it
   * immediate; a slow poll covers file systems where watching does not work. Returns the stop function.
   */
  watch(onChange: () => void, pollMs = 2000): () => void {
    const check = (): void => {
      if (this.refresh()) onChange();
    };
    let watcher: ReturnType<typeof watch> | undefined;
    try {
      watcher = watch(this.stateDir, { persistent: false }, (_event, name) => {
        if (name === null || name === STATE_FILES.tokens) check();
      });
      watcher.on('error', () => watcher?.close());
    } catch {
      watcher = undefined;
    }
    const timer = setInterval(check, pollMs);
    timer.unref();
    return () => {
      clearInterval(timer);
      watcher?.close();
    };
  }

  /** Re-reads the table if the file changed; true when it did. A missing or unreadable table admits no one. */
  refresh(): boolean {
    const stamp = fileStamp(this.tablePath);
    if (stamp === this.stamp) return false;
    this.reload();
    return true;
  }

  private reload(): void {
    this.stamp = fileStamp(this.tablePath);
    this.tokens = readTable(this.tablePath);
  }

  private save(): void {
    const table: TokenFile = { version: 2, tokens: Object.fromEntries(this.tokens) };
    writePrivateFile(this.tablePath, `${JSON.stringify(table, null, 2)}\n`);
    this.stamp = fileStamp(this.tablePath);
  }

  private ownToken(): string | undefined {
    try {
      return readFileSync(this.ownTokenFile, 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  }

  private lookup(digest: Buffer): { user: string; hash: string } | undefined {
    let found: { user: string; hash: string } | undefined;
    // Every entry is compared, so the time taken does not tell how far down the table a match was.
    for (const [hash, t] of this.tokens) {
      if (timingSafeEqual(Buffer.from(hash, 'hex'), digest)) found = { user: t.user, hash };
    }
    return found;
  }
}

function readTable(file: string): Map<string, StoredToken> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<TokenFile> & { users?: Record<string, string> };
    if (parsed.version === 2 && parsed.tokens)
      return new Map(Object.entries(parsed.tokens).filter(([hash]) => /^[0-9a-f]{64}$/.test(hash)));
    if (parsed.users) return new Map(Object.entries(parsed.users).map(([hash, user]) => [hash, { user }]));
  } catch {
    // missing or unreadable: no one
  }
  return new Map();
}

/** Identifies one version of a file (rename-replaced files get a new inode). */
function fileStamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  } catch {
    return 'missing';
  }
}

function hashOf(token: string | undefined): string | undefined {
  return token ? credentialHash(token).toString('hex') : undefined;
}

function safeUserName(): string {
  try {
    return userInfo().username || 'owner';
  } catch {
    return 'owner';
  }
}
