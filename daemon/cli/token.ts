import { homedir } from 'node:os';
import type { CommandIO } from '../../src/cli/io.js';
import { McpgwError } from '../../src/errors.js';
import { resolvePaths } from '../../src/paths.js';
import { TokenStore } from '../state/tokens.js';

/** `mcpgw daemon token add USER`: a token for another user of this daemon (printed once; only its hash is kept). */
export async function tokenAdd(user: string, io: CommandIO): Promise<number> {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(user)) throw new McpgwError('bad_request', 'user names use letters, digits, ".", "_" and "-"');
  const tokens = await TokenStore.open(resolvePaths(process.env, homedir()).stateDir);
  io.out(await tokens.create(user));
  io.err(`token for ${user} created; give it to them as MCPGW_TOKEN. It is not stored in clear and cannot be shown again.`);
  return 0;
}
