import { McpgwError } from '../../src/errors.js';
import { policyWithLevel } from '../../src/policy/assess.js';
import type { SessionCreateRequest } from '../../src/protocol/requests.js';
import type { SessionInfo } from '../../src/protocol/session.js';
import { formatAge } from '../../src/text/table.js';
import type { ChatClient } from './connection.js';

/** Which session `mcpgw chat` opens: the latest one, a new one (and why), or one the user named. */
export type SessionTarget = { kind: 'resume' } | { kind: 'new' } | { kind: 'id'; id: string };

/** Finds or creates the session to open; a named one may be given by a unique prefix of its id. */
export async function pickSession(
  client: ChatClient,
  target: SessionTarget,
  create: SessionCreateRequest,
): Promise<{ info: SessionInfo; how: 'resumed' | 'created' }> {
  if (target.kind === 'id') {
    try {
      return { info: await client.request('session:get', { sessionId: target.id }), how: 'resumed' };
    } catch (err) {
      if (err instanceof McpgwError && err.code === 'not_found')
        throw new McpgwError('not_found', `no session "${target.id}" (mcpgw sessions ls lists yours)`);
      throw err;
    }
  }
  if (target.kind === 'resume') {
    const latest = latestOpen(await client.request('session:list', {}));
    if (latest) return { info: latest, how: 'resumed' };
  }
  return { info: await client.request('session:create', create), how: 'created' };
}

/** The most recently active session that has not ended. */
export function latestOpen(sessions: readonly SessionInfo[]): SessionInfo | undefined {
  return [...sessions].filter((s) => s.status !== 'ended').sort((a, b) => b.lastActive - a.lastActive)[0];
}

/** The line that introduces a session when it is opened. */
export function describeOpened(info: SessionInfo, how: 'resumed' | 'created' | 'switched', now = Date.now()): string {
  const title = info.title ? ` “${info.title}”` : '';
  const servers = info.servers.map((s) => s.name).join(', ') || 'no servers';
  if (how === 'created')
    return `New session ${info.id} · servers: ${servers} · model ${info.model} · policy ${policyWithLevel(info.policy, info.policyAssessment)}. Type a message, or /help.`;
  const age = formatAge(now - info.lastActive);
  return `${how === 'switched' ? 'Switched to' : 'Resumed'} session ${info.id}${title} · last active ${age === 'just now' ? age : `${age} ago`} · servers: ${servers}. /new starts a fresh one.`;
}
