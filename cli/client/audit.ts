import type { CommandIO } from '../io.js';
import type { AuditRecord } from '../../src/protocol/session.js';
import { jsonText } from '../../src/text/safe-json.js';
import { formatTable } from '../../src/text/table.js';
import { withClient } from './common.js';
import type { GlobalOptions } from '../options.js';

/** `mcpgw audit [--session ID] [-n N]`: policy decisions, approvals and tool outcomes, oldest first. */
export async function auditList(opts: GlobalOptions & { session?: string; lines?: string }, io: CommandIO): Promise<number> {
  const count = Number(opts.lines ?? 200);
  const entries = await withClient(opts, io, (c) =>
    c.request('audit:list', { ...(opts.session ? { sessionId: opts.session } : {}), count }),
  );
  if (opts.json) {
    for (const e of entries) io.out(jsonText(e));
    return 0;
  }
  if (entries.length === 0) {
    io.out('No audit entries.');
    return 0;
  }
  io.out(
    formatTable(
      ['TIME', 'SESSION', 'USER', 'KIND', 'WHAT'],
      entries.map((e) => [new Date(e.ts).toISOString().replace('T', ' ').slice(0, 19), e.sessionId, e.user, e.kind, describe(e)]),
      { maxWidth: io.columns },
    ),
  );
  return 0;
}

/** A sampling entry: which checkpoint, what was decided and by whom, and the tokens the model used. */
function describeSamplingAudit(e: AuditRecord): string {
  const decided = e.decision === undefined ? '' : ` → ${String(e.decision)} by ${String(e.by)}`;
  const tokens = e.tokens === undefined ? '' : ` ${String(e.tokens)} tokens (${String(e.used)} this session)`;
  return `${String(e.server)} sampling ${String(e.step)}${decided}${tokens}${e.reason ? `: ${String(e.reason)}` : ''}`;
}

function describe(e: AuditRecord): string {
  const call = e.server ? `${String(e.server)}/${String(e.tool)}` : '';
  switch (e.kind) {
    case 'policy':
      return `${call} → ${String(e.decision)} (${String(e.reason)})`;
    case 'approval':
      return `${call} → ${String(e.decision)}${e.scope === 'session' ? ' for the session' : ''} by ${String(e.by)}${e.reason ? `: ${String(e.reason)}` : ''}`;
    case 'tool':
      return `${call} ${String(e.outcome)} in ${String(e.durationMs)} ms (${String(e.origin)})`;
    case 'tool_changed':
      return `${call} CHANGED since pinned (${Array.isArray(e.fields) ? e.fields.join(', ') : '?'}): the next call asks again`;
    case 'session':
      return `${String(e.action)}${e.reason ? `: ${String(e.reason)}` : ''}`;
    case 'egress':
      return `${String(e.server)} → ${String(e.host ?? '?')}${e.port === undefined ? '' : `:${String(e.port)}`} ${e.allowed ? 'allowed' : 'DENIED'} (${String(e.via)}, ${String(e.reason)})`;
    case 'egress_grant':
      return `${String(e.server)} → ${String(e.host)}${e.port === undefined ? '' : `:${String(e.port)}`} ${e.decision === 'deny' ? 'NOT GRANTED' : `granted ${String(e.decision)}`} by ${String(e.by)}${e.reason ? `: ${String(e.reason)}` : ''}`;
    case 'elicitation':
      return `${String(e.server)} asked (${String(e.mode)}${e.host ? ` ${String(e.host)}` : ''}) → ${String(e.action)} by ${String(e.by)}`;
    case 'sampling':
      return describeSamplingAudit(e);
  }
}
