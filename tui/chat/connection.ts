import { errorMessage } from '../../src/errors.js';
import { SESSION_EVENT_NAMES, type ReplayGap, type SessionEvent } from '../../src/protocol/events.js';
import type { DaemonClient } from '../client/client.js';
import type { ConnectionState } from '../components/StatusBar.js';

/** What the chat needs of a daemon client (a DaemonClient, or a stand-in in tests). */
export interface ChatClient {
  request: DaemonClient['request'];
  socket: { on(event: string, listener: (...args: never[]) => void): unknown; removeAllListeners(): unknown };
  close(): void;
}

export interface DaemonLinkOptions {
  /** Opens a connection; `attempt` is 0 the first time (which may start mcpd) and counts up while reconnecting. */
  connect: (attempt: number) => Promise<ChatClient>;
  onEvent: (event: SessionEvent) => void;
  /** A replay's news that some events are gone from mcpd's log. */
  onGap?: (gap: ReplayGap) => void;
  onState: (state: ConnectionState) => void;
  /** Runs on every new connection before it counts as up (re-attach, replay what was missed). */
  onConnected: (client: ChatClient, reconnected: boolean) => Promise<void>;
  retryDelayMs?: (attempt: number) => number;
}

const defaultDelay = (attempt: number): number => Math.min(2000, Math.round(200 * 1.5 ** (attempt - 1)));

/**
 * Keeps the chat connected to mcpd. Socket.io's own reconnection retries the old URL, but a restarted mcpd may
 * listen on another port (and a new token file): every attempt locates the daemon afresh and opens a new client.
 */
export class DaemonLink {
  private current: ChatClient | undefined;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: DaemonLinkOptions) {}

  /** The connected client, or undefined while reconnecting. */
  get client(): ChatClient | undefined {
    return this.current;
  }

  /** Connects for the first time; a failure is thrown to the caller (there is nothing to show yet). */
  async start(): Promise<void> {
    this.opts.onState({ kind: 'connecting' });
    await this.adopt(await this.opts.connect(0), false);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.drop(this.current);
    this.opts.onState({ kind: 'closed' });
  }

  private async adopt(client: ChatClient, reconnected: boolean): Promise<void> {
    for (const name of SESSION_EVENT_NAMES) client.socket.on(name, ((event: SessionEvent) => this.opts.onEvent(event)) as never);
    client.socket.on('session:gap', ((gap: ReplayGap) => this.opts.onGap?.(gap)) as never);
    client.socket.on('disconnect', ((reason: string) => this.lost(client, reason)) as never);
    this.current = client;
    await this.opts.onConnected(client, reconnected);
    if (this.current !== client) return;
    this.attempt = 0;
    this.opts.onState({ kind: 'connected' });
  }

  private lost(client: ChatClient, reason: string): void {
    if (this.closed || client !== this.current) return;
    this.drop(client);
    this.schedule(reason === 'transport close' || reason === 'io server disconnect' ? 'mcpd went away' : reason);
  }

  private drop(client: ChatClient | undefined): void {
    if (!client) return;
    if (this.current === client) this.current = undefined;
    client.socket.removeAllListeners();
    client.close();
  }

  private schedule(reason: string): void {
    if (this.closed || this.timer) return;
    this.attempt++;
    this.opts.onState({ kind: 'reconnecting', attempt: this.attempt, reason });
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        void this.retry();
      },
      (this.opts.retryDelayMs ?? defaultDelay)(this.attempt),
    );
  }

  private async retry(): Promise<void> {
    let client: ChatClient;
    try {
      client = await this.opts.connect(this.attempt);
    } catch (err) {
      this.schedule(shortReason(err));
      return;
    }
    if (this.closed) return void client.close();
    try {
      await this.adopt(client, true);
    } catch (err) {
      this.drop(client);
      this.schedule(shortReason(err));
    }
  }
}

function shortReason(err: unknown): string {
  const message = errorMessage(err);
  return /not running/.test(message) ? 'mcpd is not running' : (message.split('\n')[0] ?? message).slice(0, 80);
}
