import { assertNever } from '../../src/checks.js';
import type { ContentChange } from '../../src/protocol/content.js';
import type { SessionEventPayloads } from '../../src/protocol/events.js';
import type { PeerContext, PeerNotice, SandboxPeer } from '../sandbox/peer.js';

export interface NoticeLimits {
  /** The same change (list, or one resource) is told at most once per interval; one more is sent at its end. */
  intervalMs: number;
  /** Changes told per session and server per minute; past it they are dropped until the minute is over. */
  perMinute: number;
  /** Distinct resources of one session and server with a change waiting to be told. */
  maxPending: number;
}

export const DEFAULT_NOTICE_LIMITS: NoticeLimits = { intervalMs: 2000, perMinute: 30, maxPending: 20 };

type Emit = (sessionId: string, payload: SessionEventPayloads['server:changed']) => void;

const WINDOW_MS = 60_000;

function change(n: PeerNotice): ContentChange {
  switch (n.kind) {
    case 'resources_changed':
      return { what: 'resources' };
    case 'prompts_changed':
      return { what: 'prompts' };
    case 'resource_updated':
      return { what: 'resource', uri: n.uri.slice(0, 4096) };
    default:
      return assertNever(n);
  }
}

/**
 * Turns what servers announce (list changes, resource updates) into `server:changed` session events, rate-limited:
 * a server that sends a notification in a loop costs at most `perMinute` logged events a minute per session, and
 * repeats of one change within `intervalMs` collapse into one trailing event (so the last change is never lost).
 */
export class ServerNotices {
  private readonly last = new Map<string, number>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly emit: Emit,
    private readonly limits: NoticeLimits = DEFAULT_NOTICE_LIMITS,
    /** Sessions whose sandboxes belong to no one yet (the warm pool): nothing to tell. */
    private readonly ignore: (sessionId: string) => boolean = () => false,
  ) {}

  /** The peer's `notice` handler. */
  readonly notice: NonNullable<SandboxPeer['notice']> = (ctx, n) => this.take(ctx, change(n));

  private take(ctx: Omit<PeerContext, 'signal'>, c: ContentChange): void {
    if (this.ignore(ctx.sessionId)) return;
    const who = `${ctx.sessionId}\u0000${ctx.server}`;
    const key = `${who}\u0000${c.what}\u0000${c.what === 'resource' ? c.uri : ''}`;
    if (this.pending.has(key)) return;
    const wait = (this.last.get(key) ?? -Infinity) + this.limits.intervalMs - Date.now();
    if (wait <= 0) return this.send(ctx, who, key, c);
    if ([...this.pending.keys()].filter((k) => k.startsWith(`${who}\u0000`)).length >= this.limits.maxPending) return;
    const timer = setTimeout(() => {
      this.pending.delete(key);
      this.send(ctx, who, key, c);
    }, wait);
    timer.unref();
    this.pending.set(key, timer);
  }

  private send(ctx: Omit<PeerContext, 'signal'>, who: string, key: string, c: ContentChange): void {
    const now = Date.now();
    const times = (this.recent.get(who) ?? []).filter((t) => now - t < WINDOW_MS);
    if (times.length >= this.limits.perMinute) return void this.recent.set(who, times);
    times.push(now);
    this.recent.set(who, times);
    this.last.set(key, now);
    // Keys of changes long past are dropped, so a server inventing URIs cannot grow these maps without bound.
    if (this.last.size > 10_000) for (const [k, t] of this.last) if (now - t > this.limits.intervalMs) this.last.delete(k);
    this.emit(ctx.sessionId, { server: ctx.server, ...c });
  }

  /** Stops the timers (mcpd is shutting down). */
  close(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
