import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { formatBytes } from '../../src/text/bytes.js';

/** How much a server may ask of the client: the walls that keep a hostile server from flooding humans or the model. */
export interface PeerLimits {
  /** Requests of one server in one session that may wait for an answer at once (a question each). */
  maxOpen: number;
  /** Requests of one server in one session per minute (a sliding window). */
  perMinute: number;
  /** The largest request's params, as JSON. */
  maxParamBytes: number;
}

export const DEFAULT_PEER_LIMITS: PeerLimits = { maxOpen: 1, perMinute: 10, maxParamBytes: 64 * 1024 };

interface Who {
  sessionId: string;
  server: string;
}

const WINDOW_MS = 60_000;

/**
 * Admits a server's request to the client, or refuses it with an MCP error the server sees (never a question a
 * person must dismiss). `onRefused` tells the session why, once per kind of refusal per minute, so a flood of
 * refusals is itself bounded.
 */
export class PeerBounds {
  private readonly open = new Map<string, number>();
  private readonly recent = new Map<string, number[]>();
  private readonly told = new Map<string, number>();

  constructor(
    private readonly limits: (server: string) => PeerLimits = () => DEFAULT_PEER_LIMITS,
    private readonly onRefused?: (who: Who, reason: string) => void,
  ) {}

  /** Admits one request; the returned function must be called when it is answered. Throws an McpError when refused. */
  admit(who: Who, method: string, params: unknown): () => void {
    const limits = this.limits(who.server);
    const key = `${who.sessionId}\u0000${who.server}`;
    const size = Buffer.byteLength(JSON.stringify(params ?? null));
    if (size > limits.maxParamBytes)
      this.refuse(who, `${method} is ${formatBytes(size)}, over the ${formatBytes(limits.maxParamBytes)} cap`);
    const now = Date.now();
    const times = (this.recent.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
    if (times.length >= limits.perMinute) this.refuse(who, `more than ${limits.perMinute} requests to the client in a minute`);
    const open = this.open.get(key) ?? 0;
    if (open >= limits.maxOpen) this.refuse(who, `${method} while ${open} of its requests already wait for a person`);
    times.push(now);
    this.recent.set(key, times);
    this.open.set(key, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(key) ?? 1) - 1;
      if (left > 0) this.open.set(key, left);
      else this.open.delete(key);
    };
  }

  private refuse(who: Who, reason: string): never {
    const key = `${who.sessionId}\u0000${who.server}\u0000${reason.split(' ')[0] ?? ''}`;
    const last = this.told.get(key) ?? 0;
    if (Date.now() - last >= WINDOW_MS) {
      this.told.set(key, Date.now());
      this.onRefused?.(who, reason);
    }
    throw new McpError(ErrorCode.InvalidRequest, `mcpgw refused: ${reason}`);
  }
}
