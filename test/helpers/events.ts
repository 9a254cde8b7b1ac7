import { SESSION_EVENT_NAMES, type SessionEvent } from '../../src/protocol/events.js';
import type { DaemonClient } from '../../tui/client/client.js';

/** Records every session event a client receives and lets a test wait for one (no polling, no sleeps). */
export class EventRecorder {
  readonly events: SessionEvent[] = [];
  private waiters: Array<{ match: (e: SessionEvent) => boolean; resolve: (e: SessionEvent) => void }> = [];

  constructor(client: DaemonClient) {
    for (const name of SESSION_EVENT_NAMES) {
      client.socket.on(name, (event: SessionEvent) => {
        this.events.push(event);
        this.waiters = this.waiters.filter((w) => {
          if (!w.match(event)) return true;
          w.resolve(event);
          return false;
        });
      });
    }
  }

  /** Resolves with the first event (already received or future) that matches. */
  waitFor<E extends SessionEvent = SessionEvent>(match: (e: SessionEvent) => boolean, timeoutMs = 60_000): Promise<E> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen as E);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching event within ${timeoutMs} ms; got ${this.events.map((e) => e.type).join(', ')}`)),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e as E);
        },
      });
    });
  }

  of<T extends SessionEvent['type']>(type: T, sessionId?: string): Array<Extract<SessionEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type && (!sessionId || e.sessionId === sessionId));
  }
}
