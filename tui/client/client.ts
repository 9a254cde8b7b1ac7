import { io, type Socket } from 'socket.io-client';
import { McpgwError } from '../../src/errors.js';
import type { ClientToServerEvents, RequestName, ServerToClientEvents } from '../../src/protocol/events.js';
import { verifyDaemonIdentity } from '../../src/protocol/identity.js';
import type { Result } from '../../src/protocol/result.js';

export type DaemonSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

type RequestOf<K extends RequestName> = Parameters<ClientToServerEvents[K]>[0];
type ValueOf<K extends RequestName> = Parameters<ClientToServerEvents[K]>[1] extends (result: Result<infer T>) => void ? T : never;

export interface ClientOptions {
  url: string;
  token: string;
  /** Reconnect after the daemon restarts (interactive clients); one-shot commands fail fast instead. */
  reconnect?: boolean;
  timeoutMs?: number;
}

/**
 * A typed Socket.io client for mcpd: `request()` sends one acknowledged request and unwraps its Result. Before every
 * connection (reconnections too) the peer must prove it is the mcpd that knows the token; only then is the token sent.
 */
export class DaemonClient {
  readonly socket: DaemonSocket;
  private readonly timeoutMs: number;
  private onIdentityFailed: ((err: Error) => void) | undefined;

  constructor(private readonly opts: ClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    this.socket = io(opts.url, {
      auth: (send) => this.authenticate(send),
      transports: ['websocket'],
      reconnection: opts.reconnect ?? false,
      reconnectionDelay: 200,
      reconnectionDelayMax: 2000,
      autoConnect: false,
    });
  }

  /** The daemon's base URL. */
  get url(): string {
    return this.opts.url.replace(/\/+$/, '');
  }

  /**
   * Socket.io asks for the handshake's auth once the transport is open: the token goes only to a peer that proved
   * its identity; a peer that cannot has its connection closed before anything is sent.
   */
  private authenticate(send: (data: object) => void): void {
    verifyDaemonIdentity(this.opts.url, this.opts.token).then(
      () => send({ token: this.opts.token }),
      (err: unknown) => {
        const connecting = this.onIdentityFailed;
        // While reconnecting, a later attempt may meet the real mcpd again (each one proves itself anew).
        if (connecting || !this.socket.io.opts.reconnection) this.socket.disconnect();
        else this.socket.io.engine.close();
        connecting?.(
          err instanceof McpgwError && err.message.startsWith('not sending')
            ? new McpgwError(err.code, `${err.message} (daemon.json may be stale after a crash: mcpgw daemon start)`)
            : err instanceof Error
              ? err
              : new Error(String(err)),
        );
      },
    );
  }

  /** Connects; rejects with a clear reason (refused token, daemon not reachable, not proven to be mcpd). */
  connect(): Promise<this> {
    return new Promise((resolve, reject) => {
      const onConnect = (): void => {
        this.socket.off('connect_error', onError);
        this.onIdentityFailed = undefined;
        resolve(this);
      };
      this.onIdentityFailed = (err) => {
        this.socket.off('connect', onConnect);
        this.socket.off('connect_error', onError);
        this.onIdentityFailed = undefined;
        reject(err);
      };
      const onError = (err: Error): void => {
        this.onIdentityFailed = undefined;
        this.socket.off('connect', onConnect);
        if (!this.socket.io.opts.reconnection) this.socket.disconnect();
        reject(
          /unauthorized/.test(err.message)
            ? new McpgwError('unauthorized', 'mcpd refused the token (MCPGW_TOKEN or the token file in the state dir)')
            : new McpgwError('internal', `cannot reach mcpd: ${err.message}`),
        );
      };
      this.socket.once('connect', onConnect);
      this.socket.once('connect_error', onError);
      this.socket.connect();
    });
  }

  /** Sends a request and returns its value, or throws its wire error as an McpgwError. */
  async request<K extends RequestName>(name: K, payload: RequestOf<K>, timeoutMs = this.timeoutMs): Promise<ValueOf<K>> {
    let result: Result<ValueOf<K>>;
    try {
      result = (await (
        this.socket.timeout(timeoutMs) as unknown as { emitWithAck: (n: string, p: unknown) => Promise<unknown> }
      ).emitWithAck(name, payload)) as Result<ValueOf<K>>;
    } catch {
      throw new McpgwError('internal', `mcpd did not answer ${name} within ${Math.round(timeoutMs / 1000)}s`);
    }
    if (result.ok) return result.value;
    throw new McpgwError(result.error.code, result.error.message);
  }

  close(): void {
    this.socket.disconnect();
  }
}
