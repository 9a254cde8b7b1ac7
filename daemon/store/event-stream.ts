import { randomUUID } from 'node:crypto';
import type { SessionEvent, SessionEventName, SessionEventPayloads } from '../../src/protocol/events.js';
import { fitPayload } from './event-fit.js';
import { refusedWhenFull } from './full.js';
import type { Keys } from './keys.js';
import type { ScriptedRedis } from './scripts.js';
import { checkMulti } from './multi.js';

/** How big a session's event log may grow; past a cap its oldest events are trimmed (clients are told of the gap). */
export interface EventLogLimits {
  maxEvents: number;
  /** The sum of the stored events' JSON. */
  maxBytes: number;
  /** One event's JSON; a bigger payload has its longest strings cut in the middle (see fitPayload). */
  maxEventBytes: number;
}

export const DEFAULT_EVENT_LOG_LIMITS: EventLogLimits = { maxEvents: 50_000, maxBytes: 32 * 1024 ** 2, maxEventBytes: 64 * 1024 };

/** Room left in an event's JSON for the envelope fields (`type`, `ts`) around its payload. */
const ENVELOPE_BYTES = 128;

/** The sessions' event logs: one Redis stream each, the seq as the entry id, capped by count and by bytes. */
export class EventStream {
  constructor(
    private readonly redis: ScriptedRedis,
    private readonly k: Keys,
    readonly limits: EventLogLimits,
  ) {}

  /**
   * Appends one event to the session's log and returns it with its seq, as stored: a payload over the per-event cap
   * has its longest strings cut, and live clients get the same cut event a replay would give them.
   */
  async append<K extends SessionEventName>(
    sessionId: string,
    type: K,
    payload: SessionEventPayloads[K],
    ts: number,
  ): Promise<SessionEvent> {
    const { maxEvents, maxBytes, maxEventBytes } = this.limits;
    const fitted = fitPayload(payload, maxEventBytes - ENVELOPE_BYTES);
    const body = JSON.stringify({ type, ts, ...fitted });
    const seq = await this.redis
      .mcpgwAppendEvent(
        this.k.session(sessionId),
        this.k.events(sessionId),
        this.k.active(),
        this.k.once(randomUUID()),
        body,
        ts,
        maxEvents,
        sessionId,
        maxBytes,
      )
      .catch(refusedWhenFull(`a "${type}" event`));
    return { ...fitted, type, sessionId, seq, ts } as SessionEvent;
  }

  /** Up to `count` events after `afterSeq` (and up to `untilSeq`), in order; trimmed ones are simply absent. */
  async read(sessionId: string, afterSeq: number, count: number, untilSeq?: number): Promise<SessionEvent[]> {
    const end = untilSeq === undefined ? '+' : `${untilSeq}-1`;
    return toEvents(sessionId, await this.redis.xrange(this.k.events(sessionId), `${afterSeq + 1}-0`, end, 'COUNT', count));
  }

  /** Like read, plus the seq of the newest event, read together (the same moment of the log). */
  async readWithSeq(sessionId: string, afterSeq: number, count: number): Promise<{ events: SessionEvent[]; lastSeq: number }> {
    const [range, seq] = checkMulti(
      await this.redis
        .multi()
        .xrange(this.k.events(sessionId), `${afterSeq + 1}-0`, '+', 'COUNT', count)
        .hget(this.k.session(sessionId), 'seq')
        .exec(),
    );
    return { events: toEvents(sessionId, range![1] as Array<[string, string[]]>), lastSeq: Number(seq![1] ?? 0) };
  }
}

function toEvents(sessionId: string, entries: Array<[string, string[]]>): SessionEvent[] {
  return entries.map(([id, fields]) => {
    const body = JSON.parse(fields[1] ?? '{}') as Record<string, unknown>;
    return { ...body, sessionId, seq: Number(id.split('-')[0]) } as SessionEvent;
  });
}
