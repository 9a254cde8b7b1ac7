import type { SessionEvent, SessionEventName, SessionEventPayloads } from '../../src/protocol/events.js';
import type { Store } from '../store/store.js';
import { KeyedSerialQueue } from './serial.js';

/**
 * The only way session events leave the daemon: each is appended to the session's log in Redis, then published.
 * Appends and replays of one session run through one queue, so a client that attaches gets the replay and then
 * the live events, in seq order, with no gap and no duplicate.
 */
export class SessionEventLog {
  private readonly queue = new KeyedSerialQueue();

  constructor(
    private readonly store: Store,
    private readonly publish: (event: SessionEvent) => void,
  ) {}

  /** Logs and publishes one event; resolves once it is durable in Redis. */
  emit<K extends SessionEventName>(sessionId: string, type: K, payload: SessionEventPayloads[K]): Promise<SessionEvent> {
    return this.queue.run(sessionId, async () => {
      const event = await this.store.appendEvent(sessionId, type, payload);
      this.publish(event);
      return event;
    });
  }

  /**
   * Sends the events after `sinceSeq` through `deliver` and then calls `subscribe`, with no event published in
   * between; returns how many were replayed and whether the capped log had dropped some.
   */
  replay(sessionId: string, sinceSeq: number, deliver: (event: SessionEvent) => void, subscribe: () => void): Promise<{ replayed: number; truncated: boolean }> {
    return this.queue.run(sessionId, async () => {
      const { events, truncated } = await this.store.readEvents(sessionId, sinceSeq);
      for (const event of events) deliver(event);
      subscribe();
      return { replayed: events.length, truncated };
    });
  }
}
