import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, RequestName, ServerToClientEvents } from '../../../src/protocol/events.js';
import { verifyDaemonIdentity } from '../../../src/protocol/identity.js';
import type { Result } from '../../../src/protocol/result.js';

export type DaemonSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export type RequestOf<K extends RequestName> = Parameters<ClientToServerEvents[K]>[0];
export type ValueOf<K extends RequestName> = Parameters<ClientToServerEvents[K]>[1] extends (result: Result<infer T>) => void ? T : never;

/** A request that failed: the daemon's wire code (`not_found`, `conflict`…), or `offline`/`timeout` from here. */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Told when the peer did not prove it is mcpd; the credential was not sent. */
export type IdentityFailed = (err: Error) => void;

/**
 * Opens Socket.io to the mcpd that served this page (same origin, so Host and Origin are the daemon's own),
 * presenting the credential. Socket.io's own reconnection covers a daemon restart: it comes back on the same port.
 *
 * Before each connection, reconnections included, the peer must prove it knows the credential (GET /identity):
 * a page left open while mcpd is down must not hand its credential to another local user's process that took the
 * port. A peer that fails has its connection closed before the credential is sent, and Socket.io tries again later.
 */
export function openSocket(token: string, onIdentityFailed: IdentityFailed = () => undefined): DaemonSocket {
  const socket: DaemonSocket = io({
    auth: (send) => {
      verifyDaemonIdentity(window.location.origin, token).then(
        () => send({ token }),
        (err: unknown) => {
          socket.io.engine.close();
          onIdentityFailed(err instanceof Error ? err : new Error(String(err)));
        },
      );
    },
    transports: ['websocket'],
    reconnectionDelay: 250,
    reconnectionDelayMax: 2000,
    autoConnect: false,
  });
  return socket;
}

/** Sends one acknowledged request and unwraps its Result; nothing is queued while offline. */
export async function sendRequest<K extends RequestName>(
  socket: DaemonSocket,
  name: K,
  payload: RequestOf<K>,
  timeoutMs = 30_000,
): Promise<ValueOf<K>> {
  // Socket.io would buffer the emit until the next connection; an answer that late would confuse more than help.
  if (!socket.connected) throw new RequestError('offline', 'not connected to mcpd (reconnecting…); try again in a moment');
  let result: Result<ValueOf<K>>;
  try {
    const emitter = socket.timeout(timeoutMs) as unknown as { emitWithAck(name: string, payload: unknown): Promise<unknown> };
    result = (await emitter.emitWithAck(name, payload)) as Result<ValueOf<K>>;
  } catch {
    throw new RequestError('timeout', `mcpd did not answer ${name} within ${Math.round(timeoutMs / 1000)}s`);
  }
  if (result.ok) return result.value;
  throw new RequestError(result.error.code, result.error.message);
}
