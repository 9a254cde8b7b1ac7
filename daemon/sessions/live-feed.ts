import type { SessionEvent } from '../../src/protocol/events.js';

/**
 * Session events as they are logged, for whoever shows them live (the API server's socket rooms). The event log
 * publishes here from the start; the API server subscribes when it is built, so neither needs the other to exist.
 */
export class LiveFeed {
  private readonly listeners = new Set<(event: SessionEvent) => void>();

  /** Hands an event that was just logged to every listener. */
  publish = (event: SessionEvent): void => {
    for (const listener of this.listeners) listener(event);
  };

  /** Adds a listener; returns its removal. */
  subscribe(listener: (event: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
