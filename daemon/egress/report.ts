import type { AuditRecord } from '../../src/protocol/session.js';
import { formatMs, formatSize } from '../../src/text/table.js';
import type { Logger } from '../logger.js';
import { REASON_TEXT, type Reason } from './gateway/policy.js';
import type { EgressDecision } from './manager.js';

/** Where egress decisions go in mcpd. */
export interface EgressSinks {
  log: Logger;
  /** A line in the tool's console (`tool:output`, attributed to the call in flight). */
  console: (sessionId: string, server: string, line: string) => void;
  audit: (entry: AuditRecord) => Promise<void>;
  /** The user a session belongs to (audit entries name one). */
  owner: (sessionId: string) => Promise<string | undefined>;
  /** Sessions that are not people's (the warm pool): daemon log only. */
  isInternal?: (sessionId: string) => boolean;
}

const GRANTABLE = new Set<string>(['not_allowed', 'port_not_allowed']);

/** One console line for a decision, written for the person watching the tool run (and the model reading it). */
export function formatDecision(d: EgressDecision): string {
  const where = d.host ? `${d.host}${d.port === undefined ? '' : `:${d.port}`}` : `port ${d.port ?? '?'}`;
  const reason = REASON_TEXT[d.reason as Reason] ?? d.reason;
  if (d.allowed && d.via === 'dns') return `[egress] lookup of ${where} answered by the gateway`;
  if (d.allowed) {
    const bytes = `${formatSize(d.bytesUp ?? 0)} up, ${formatSize(d.bytesDown ?? 0)} down`;
    return `[egress] allowed ${where} (${d.via}${d.address ? ` → ${d.address}` : ''}): ${bytes}, ${formatMs(d.durationMs ?? 0)}`;
  }
  const what = d.via === 'dns' ? `lookup of ${where}` : `${where} (${d.via}${d.address ? ` → ${d.address}` : ''})`;
  const hint =
    GRANTABLE.has(d.reason) && d.host
      ? ` — to allow it, add "${d.host}${d.reason === 'port_not_allowed' ? `:${d.port}` : ''}" to mcpServers.${d.server}.network.allow`
      : '';
  return `[egress] DENIED ${what}: ${reason}${hint}`;
}

/**
 * Routes gateway decisions: every one to the daemon log; connections (allowed or not) and refused lookups to the
 * audit stream and the session's tool console. Allowed lookups are only logged: the connection that follows says
 * the same, with bytes.
 */
export function egressReporter(sinks: EgressSinks): (d: EgressDecision) => void {
  return (d) => {
    const quiet = d.allowed && d.via === 'dns';
    const fields = { ...d };
    if (quiet) sinks.log.debug('egress decision', fields);
    else sinks.log.info('egress decision', fields);
    if (quiet || sinks.isInternal?.(d.sessionId)) return;
    sinks.console(d.sessionId, d.server, formatDecision(d));
    void (async () => {
      const user = (await sinks.owner(d.sessionId)) ?? '';
      const { sessionId, lease: _lease, ...rest } = d;
      await sinks.audit({ ts: Date.now(), sessionId, user, kind: 'egress', ...rest });
    })().catch((err: unknown) => sinks.log.error('egress audit failed', { err }));
  };
}
