import type { TurnControl } from '../agent/turns.js';
import type { Logger } from '../logger.js';
import type { SandboxRuntime } from '../sandbox/runtime.js';
import type { ContainerLedger, SessionRecords } from '../store/ports.js';
import type { SessionService } from './service.js';

export interface JanitorOptions {
  runtime: SandboxRuntime;
  sessions: Pick<SessionService, 'publishUpdate'>;
  turns: Pick<TurnControl, 'isBusy'>;
  store: SessionRecords & ContainerLedger;
  log: Logger;
  idleMs: number;
  retentionMs: number;
  intervalMs?: number;
}

/**
 * Reaps what nobody uses: containers idle past the timeout are removed (the conversation stays and the next call
 * respawns them), and sessions inactive past retention are deleted with their history.
 */
export class Janitor {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;

  constructor(private readonly opts: JanitorOptions) {}

  start(): void {
    const every = this.opts.intervalMs ?? Math.max(1000, Math.min(60_000, Math.floor(this.opts.idleMs / 4)));
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((err: unknown) => this.opts.log.error('janitor sweep failed', { err }))
        .finally(() => (this.sweeping = undefined));
    }, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }

  /** One pass; returns what it did (for logs and tests). */
  async sweep(now = Date.now()): Promise<{ reaped: number; idled: string[]; deleted: string[] }> {
    const { runtime, sessions, turns, store, log, idleMs, retentionMs } = this.opts;
    const reaped = await runtime.reapIdle(idleMs, now);
    const touched = new Set<string>();
    for (const r of reaped) {
      await store.clearContainer(r.sessionId, r.server, r.containerId);
      touched.add(r.sessionId);
    }
    const idled: string[] = [];
    const stale = await store.sessionsInactiveSince(now - idleMs);
    for (const rec of await store.getSessions([...new Set([...touched, ...stale])])) {
      const hasSandbox = runtime.list().some((s) => s.sessionId === rec.id);
      if (rec.status === 'active' && !hasSandbox && !turns.isBusy(rec.id)) {
        await store.updateSession(rec.id, { status: 'idle' });
        idled.push(rec.id);
      }
      if (touched.has(rec.id) || idled.includes(rec.id)) await sessions.publishUpdate(rec.id);
    }
    const deleted: string[] = [];
    for (const rec of await store.getSessions(await store.sessionsInactiveSince(now - retentionMs))) {
      if (turns.isBusy(rec.id)) continue;
      await runtime.release(rec.id);
      await store.deleteSession(rec);
      deleted.push(rec.id);
    }
    if (reaped.length || idled.length || deleted.length) log.info('janitor', { reaped: reaped.length, idled, deleted });
    return { reaped: reaped.length, idled, deleted };
  }
}
