import type { EventSink } from '../sessions/event-log.js';

/** How long after a call ends its server's stderr is still attributed to it. */
const LATE_STDERR_MS = 250;

/** How long `tool:started` may wait to share an fsync with the result of a fast call. */
const START_COALESCE_MS = 5;

const key = (sessionId: string, server: string): string => `${sessionId}\u0000${server}`;

/**
 * What sandboxes write while calls run, attributed to a call when that can be told: the calls in flight per
 * (session, server), and each call's `tool:started`, sent before the first line that belongs to it.
 */
export class CallOutput {
  private readonly inFlight = new Map<string, Map<string, StartAnnouncer>>();
  private readonly finished = new Map<string, { callId: string; at: number }>();
  private readonly endListeners = new Set<(sessionId: string, server: string, callId: string) => void>();

  constructor(private readonly events: EventSink) {}

  /**
   * Sandbox log hook: stderr and MCP log lines (already within the sandbox's output budget), attributed to the call
   * when exactly one is in flight.
   */
  onLog(sessionId: string, server: string, line: string): void {
    const k = key(sessionId, server);
    const calls = this.inFlight.get(k);
    const [inFlight, announce] = calls?.size === 1 ? [...calls][0]! : [];
    // stderr travels apart from stdout and may arrive just after the reply: a line that comes within a moment of
    // the only call finishing, with nothing else running, is still that call's.
    const recent = this.finished.get(k);
    const callId = inFlight ?? (!calls && recent && Date.now() - recent.at < LATE_STDERR_MS ? recent.callId : undefined);
    void announce?.now();
    this.events.post(sessionId, 'tool:output', {
      ...(callId ? { callId } : {}),
      server,
      stream: line.startsWith('[') ? 'log' : 'stderr',
      text: line,
    });
  }

  /** The calls running in a session's server now. */
  callsOf(sessionId: string, server: string): string[] {
    return [...(this.inFlight.get(key(sessionId, server))?.keys() ?? [])];
  }

  /**
   * The call a sandbox's line (or a gateway's refusal) belongs to: the only one in flight, or one that finished a
   * moment ago with nothing else running (the same rule as `onLog`).
   */
  attributableCall(sessionId: string, server: string): string | undefined {
    const k = key(sessionId, server);
    const calls = this.inFlight.get(k);
    if (calls) return calls.size === 1 ? [...calls.keys()][0] : undefined;
    const recent = this.finished.get(k);
    return recent && Date.now() - recent.at < LATE_STDERR_MS ? recent.callId : undefined;
  }

  /** Told whenever a call stops running in its sandbox (network grants "once" end with it). */
  onCallEnd(listener: (sessionId: string, server: string, callId: string) => void): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  /** Marks a call as running in its server's sandbox (its output is now its own) until `done` is called. */
  track(sessionId: string, server: string, callId: string, announce: StartAnnouncer): () => void {
    const k = key(sessionId, server);
    const calls = this.inFlight.get(k) ?? new Map<string, StartAnnouncer>();
    calls.set(callId, announce);
    this.inFlight.set(k, calls);
    return () => {
      if (!calls.delete(callId)) return;
      for (const listener of this.endListeners) listener(sessionId, server, callId);
      if (calls.size > 0) return;
      if (this.inFlight.get(k) === calls) this.inFlight.delete(k);
      const entry = { callId, at: Date.now() };
      this.finished.set(k, entry);
      setTimeout(() => this.finished.get(k) === entry && this.finished.delete(k), LATE_STDERR_MS).unref();
    };
  }
}

/**
 * Sends a call's `tool:started` once: after a short delay, or at once when something must follow it.
 *
 * Every write is durable before it is acknowledged, and a fast call would otherwise pay for two fsyncs in a row:
 * `tool:started`, then the result. Waiting START_COALESCE_MS (or until the call makes output) lets a call that ends
 * sooner send its start, result and audit entry together, under one fsync; a slower one is announced after a delay
 * no person can see.
 */
export class StartAnnouncer {
  private sent: Promise<unknown> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly send: () => Promise<unknown>) {
    this.timer = setTimeout(() => void this.now().catch(() => undefined), START_COALESCE_MS);
  }

  /** Sends it if not yet sent; a failure reaches whoever awaits this (the call's report), never an unhandled rejection. */
  now(): Promise<unknown> {
    clearTimeout(this.timer);
    if (!this.sent) {
      this.sent = this.send();
      this.sent.catch(() => undefined);
    }
    return this.sent;
  }
}
