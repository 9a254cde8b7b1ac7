import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';

interface TokenFile {
  /** sha256(token) in hex → user name. Only hashes are kept, so the file is not a credential by itself. */
  users: Record<string, string>;
}

const hash = (token: string): Buffer => createHash('sha256').update(token).digest();

/**
 * Who may talk to mcpd. The first start creates a token for the local user in `token` (mode 0600), which local
 * clients read; `tokens.json` maps token hashes to users, so several users can share one daemon.
 */
export class TokenStore {
  private users = new Map<string, string>();
  private loadedAt = 0;

  private constructor(private readonly stateDir: string) {}

  /** Loads the token table, creating the owner's token on first start. */
  static async open(stateDir: string): Promise<TokenStore> {
    const store = new TokenStore(stateDir);
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    try {
      const file = JSON.parse(await readFile(store.tablePath, 'utf8')) as TokenFile;
      store.users = new Map(Object.entries(file.users));
    } catch {
      store.users = new Map();
    }
    const ownToken = await readFile(path.join(stateDir, 'token'), 'utf8').catch(() => '');
    if (!ownToken.trim() || !store.verify(ownToken.trim())) {
      await store.create(safeUserName(), path.join(stateDir, 'token'));
    }
    return store;
  }

  private get tablePath(): string {
    return path.join(this.stateDir, 'tokens.json');
  }

  /** Creates a token for `user`; written to `file` (0600) when given. Returns the token. */
  async create(user: string, file?: string): Promise<string> {
    const token = `mcpgw_${randomBytes(24).toString('base64url')}`;
    this.users.set(hash(token).toString('hex'), user);
    const table: TokenFile = { users: Object.fromEntries(this.users) };
    await writeFile(this.tablePath, JSON.stringify(table, null, 2), { mode: 0o600 });
    await chmod(this.tablePath, 0o600);
    if (file) {
      await writeFile(file, `${token}\n`, { mode: 0o600 });
      await chmod(file, 0o600);
    }
    return token;
  }

  /** The user a token belongs to, compared in constant time; undefined for an unknown token. */
  verify(token: unknown): string | undefined {
    if (typeof token !== 'string' || token.length === 0 || token.length > 200) return undefined;
    return this.lookup(hash(token)) ?? (this.reload() ? this.lookup(hash(token)) : undefined);
  }

  /** Picks up tokens added by `mcpgw daemon token add` while the daemon runs; true when the table changed. */
  private reload(): boolean {
    try {
      const stamp = statSync(this.tablePath).mtimeMs;
      if (stamp === this.loadedAt) return false;
      this.loadedAt = stamp;
      const file = JSON.parse(readFileSync(this.tablePath, 'utf8')) as TokenFile;
      this.users = new Map(Object.entries(file.users));
      return true;
    } catch {
      return false;
    }
  }

  private lookup(digest: Buffer): string | undefined {
    for (const [known, user] of this.users) {
      if (timingSafeEqual(Buffer.from(known, 'hex'), digest)) return user;
    }
    return undefined;
  }
}

function safeUserName(): string {
  try {
    return userInfo().username || 'owner';
  } catch {
    return 'owner';
  }
}
