import type { ReplayGap, SessionEvent, SessionEventName, SessionEventPayloads } from '../../../src/protocol/events.js';
import type { DaemonStatus, SessionInfo } from '../../../src/protocol/session.js';
import type { DaemonSocket } from '../../../web/src/lib/socket.js';
import { sessionInfo as baseSessionInfo } from '../view/events.js';

type Listener = (...args: unknown[]) => void;
type Handler = (payload: Record<string, unknown>) => unknown;

/**
 * A stand-in for the Socket.io client with mcpd's side scripted: requests are answered by `handlers` (a thrown
 * error becomes an error Result), and the test pushes events and connection changes.
 */
export class FakeSocket {
  connected = false;
  readonly requests: Array<{ name: string; payload: Record<string, unknown> }> = [];
  readonly handlers = new Map<string, Handler>();
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(status: Partial<DaemonStatus> = {}) {
    this.handle('daemon:status', () => daemonStatus(status));
    this.handle('session:list', () => []);
    this.handle('servers:list', () => []);
  }

  /** This fake, typed as what the web client opens. */
  get socket(): DaemonSocket {
    return this as unknown as DaemonSocket;
  }

  handle(name: string, handler: Handler): this {
    this.handlers.set(name, handler);
    return this;
  }

  on(name: string, listener: Listener): this {
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener);
    this.listeners.set(name, set);
    return this;
  }

  off(name: string, listener?: Listener): this {
    if (listener) this.listeners.get(name)?.delete(listener);
    else this.listeners.delete(name);
    return this;
  }

  removeAllListeners(): this {
    this.listeners.clear();
    return this;
  }

  /** What the client calls to connect: nothing happens until the test `accept()`s or `refuse()`s. */
  connect(): this {
    return this;
  }

  disconnect(): this {
    this.connected = false;
    return this;
  }

  timeout(_ms: number): { emitWithAck: (name: string, payload: Record<string, unknown>) => Promise<unknown> } {
    return {
      emitWithAck: async (name, payload) => {
        this.requests.push({ name, payload });
        const handler = this.handlers.get(name);
        if (!handler) return { ok: false, error: { code: 'internal', message: `no handler for ${name}` } };
        try {
          return { ok: true, value: await handler(payload) };
        } catch (err) {
          return { ok: false, error: { code: (err as { code?: string }).code ?? 'internal', message: (err as Error).message } };
        }
      },
    };
  }

  /** mcpd accepts the connection. */
  accept(): void {
    this.connected = true;
    this.fire('connect');
  }

  /** mcpd's middleware refuses the connection (a bad token). */
  refuse(message = 'unauthorized: a valid mcpgw token is required'): void {
    this.fire('connect_error', new Error(message));
  }

  /** The link drops (mcpd stopped). */
  drop(reason = 'transport close'): void {
    this.connected = false;
    this.fire('disconnect', reason);
  }

  /** mcpd emits a session event. */
  push(...events: SessionEvent[]): void {
    for (const event of events) this.fire(event.type, event);
  }

  /** mcpd tells of events its capped log no longer has (during a replay). */
  pushGap(gap: ReplayGap): void {
    this.fire('session:gap', gap);
  }

  sent(name: string): Array<Record<string, unknown>> {
    return this.requests.filter((r) => r.name === name).map((r) => r.payload);
  }

  private fire(name: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(name) ?? [])]) listener(...args);
  }
}

/** A session's event log as mcpd keeps it: contiguous seqs, and `attach` replays what follows `sinceSeq`. */
export class FakeLog {
  readonly events: SessionEvent[] = [];
  /** What `session:attach` says of the session besides its log (a turn running: busy). */
  info: Partial<SessionInfo> = {};
  /** Events up to this seq were trimmed from the log (mcpd's caps). */
  trimmedThrough = 0;
  constructor(readonly sessionId = 's_web') {}

  add<K extends SessionEventName>(type: K, payload: SessionEventPayloads[K]): SessionEvent {
    const event = {
      type,
      sessionId: this.sessionId,
      seq: this.events.length + 1,
      ts: 1_700_000_000_000 + this.events.length * 1000,
      ...payload,
    } as SessionEvent;
    this.events.push(event);
    return event;
  }

  /** Serves `session:attach` for this session on a fake socket: replays, then answers. */
  serve(fake: FakeSocket): void {
    fake.handle('session:attach', (payload) => {
      const since = Number(payload.sinceSeq ?? 0);
      const replay = this.events.filter((e) => e.seq > Math.max(since, this.trimmedThrough));
      const truncated = since < this.trimmedThrough;
      if (truncated) fake.pushGap({ sessionId: this.sessionId, fromSeq: since + 1, toSeq: this.trimmedThrough });
      fake.push(...replay);
      return {
        session: sessionInfo({ id: this.sessionId, lastSeq: this.events.length, ...this.info }),
        replayed: replay.length,
        truncated,
      };
    });
  }
}

/** The view tests' session, as the web tests' user (bob) sees it. */
export function sessionInfo(overrides: Partial<SessionInfo> = {}): SessionInfo {
  return baseSessionInfo({ id: 's_web', owner: 'bob', title: 'a test session', ...overrides });
}

export function daemonStatus(overrides: Partial<DaemonStatus> = {}): DaemonStatus {
  return {
    pid: 1,
    url: 'http://127.0.0.1:7450',
    version: '0.1.0',
    startedAt: 1_700_000_000_000,
    uptimeSeconds: 1,
    sessions: { active: 1, idle: 0, ended: 0 },
    containers: { running: 0, starting: 0, queued: 0, capacity: 8, pooled: 0 },
    redis: { url: 'unix:///tmp/redis.sock', private: true, connected: true },
    engine: { name: 'Docker', version: '20.10.24', endpoint: 'unix:///var/run/docker.sock' },
    user: 'bob',
    ...overrides,
  };
}

/** A turn that stops at an approval: message, thinking, text, then the call waiting for a human. */
export function turnAwaitingApproval(log: FakeLog, callId = 'c1', approvalId = 'a1'): void {
  log.info = { ...log.info, busy: true, pendingApprovals: 1 };
  log.add('user:message', { messageId: 'm1', text: 'echo hi please', from: 'bob' });
  log.add('agent:thinking', { turnId: 't1', round: 0 });
  log.add('agent:response', { turnId: 't1', delta: 'Let me check.', done: false });
  log.add('question:asked', {
    questionId: approvalId,
    subject: { kind: 'call', callId, server: 'testsrv', tool: 'echo' },
    ask: {
      kind: 'tool_approval',
      args: { message: 'hi' },
      annotations: { readOnlyHint: true },
      decisionReason: 'no rule matched; default is ask',
    },
    expiresAt: Date.now() + 600_000,
  });
}

/** The event mcpd logs when approval `approvalId` of call c1 (testsrv.echo) is answered. */
export function approvalAnswered(
  log: FakeLog,
  answer: { decision: 'approve' | 'deny'; scope?: 'once' | 'session'; reason?: string },
  by: string,
  approvalId = 'a1',
): SessionEvent {
  return log.add('question:answered', {
    questionId: approvalId,
    subject: { kind: 'call', callId: 'c1', server: 'testsrv', tool: 'echo' },
    answer: { kind: 'tool_approval', scope: 'once', ...answer },
    by: { kind: 'user', name: by },
  });
}
