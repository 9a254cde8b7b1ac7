import { io, type Socket } from 'socket.io-client';
import { McpgwError } from '../../src/errors.js';
import type { ClientToServerEvents, ReplyOf as ValueOf, RequestName, RequestOf, ServerToClientEvents } from '../../src/protocol/events.js';
import type { Result } from '../../src/protocol/result.js';

export type DaemonSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface ClientOptions {
  url: string;
  token: string;
  /** Reconnect after the daemon restarts (interactive clients); one-shot commands fail fast instead. */
  reconnect?: boolean;
  timeoutMs?: number;
}

/** A typed Socket.io client for mcpd: `request()` sends one acknowledged request and unwraps its Result. */
export class DaemonClient {
  readonly socket: DaemonSocket;
  private readonly timeoutMs: number;

  constructor(opts: ClientOptions) {
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    this.socket = io(opts.url, {
      auth: { token: opts.token },
      transports: ['websocket'],
      reconnection: opts.reconnect ?? false,
      reconnectionDelay: 200,
      reconnectionDelayMax: 2000,
      autoConnect: false,
    });
  }

  /** Connects; rejects with a clear reason (refused token, daemon not reachable). */
  connect(): Promise<this> {
    return new Promise((resolve, reject) => {
      const onConnect = (): void => {
        this.socket.off('connect_error', onError);
        resolve(this);
      };
      const onError = (err: Error): void => {
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
