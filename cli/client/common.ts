import type { CommandIO } from '../io.js';
import type { GlobalOptions } from '../options.js';
import type { SessionCreateRequest } from '../../src/protocol/requests.js';
import type { SessionInfo } from '../../src/protocol/session.js';
import type { DaemonClient } from '../../tui/client/client.js';
import { connectDaemon } from '../../tui/client/connect.js';

/** Runs `body` with a connected client (starting mcpd if needed) and always disconnects. */
export async function withClient<T>(opts: GlobalOptions, io: CommandIO, body: (client: DaemonClient) => Promise<T>): Promise<T> {
  const client = await connectDaemon({
    autoStart: true,
    config: opts.config,
    onStarting: () => {
      if (!opts.json) io.err('mcpd is not running; starting it…');
    },
  });
  try {
    return await body(client);
  } finally {
    client.close();
  }
}

/** Splits "a,b" into server names. */
export function splitList(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

/** The session to use: the one named, else the most recently active live one, else a new one. */
export async function resolveSession(
  client: DaemonClient,
  id: string | undefined,
  io: CommandIO,
  create: SessionCreateRequest = {},
): Promise<SessionInfo> {
  if (id) return client.request('session:get', { sessionId: id });
  const live = (await client.request('session:list', {})).filter((s) => s.status !== 'ended').sort((a, b) => b.lastActive - a.lastActive);
  if (live[0]) return live[0];
  const created = await client.request('session:create', create);
  io.err(`created session ${created.id}`);
  return created;
}
