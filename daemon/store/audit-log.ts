import { randomUUID } from 'node:crypto';
import { refusedWhenFull } from './full.js';
import type { Keys } from './keys.js';
import type { AuditEntry } from './ports.js';
import type { ScriptedRedis } from './scripts.js';

const AUDIT_CAP = 200_000;
const SESSION_AUDIT_CAP = 10_000;
const OWNER_AUDIT_CAP = 50_000;

/**
 * The audit log: every entry goes once (a retried write is not doubled) into the shared stream, its session's and
 * its owner's, each capped, so that reading one session's or one owner's newest entries costs what is read.
 */
export class AuditLog {
  /** Session id → owner (it never changes), so an audit write needs no extra read. */
  private readonly owners = new Map<string, string>();

  constructor(
    private readonly redis: ScriptedRedis,
    private readonly k: Keys,
  ) {}

  /** Notes a session's owner as the session is created. */
  rememberOwner(sessionId: string, owner: string): void {
    if (this.owners.size >= 10_000) this.owners.clear();
    this.owners.set(sessionId, owner);
  }

  async append(entry: AuditEntry): Promise<void> {
    const owner = this.owners.get(entry.sessionId) ?? (await this.redis.hget(this.k.session(entry.sessionId), 'owner')) ?? entry.user;
    this.rememberOwner(entry.sessionId, owner);
    await this.redis
      .mcpgwAuditOnce(
        this.k.audit(),
        this.k.once(randomUUID()),
        this.k.sessionAudit(entry.sessionId),
        this.k.ownerAudit(owner),
        AUDIT_CAP,
        SESSION_AUDIT_CAP,
        OWNER_AUDIT_CAP,
        JSON.stringify(entry),
      )
      .catch(refusedWhenFull('an audit entry'));
  }

  /**
   * The newest `count` audit entries of one session, or of all of an owner's sessions, oldest first. Each is one
   * XREVRANGE with COUNT on a per-session or per-owner stream: the cost is `count`, whatever the shared stream holds.
   */
  async read(options: { owner: string; sessionId?: string | undefined; count: number }): Promise<AuditEntry[]> {
    const key = options.sessionId ? this.k.sessionAudit(options.sessionId) : this.k.ownerAudit(options.owner);
    const entries = await this.redis.xrevrange(key, '+', '-', 'COUNT', options.count);
    return entries.map(([, fields]) => JSON.parse(fields[1] ?? '{}') as AuditEntry).reverse();
  }
}
