import type { Command } from 'commander';
import { tokenAdd } from '../../daemon/cli/token.js';
import { daemonLogs, daemonStart, daemonStatus, daemonStop } from '../../tui/commands/daemon.js';
import { processIO } from '../io.js';
import { action, globals } from './action.js';

/** `mcpgw daemon start|stop|status|logs|token`. */
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
}
