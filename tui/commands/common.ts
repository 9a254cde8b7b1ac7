import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandIO } from '../../src/cli/io.js';

import { McpgwError } from '../../src/errors.js';
import { resolvePolicySpec } from '../../src/policy/index.js';
import type { SessionCreateRequest } from '../../src/protocol/requests.js';
import type { SessionInfo } from '../../src/protocol/session.js';
import type { DaemonClient } from '../client/client.js';
import { connectDaemon } from '../client/connect.js';

export interface GlobalOptions {
  config?: string;
  json?: boolean;
}

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

/** Turns `--auto-approve-policy` (a preset name or a file) into what `session:create` takes. */
export async function policyRequest(spec: string | undefined): Promise<SessionCreateRequest['policy']> {
  if (spec === undefined) return undefined;
  const resolved = resolvePolicySpec(spec);
  if (resolved.kind === 'invalid') throw new McpgwError('bad_request', resolved.message);
  if (resolved.kind === 'preset') return { preset: resolved.name };
  const text = await readFile(resolved.path, 'utf8').catch((err: unknown) => {
    throw new McpgwError('bad_request', `cannot read policy file ${resolved.path}: ${(err as Error).message}`);
  });
  return { name: path.basename(resolved.path), text };
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
