import type { Command } from 'commander';
import { webOpen } from '../../tui/commands/web.js';
import { processIO } from '../io.js';
import { action, globals } from './action.js';

/** `mcpgw web`: the browser client's link (with a one-time code in its fragment), opened unless --print. */
export function registerWebCommand(program: Command): void {
  program
    .command('web')
    .description('open the web client (starts mcpd if needed)')
    .option('--print', 'only print the link (a one-time code, good for about a minute: do not share it)')
    .option('--json', 'machine-readable output')
    .action(action(async (o: { print?: boolean }, cmd: Command) => webOpen({ ...globals(cmd), print: Boolean(o.print) }, processIO)));
}
