import type { SessionEvent, SessionEventName, SessionEventPayloads } from '../../src/protocol/events.js';
import type { EventStore } from '../store/ports.js';

/** Where session events go: each is logged, then published to the session's live listeners. */
export interface EventSink {
  /** Logs and publishes one event; resolves once it is durable. */
  emit<K extends SessionEventName>(sessionId: string, type: K, payload: SessionEventPayloads[K]): Promise<SessionEvent>;
}

/**
 * The only way session events leave the daemon: each is appended to the session's log in Redis, then published.
 *
 * Appends are sent to Redis at once, without waiting for the previous reply: one connection executes them in the
 * order sent, so seqs follow call order and several appends share one fsync. What is serialised per session is
 * the step after the reply (publishing, replaying), so clients see events in seq order, and a client that attaches
 * gets the replay and then the live events with no gap and no duplicate.
 */
export class SessionEventLog implements EventSink {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: EventStore,
    private readonly publish: (event: SessionEvent) => void,
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

  /**
   * Sends the events after `sinceSeq` through `deliver` and then calls `subscribe`, with no event published in
   * between; returns how many were replayed and whether the capped log had dropped some.
   */
  replay(
    sessionId: string,
    sinceSeq: number,
    deliver: (event: SessionEvent) => void,
    subscribe: () => void,
  ): Promise<{ replayed: number; truncated: boolean }> {
    // Sent now, so it sees exactly the appends sent before it; handled after their replies, so those were published.
    const read = this.store.readEvents(sessionId, sinceSeq);
    return this.inOrder(sessionId, async () => {
      const { events, truncated } = await read;
      for (const event of events) deliver(event);
      subscribe();
      return { replayed: events.length, truncated };
    });
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
