import type { SessionStatus } from '../../src/protocol/session.js';
import type { SessionRecord } from './ports.js';

/** A session record as a Redis hash: strings, lists as JSON, nothing for what is undefined. */
export function toHash(rec: Partial<SessionRecord>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(rec)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? JSON.stringify(value) : String(value);
  }
  return out;
}

/** A session record read back from its hash (missing fields get their defaults). */
export function fromHash(h: Record<string, string>): SessionRecord {
  return {
    id: h.id ?? '',
    owner: h.owner ?? '',
    title: h.title ?? '',
    status: (h.status as SessionStatus | undefined) ?? 'idle',
    model: h.model ?? '',
    policyName: h.policyName ?? 'ask',
    policy: h.policy ?? '',
    servers: JSON.parse(h.servers ?? '[]') as string[],
    createdAt: Number(h.createdAt ?? 0),
    lastActive: Number(h.lastActive ?? 0),
    seq: Number(h.seq ?? 0),
  };
}
