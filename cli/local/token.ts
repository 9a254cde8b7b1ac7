import { homedir } from 'node:os';
import type { CommandIO } from '../io.js';
import type { GlobalOptions } from '../options.js';
import { McpgwError } from '../../src/errors.js';
import { resolvePaths } from '../../src/paths.js';
import { formatTable } from '../../src/text/table.js';
import { listWebSessions } from '../../daemon/state/credentials.js';
import { TokenStore } from '../../daemon/state/tokens.js';

const USER_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const stateDir = (): string => resolvePaths(process.env, homedir()).stateDir;

/** `mcpgw daemon token add USER`: a token for another user of this daemon (printed once; only its hash is kept). */
export async function tokenAdd(user: string, io: CommandIO): Promise<number> {
  if (!USER_NAME.test(user)) throw new McpgwError('bad_request', 'user names use letters, digits, ".", "_" and "-"');
  const tokens = await TokenStore.open(stateDir());
  io.out(await tokens.create(user));
  io.err(`token for ${user} created; give it to them as MCPGW_TOKEN. It is not stored in clear and cannot be shown again.`);
  return 0;
}

/**
 * `mcpgw daemon token ls [--json]`: who holds a token (user, id, created) and the browser credentials derived from
 * them. Never a token's value: the id is a fingerprint, good for `revoke --id` and nothing else.
 */
export async function tokenList(opts: GlobalOptions, io: CommandIO): Promise<number> {
  const dir = stateDir();
  const tokens = (await TokenStore.open(dir)).list();
  const live = new Set(tokens.map((t) => t.id));
  const web = listWebSessions(dir).filter((w) => live.has(w.parentId));
  if (opts.json) {
    io.out(JSON.stringify({ tokens, web }, null, 2));
    return 0;
  }
  const when = (ts: number | undefined): string => (ts === undefined ? 'unknown' : new Date(ts).toISOString().replace(/\.\d+Z$/, 'Z'));
  const rows = [
    ...tokens.map((t) => [t.user, t.id, t.owner ? 'token (owner, state dir)' : 'token', when(t.createdAt), '-']),
    ...web.map((w) => [w.user, w.id, `browser (from ${w.parentId})`, when(w.createdAt), when(w.expiresAt)]),
  ];
  io.out(formatTable(['USER', 'ID', 'KIND', 'CREATED', 'EXPIRES'], rows, { maxWidth: io.columns }));
  return 0;
}

/**
 * `mcpgw daemon token revoke USER | --id ID`: removes the token(s); a running mcpd notices at once, disconnects the
 * sockets that used them and every browser credential derived from them. Revoking the owner's token rotates it
 * (local clients read the new one from the state dir).
 */
export async function tokenRevoke(user: string | undefined, opts: GlobalOptions & { id?: string }, io: CommandIO): Promise<number> {
  if ((user === undefined) === (opts.id === undefined))
    throw new McpgwError('bad_request', 'give a USER or --id ID (from mcpgw daemon token ls)');
  if (user !== undefined && !USER_NAME.test(user)) throw new McpgwError('bad_request', 'user names use letters, digits, ".", "_" and "-"');
  const dir = stateDir();
  const tokens = await TokenStore.open(dir);
  const removed = tokens.revoke(user !== undefined ? { user } : { id: opts.id ?? '' });
  if (removed.length === 0)
    throw new McpgwError('not_found', user !== undefined ? `no token for user "${user}"` : `no token with id ${opts.id}`);
  // Reopening creates a fresh owner token when the owner's was among those revoked.
  const rotated = removed.some((t) => t.owner);
  if (rotated) await TokenStore.open(dir);
  if (opts.json) {
    io.out(JSON.stringify({ revoked: removed.map(({ id, user: u }) => ({ id, user: u })), ownerTokenRotated: rotated }, null, 2));
    return 0;
  }
  for (const t of removed) io.out(`revoked ${t.user}'s token ${t.id}`);
  io.err('A running mcpd disconnects the sockets (and browser sessions) that used them now.');
  if (rotated)
    io.err(
      `The owner's token was rotated: local clients read the new one from ${tokens.ownTokenFile}; copies in MCPGW_TOKEN stop working.`,
    );
  return 0;
}
