import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../../src/protocol/events.js';
import type { ConnectionState } from '../../../tui/components/StatusBar.js';
import { DaemonLink } from '../../../tui/chat/connection.js';
import { FakeDaemon } from './fake-daemon.js';

/** Records the link's states and resolves waiters when one matches (no polling). */
class States {
  readonly all: ConnectionState[] = [];
  private waiters: Array<{ test: (s: ConnectionState) => boolean; resolve: () => void }> = [];

  push = (state: ConnectionState): void => {
    this.all.push(state);
    this.waiters = this.waiters.filter((w) => (w.test(state) ? (w.resolve(), false) : true));
  };

  next(test: (s: ConnectionState) => boolean): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }
}

describe('DaemonLink', () => {
  it('reconnects with a new client after the daemon goes away, re-running onConnected', async () => {
    const daemon = new FakeDaemon();
    const session = daemon.addSession();
    const recorder = new States();
    const states = recorder.all;
    const events: SessionEvent[] = [];
    const connected: boolean[] = [];
    const link = new DaemonLink({
      connect: daemon.connect,
      onEvent: (e) => events.push(e),
      onState: recorder.push,
      onConnected: async (client, reconnected) => {
        connected.push(reconnected);
        await client.request('session:attach', { sessionId: session.id });
      },
      retryDelayMs: () => 1,
    });
    await link.start();
    expect(states).toEqual([{ kind: 'connecting' }, { kind: 'connected' }]);
    daemon.down = true;
    const retried = recorder.next((s) => s.kind === 'reconnecting' && s.attempt === 2);
    daemon.dropAll();
    expect(link.client).toBeUndefined();
    await retried;
    expect(states).toContainEqual({ kind: 'reconnecting', attempt: 1, reason: 'mcpd went away' });
    expect(states).toContainEqual({ kind: 'reconnecting', attempt: 2, reason: 'mcpd is not running' });
    const back = recorder.next((s) => s.kind === 'connected');
    daemon.down = false;
    await back;
    expect(connected).toEqual([false, true]);
    expect(daemon.clients).toHaveLength(1);
    daemon.emit(session.id, 'error', { code: 'internal', message: 'x' });
    expect(events.map((e) => e.seq)).toEqual([1]);
    link.close();
    expect(states.at(-1)).toEqual({ kind: 'closed' });
  });

  it('a first connection that fails is thrown to the caller', async () => {
    const daemon = new FakeDaemon();
    daemon.down = true;
    const link = new DaemonLink({
      connect: daemon.connect,
      onEvent: () => undefined,
      onState: () => undefined,
      onConnected: async () => undefined,
    });
    await expect(link.start()).rejects.toThrow(/not running/);
  });
});
