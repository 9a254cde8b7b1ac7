import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { errorMessage } from '../../../src/errors.js';
import { SESSION_EVENT_NAMES, type ReplayGap, type RequestName, type SessionEvent } from '../../../src/protocol/events.js';
import type { DaemonStatus } from '../../../src/protocol/session.js';
import { openSocket, sendRequest, type DaemonSocket, type IdentityFailed, type RequestOf, type ValueOf } from '../lib/socket.js';

/** Where the link to mcpd is; `refused` (a bad token) is final, everything else heals by itself. */
export type ConnectionState =
  | { kind: 'signed-out' }
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | { kind: 'reconnecting'; attempt: number; reason: string }
  | { kind: 'refused'; message: string };

/** Told on every (re)connection, before it counts as up: re-attach, fetch what was missed. */
export type ConnectedHook = (info: { restarted: boolean }) => Promise<void> | void;

/**
 * The Socket.io link to mcpd: the token, the connection's state, typed requests, and the session events every
 * other store folds. Stores subscribe with `onEvent` / `onConnected` instead of touching the socket.
 */
export const useConnection = defineStore('connection', () => {
  const state = ref<ConnectionState>({ kind: 'signed-out' });
  const daemon = shallowRef<DaemonStatus>();
  const user = computed(() => daemon.value?.user);
  const connected = computed(() => state.value.kind === 'connected');
  const eventHooks = new Set<(event: SessionEvent) => void>();
  const gapHooks = new Set<(gap: ReplayGap) => void>();
  const connectedHooks = new Set<ConnectedHook>();
  let socket: DaemonSocket | undefined;
  let attempt = 0;

  /** Connects with `token`; `open` is replaced in tests by a fake socket. */
  function start(token: string, open: (token: string, onIdentityFailed: IdentityFailed) => DaemonSocket = openSocket): void {
    stop();
    const s = open(token, (err) => {
      if (socket !== s) return;
      // mcpd itself says it no longer knows the credential (revoked or expired): final, like a refused token.
      if (/does not know this token/.test(err.message)) {
        s.disconnect();
        state.value = { kind: 'refused', message: err.message };
        return;
      }
      state.value = { kind: 'reconnecting', attempt: ++attempt, reason: err.message };
    });
    socket = s;
    state.value = { kind: 'connecting' };
    for (const name of SESSION_EVENT_NAMES) s.on(name, ((event: SessionEvent) => dispatch(event)) as never);
    s.on('session:gap', (gap: ReplayGap) => {
      for (const hook of gapHooks) hook(gap);
    });
    s.on('connect', () => void handshake(s));
    s.on('connect_error', (err: Error) => {
      if (socket !== s) return;
      // mcpd refuses a token in its connection middleware: Socket.io then stops retrying, and so do we.
      if (/unauthorized/i.test(err.message)) {
        s.disconnect();
        state.value = { kind: 'refused', message: err.message };
        return;
      }
      state.value = {
        kind: 'reconnecting',
        attempt: ++attempt,
        reason: err.message === 'websocket error' ? 'mcpd is not reachable' : err.message,
      };
    });
    s.on('disconnect', (reason) => {
      if (socket !== s || reason === 'io client disconnect') return;
      state.value = { kind: 'reconnecting', attempt: attempt, reason: reason === 'transport close' ? 'mcpd went away' : reason };
      // A disconnect the server asked for is not retried by Socket.io; a restarting daemon deserves another try.
      if (reason === 'io server disconnect') s.connect();
    });
    s.connect();
  }

  async function handshake(s: DaemonSocket): Promise<void> {
    try {
      const status = await sendRequest(s, 'daemon:status', {});
      const restarted = daemon.value !== undefined && daemon.value.startedAt !== status.startedAt;
      daemon.value = status;
      // Each store reports its own failures (a session gone, say); one of them must not keep the link down.
      for (const hook of connectedHooks) await Promise.resolve(hook({ restarted })).catch(() => undefined);
      if (socket !== s || !s.connected) return;
      attempt = 0;
      state.value = { kind: 'connected' };
    } catch (err) {
      if (socket !== s || !s.connected) return;
      state.value = { kind: 'reconnecting', attempt: ++attempt, reason: errorMessage(err) };
      // Connected but not answering: start over, after a pause so a sick daemon is not hammered.
      setTimeout(() => {
        if (socket === s) s.disconnect().connect();
      }, 1000);
    }
  }

  function dispatch(event: SessionEvent): void {
    for (const hook of eventHooks) hook(event);
  }

  /** Closes the link (the page keeps its token). */
  function stop(): void {
    const s = socket;
    socket = undefined;
    s?.removeAllListeners();
    s?.disconnect();
    state.value = { kind: 'signed-out' };
  }

  /** Sends one request to mcpd and returns its value, or throws a RequestError. */
  function request<K extends RequestName>(name: K, payload: RequestOf<K>, timeoutMs?: number): Promise<ValueOf<K>> {
    if (!socket) return Promise.reject(new Error('not connected to mcpd'));
    return sendRequest(socket, name, payload, timeoutMs);
  }

  /** Subscribes to every session event the socket receives (replays included); returns the unsubscribe. */
  function onEvent(hook: (event: SessionEvent) => void): () => void {
    eventHooks.add(hook);
    return () => eventHooks.delete(hook);
  }

  /** Subscribes to a replay's news that events are gone from mcpd's log; returns the unsubscribe. */
  function onGap(hook: (gap: ReplayGap) => void): () => void {
    gapHooks.add(hook);
    return () => gapHooks.delete(hook);
  }

  /** Runs `hook` on every connection, before the state turns `connected`; returns the unsubscribe. */
  function onConnected(hook: ConnectedHook): () => void {
    connectedHooks.add(hook);
    return () => connectedHooks.delete(hook);
  }

  return { state, daemon, user, connected, start, stop, request, onEvent, onGap, onConnected };
});
