import type { SessionInfo } from '../../src/protocol/session.js';
import { findAttachment } from '../../src/view/attachments.js';
import { formatAge } from '../../src/text/table.js';
import { assertNever } from '../../src/policy/never.js';
import type { Command } from './commands.js';
import { HELP, KEYS } from './commands.js';
import type { ChatController } from './controller.js';
import { runContentCommand } from './content-runner.js';
import { writeAttachment } from './open.js';

const LOG_LINES = 20;

/** Runs one slash command against the controller; errors are the caller's to show. */
export async function runCommand(chat: ChatController, command: Command): Promise<void> {
  const view = chat.getSnapshot().view;
  switch (command.name) {
    case 'help':
      chat.note('info', 'Commands', { headers: ['COMMAND', 'WHAT IT DOES'], rows: HELP.map(([c, d]) => [c, d]) });
      chat.note('info', 'Keys', { headers: ['KEY', 'WHAT IT DOES'], rows: KEYS.map(([k, d]) => [k, d]) });
      return;
    case 'quit':
      return chat.quit();
    case 'console':
      return chat.toggleConsole();
    case 'cancel':
      return chat.cancel();
    case 'log': {
      const lines = view?.serverLog.slice(-LOG_LINES) ?? [];
      chat.note('info', `Sandbox output not tied to a call (last ${lines.length})`, {
        headers: ['SERVER', 'STREAM', 'LINE'],
        rows: lines.map((l) => [l.server, l.stream, l.text]),
      });
      return;
    }
    case 'open': {
      const found = view && findAttachment(view, command.n);
      if (!found) return chat.note('error', `There is no attachment ${command.n} in this session.`);
      // Media too large for their event are held by mcpd: fetched now, checked again before they are written.
      const attachment =
        found.kind === 'media' && found.item.data === undefined
          ? {
              ...found,
              item: {
                ...found.item,
                data: (await chat.client().request('tools:media', { sessionId: view.sessionId, callId: found.callId, item: found.index }))
                  .data,
              },
            }
          : found;
      const file = await writeAttachment(attachment);
      const what = attachment.kind === 'media' ? attachment.item.mimeType : 'text';
      chat.note(
        'info',
        `Attachment ${command.n} (${what}, from ${attachment.server}.${attachment.tool}) saved to ${file} (only you can read it). Nothing opened it.`,
      );
      return;
    }
    case 'sessions': {
      const sessions = await chat.client().request('session:list', {});
      chat.note('info', `Your sessions (${sessions.length})`, sessionsTable(sessions, view?.sessionId));
      return;
    }
    case 'new':
      return chat.open(await chat.client().request('session:create', chat.create), 'created');
    case 'switch': {
      const info = await chat.client().request('session:get', { sessionId: command.id });
      if (info.id === view?.sessionId) return chat.note('muted', `Already in session ${info.id}.`);
      return chat.open(info, 'switched');
    }
    case 'servers': {
      const servers = await chat.client().request('servers:list', {});
      const states = new Map(view?.session?.servers.map((s) => [s.name, s.runtime ? `${s.state} (${s.runtime})` : s.state]));
      const rows = servers.map((s) => [
        s.name,
        s.available ? (s.disabled ? 'disabled' : (states.get(s.name) ?? 'not in this session')) : 'unavailable',
        s.loosened?.length ? `LOOSENED: ${s.loosened.join(', ')}` : s.network,
        // An unavailable server has no image to show; why it cannot run is what the user needs (the widest column).
        s.available ? s.image : `why: ${s.reason ?? 'unknown'}`,
      ]);
      chat.note('info', `Servers (${servers.length})`, { headers: ['SERVER', 'IN THIS SESSION', 'NETWORK / LOOSENED', 'IMAGE'], rows });
      return;
    }
    case 'call': {
      if (!view) return;
      const result = await chat
        .client()
        .request('tools:call', { sessionId: view.sessionId, server: command.server, tool: command.tool, args: command.args });
      if (!result.ok) chat.note('warn', `${command.server}.${command.tool} reported an error (the model will be told on its next turn).`);
      return;
    }
    case 'resources':
    case 'read':
    case 'attach':
    case 'subscribe':
    case 'prompts':
    case 'prompt':
    case 'loglevel':
      return runContentCommand(chat, command);
    default:
      return assertNever(command);
  }
}

/** The rows of `/sessions`: the current one marked, newest activity first. */
export function sessionsTable(
  sessions: readonly SessionInfo[],
  current: string | undefined,
  now = Date.now(),
): { headers: string[]; rows: string[][] } {
  const rows = [...sessions]
    .sort((a, b) => b.lastActive - a.lastActive)
    .map((s) => [
      s.id === current ? '●' : '',
      s.id,
      s.title || '(untitled)',
      s.status + (s.busy ? ', busy' : ''),
      s.servers.map((x) => x.name).join(','),
      formatAge(now - s.lastActive),
      s.pendingApprovals > 0 ? String(s.pendingApprovals) : '',
    ]);
  return { headers: ['', 'ID', 'TITLE', 'STATUS', 'SERVERS', 'ACTIVE', 'APPROVALS'], rows };
}
