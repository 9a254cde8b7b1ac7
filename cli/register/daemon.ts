import type { Command } from 'commander';
import { tokenAdd, tokenList, tokenRevoke } from '../local/token.js';
import { daemonLogs, daemonStart, daemonStatus, daemonStop } from '../client/daemon.js';
import { processIO } from '../process-io.js';
import { action } from '../action.js';
import { globals } from '../options.js';

/** `mcpgw daemon start|stop|status|logs|token add|ls|revoke`. */
export function registerDaemonCommands(program: Command): void {
  const daemon = program.command('daemon').description('the mcpd daemon');
  daemon
    .command('start')
    .description('start mcpd in the background (or in this terminal with --foreground)')
    .option('--foreground', 'run in this terminal, logging to stderr')
    .action(action(async (o: { foreground?: boolean }, cmd: Command) => daemonStart({ ...globals(cmd), ...o }, processIO)));
  daemon
    .command('stop')
    .description('stop mcpd: running turns are cancelled and every sandbox is removed')
    .action(action(async (_o: object, cmd: Command) => daemonStop(globals(cmd), processIO)));
  daemon
    .command('status')
    .description('is mcpd running, where, and with how many sessions and containers')
    .option('--json', 'machine-readable output')
    .action(action(async (_o: object, cmd: Command) => daemonStatus(globals(cmd), processIO)));
  daemon
    .command('logs')
    .description("print mcpd's log")
    .option('-f, --follow', 'keep printing new lines')
    .option('-n, --lines <n>', 'how many lines to show', '50')
    .option('--json', 'raw JSON lines')
    .action(action(async (o: { follow?: boolean; lines?: string }, cmd: Command) => daemonLogs({ ...globals(cmd), ...o }, processIO)));
  const token = daemon.command('token').description('access tokens');
  token
    .command('add')
    .description('create a token for another user of this daemon')
    .argument('<user>')
    .action(action(async (user: string) => tokenAdd(user, processIO)));
  token
    .command('ls')
    .description('list tokens and browser sessions: user, id, created (never the token itself)')
    .option('--json', 'machine-readable output')
    .action(action(async (_o: object, cmd: Command) => tokenList(globals(cmd), processIO)));
  token
    .command('revoke')
    .description("revoke a user's tokens (or one by --id): mcpd disconnects their sockets at once")
    .argument('[user]')
    .option('--id <id>', 'the token id shown by `token ls`')
    .option('--json', 'machine-readable output')
    .action(
      action(async (user: string | undefined, o: { id?: string }, cmd: Command) => tokenRevoke(user, { ...globals(cmd), ...o }, processIO)),
    );
}
