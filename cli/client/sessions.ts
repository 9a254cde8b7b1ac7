import type { CommandIO } from '../io.js';
import { McpgwError } from '../../src/errors.js';
import type { SessionEvent } from '../../src/protocol/events.js';
import { SESSION_EVENT_NAMES } from '../../src/protocol/events.js';
import { policyWithLevel } from '../../src/policy/assess.js';
import type { SessionInfo } from '../../src/protocol/session.js';
import { jsonText } from '../../src/text/safe-json.js';
import { safeLine } from '../../src/text/sanitize.js';
import { formatAge, formatAgo, formatTable } from '../../src/text/table.js';
import { policyRequest } from '../../tui/client/policy.js';
import { splitList, withClient } from './common.js';
import type { GlobalOptions } from '../options.js';

/** `mcpgw sessions new`. */
export async function sessionsNew(
  opts: GlobalOptions & { servers?: string; autoApprovePolicy?: string; model?: string; title?: string },
  io: CommandIO,
): Promise<number> {
  const policy = await policyRequest(opts.autoApprovePolicy);
  const session = await withClient(opts, io, (c) =>
    c.request('session:create', {
      ...(opts.servers ? { servers: splitList(opts.servers) } : {}),
      ...(policy ? { policy } : {}),
      ...(opts.model ? { model: opts.model } : {}),
      ...(opts.title ? { title: opts.title } : {}),
    }),
  );
  if (opts.json) io.out(jsonText(session, 2));
  else
    io.out(
      `${session.id}  (servers: ${session.servers.map((s) => s.name).join(', ') || 'none'}; policy: ${policyWithLevel(session.policy, session.policyAssessment)}; model: ${session.model})`,
    );
  return 0;
}

/** `mcpgw sessions ls`. */
export async function sessionsList(opts: GlobalOptions & { all?: boolean }, io: CommandIO): Promise<number> {
  const sessions = (await withClient(opts, io, (c) => c.request('session:list', {}))).filter((s) => opts.all || s.status !== 'ended');
  if (opts.json) {
    io.out(jsonText(sessions, 2));
    return 0;
  }
  if (sessions.length === 0) {
    io.out(opts.all ? 'No sessions.' : 'No live sessions (--all shows ended ones). Start one with: mcpgw chat');
    return 0;
  }
  io.out(
    formatTable(['ID', 'STATUS', 'SERVERS', 'AGE', 'ACTIVE', 'APPROVALS', 'OWNER', 'TITLE'], sessions.map(sessionRow), {
      maxWidth: io.columns,
    }),
  );
  return 0;
}

/** One table row of a session: used by `sessions ls` and the chat's /sessions. */
export function sessionRow(s: SessionInfo): string[] {
  const now = Date.now();
  return [
    s.id,
    s.busy ? `${s.status}*` : s.status,
    s.servers.map((x) => `${x.name}:${x.state}`).join(' ') || '-',
    formatAge(now - s.createdAt),
    formatAgo(now - s.lastActive),
    String(s.pendingApprovals),
    s.owner,
    s.title || '-',
  ];
}

/** `mcpgw sessions show ID`: the session and its conversation, read from the event log. */
export async function sessionsShow(id: string, opts: GlobalOptions, io: CommandIO): Promise<number> {
  const { session, events, truncated } = await withClient(opts, io, async (c) => {
    const collected: SessionEvent[] = [];
    const record = (e: SessionEvent): void => void collected.push(e);
    for (const name of SESSION_EVENT_NAMES) c.socket.on(name, record as never);
    const attached = await c.request('session:attach', { sessionId: id });
    await c.request('session:detach', { sessionId: attached.session.id });
    return { session: attached.session, events: collected, truncated: attached.truncated };
  });
  if (opts.json) {
    io.out(jsonText({ session, events }, 2));
    return 0;
  }
  io.out(
    [
      `session  ${session.id}${session.title ? `  "${safeLine(session.title)}"` : ''}`,
      `status   ${session.status}${session.busy ? ' (a turn is running)' : ''}, owner ${session.owner}`,
      `model    ${session.model}, policy ${policyWithLevel(session.policy, session.policyAssessment)}`,
      `servers  ${session.servers.map((s) => `${s.name} (${s.state})`).join(', ') || 'none'}`,
      `created  ${new Date(session.createdAt).toISOString()}, last active ${formatAgo(Date.now() - session.lastActive)}`,
      `pending approvals ${session.pendingApprovals}, events ${session.lastSeq}`,
      '',
      ...(truncated ? ['(older events are no longer in mcpd’s log)'] : []),
      ...transcript(events),
    ].join('\n'),
  );
  return 0;
}

/**
 * A readable transcript: user messages, final answers, and tool calls with their outcome. Messages and answers keep
 * their lines (the CLI's output boundary makes them inert); the indented lines about calls are one safe line each.
 */
export function transcript(events: SessionEvent[]): string[] {
  const lines: string[] = [];
  for (const e of events) {
    if (e.type === 'user:message') lines.push(`> ${e.from}: ${e.text}`);
    else if (e.type === 'agent:response' && e.done && e.text) lines.push(`assistant: ${e.text}`);
    else if (e.type === 'tool:started') lines.push(`  tool ${safeLine(`${e.server}/${e.tool} ${JSON.stringify(e.args)}`)} (${e.origin})`);
    else if (e.type === 'tool:decided' && e.decision === 'deny') lines.push(`  denied${e.reason ? `: ${safeLine(e.reason)}` : ''}`);
    else if (e.type === 'question:answered' && e.answer.kind === 'tool_approval' && e.answer.decision === 'deny')
      lines.push(`  denied${e.answer.reason ? `: ${safeLine(e.answer.reason)}` : ''}`);
    else if (e.type === 'tool:result')
      lines.push(`  ${e.ok ? 'ok' : 'failed'} in ${e.durationMs} ms: ${safeLine(e.summary.split('\n')[0] ?? '')}`);
    else if (e.type === 'error') lines.push(`  error: ${safeLine(e.message)}`);
  }
  return lines.length > 0 ? lines : ['(no messages yet)'];
}

/** `mcpgw sessions kill ID | --all`. */
export async function sessionsKill(id: string | undefined, opts: GlobalOptions & { all?: boolean }, io: CommandIO): Promise<number> {
  if (!id && !opts.all) throw new McpgwError('bad_request', 'give a session id, or --all');
  const killed = await withClient(opts, io, async (c) => {
    const targets = id ? [id] : (await c.request('session:list', {})).filter((s) => s.status !== 'ended').map((s) => s.id);
    const done: SessionInfo[] = [];
    for (const target of targets) done.push(await c.request('session:kill', { sessionId: target }));
    return done;
  });
  if (opts.json) io.out(jsonText(killed, 2));
  else io.out(killed.length === 0 ? 'No live sessions.' : killed.map((s) => `ended ${s.id}`).join('\n'));
  return 0;
}
