import type { Command } from 'commander';
import { webOpen } from '../client/web.js';
import { processIO } from '../process-io.js';
import { action } from '../action.js';
import { globals } from '../options.js';

/** `mcpgw web`: the browser client's link (with a one-time code in its fragment), opened unless --print. */
export function registerWebCommand(program: Command): void {
  program
    .command('web')
    .description('open the web client (starts mcpd if needed)')
    .option('--print', 'only print the link (a one-time code, good for about a minute: do not share it)')
    .option('--json', 'machine-readable output')
    .action(action(async (o: { print?: boolean }, cmd: Command) => webOpen({ ...globals(cmd), print: Boolean(o.print) }, processIO)));
}
