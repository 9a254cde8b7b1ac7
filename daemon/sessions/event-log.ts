import { errorMessage } from '../../src/errors.js';
import type { SessionEvent, SessionEventName, SessionEventPayloads } from '../../src/protocol/events.js';
import type { Store } from '../store/store.js';

/** Events read from Redis (and sent to a client) at a time during a replay. */
export const REPLAY_PAGE = 256;

/** Where a replay goes: one attaching client. */
export interface ReplayTarget {
  deliver(event: SessionEvent): void;
  /** Events `fromSeq`..`toSeq` were trimmed from the capped log: told before the first event after them. */
  gap(fromSeq: number, toSeq: number): void;
  /** Joins the live stream; called once, with no event published between the replay and it. */
  subscribe(): void;
  /** Resolves when the client has taken the last page (flow control), so a slow client does not pile up pages. */
  ready(): Promise<void>;
}

/** How often a failing append is logged (a full Redis fails every append; one line says so). */
const FAILURE_LOG_INTERVAL_MS = 10_000;

/**
 * The only way session events leave the daemon: each is appended to the session's log in Redis, then published.
 *
 * Appends are sent to Redis at once, without waiting for the previous reply: one connection executes them in the
 * order sent, so seqs follow call order and several appends share one fsync. What is serialised per session is
 * the step after the reply (publishing, replaying), so clients see events in seq order, and a client that attaches
 * gets the replay and then the live events with no gap and no duplicate.
 */
export class SessionEventLog {
  private readonly tails = new Map<string, Promise<unknown>>();
  private lastFailureLog = 0;
  private failuresNotLogged = 0;

  constructor(
    private readonly store: Store,
    private readonly publish: (event: SessionEvent) => void,
    private readonly onFailure: (message: string, fields: Record<string, unknown>) => void = () => undefined,
  ) {}

  /** Logs and publishes one event; resolves once it is durable in Redis. */
  emit<K extends SessionEventName>(sessionId: string, type: K, payload: SessionEventPayloads[K]): Promise<SessionEvent> {
    const appended = this.store.appendEvent(sessionId, type, payload);
    return this.inOrder(sessionId, async () => {
      const event = await appended;
      this.publish(event);
      return event;
    });
  }

  /** Like emit, for events nobody waits for (server output): a failure (Redis full) is logged, never thrown. */
  post<K extends SessionEventName>(sessionId: string, type: K, payload: SessionEventPayloads[K]): void {
    this.emit(sessionId, type, payload).catch((err: unknown) => this.failed(sessionId, type, err));
  }

  /**
   * Sends the events after `sinceSeq` to `target` a page at a time, then subscribes it; returns how many were
   * replayed and whether the capped log had trimmed some of them.
   *
   * Most pages are read without holding up the session's live events. Only the last stretch runs in the session's
   * order: its first read is sent now, so it sees exactly the appends sent before it, and it reads no further than
   * the seq that read returned, so every later event reaches the client once, live.
   */
  async replay(sessionId: string, sinceSeq: number, target: ReplayTarget): Promise<{ replayed: number; truncated: boolean }> {
    let after = sinceSeq;
    let replayed = 0;
    let truncated = false;
    const send = (events: SessionEvent[]): void => {
      for (const event of events) {
        if (event.seq > after + 1) {
          target.gap(after + 1, event.seq - 1);
          truncated = true;
        }
        target.deliver(event);
        after = event.seq;
        replayed++;
      }
    };
    const start = await this.store.readEventsAndSeq(sessionId, after, REPLAY_PAGE);
    const seqAtStart = start.lastSeq;
    let page = start.events;
    send(page);
    while (page.length === REPLAY_PAGE && after < seqAtStart) {
      await target.ready();
      page = await this.store.readEvents(sessionId, after, REPLAY_PAGE, seqAtStart);
      send(page);
    }
    await target.ready();
    const rest = this.store.readEventsAndSeq(sessionId, after, REPLAY_PAGE);
    return this.inOrder(sessionId, async () => {
      const { lastSeq, events: first } = await rest;
      let events = first;
      send(events);
      while (events.length === REPLAY_PAGE && after < lastSeq) {
        await target.ready();
        events = await this.store.readEvents(sessionId, after, REPLAY_PAGE, lastSeq);
        send(events);
      }
      // Trimmed up to the very end (a log cut while this replay ran): the client still learns where the log stands.
      if (after < lastSeq) {
        target.gap(after + 1, lastSeq);
        truncated = true;
      }
      target.subscribe();
      return { replayed, truncated };
    });
  }

  private failed(sessionId: string, type: string, err: unknown): void {
    const now = Date.now();
    if (now - this.lastFailureLog < FAILURE_LOG_INTERVAL_MS) {
      this.failuresNotLogged++;
      return;
    }
    this.lastFailureLog = now;
    const skipped = this.failuresNotLogged;
    this.failuresNotLogged = 0;
    this.onFailure('a session event could not be stored', { sessionId, type, message: errorMessage(err), alsoFailedSinceLastLog: skipped });
  }

  private inOrder<T>(sessionId: string, step: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(sessionId) ?? Promise.resolve();
    const result = previous.then(step, step);
    const tail = result.catch(() => undefined);
    this.tails.set(sessionId, tail);
    void tail.then(() => {
      if (this.tails.get(sessionId) === tail) this.tails.delete(sessionId);
    });
    return result;
  }
}
