#!/usr/bin/env node
import { Command } from 'commander';
import { VERSION } from '../src/version.js';
import { imagesBuild, imagesList } from '../daemon/cli/images.js';
import { processIO, reportFailure } from '../daemon/cli/output.js';
import { serversList, serversTest } from '../daemon/cli/servers.js';

/** Runs a command body, turning any failure into one clear line and a documented exit code. */
function action<A extends unknown[]>(body: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args) => {
    const command = args[args.length - 1] as Command;
    try {
      process.exitCode = await body(...args);
    } catch (err) {
      process.exitCode = reportFailure(processIO, err, Boolean(command.optsWithGlobals().json));
    }
  };
}

type Opts = { config?: string; json?: boolean };
const globals = (command: Command): Opts => command.optsWithGlobals<Opts>();

const program = new Command('mcpgw')
  .description('Chat with Gemini while every MCP tool runs in a locked-down Docker sandbox.')
  .version(VERSION)
  .option('--config <file>', 'server catalog file (default: $MCPGW_CONFIG, else ~/.config/mcpgw/config.json)')
  .showHelpAfterError();

const servers = program.command('servers').description('configured MCP servers');
servers
  .command('ls')
  .description('list configured servers and how each is sandboxed')
  .option('--json', 'machine-readable output')
  .action(action(async (_opts: Opts, cmd: Command) => serversList(globals(cmd), processIO)));
servers
  .command('test')
  .description('start a server sandboxed, list its tools, optionally call one, and tear it down')
  .argument('<name>', 'server name')
  .option('--call <tool>', 'call this tool')
  .option('--args <json>', 'arguments for --call, as a JSON object')
  .option('--build', 'build the image first if it is missing')
  .option('--json', 'machine-readable output')
  .action(
    action(async (name: string, opts: { call?: string; args?: string; build?: boolean }, cmd: Command) =>
      serversTest(name, { ...globals(cmd), ...opts }, processIO),
    ),
  );

const images = program.command('images').description('sandbox images');
images
  .command('build')
  .description('build images for servers with a "build" recipe (cached by recipe hash)')
  .argument('[servers...]', 'servers to build (default: all with a recipe)')
  .option('--json', 'machine-readable output')
  .action(action(async (names: string[], _opts: Opts, cmd: Command) => imagesBuild(names, globals(cmd), processIO)));
images
  .command('ls')
  .description('list images mcpgw built')
  .option('--json', 'machine-readable output')
  .action(action(async (_opts: Opts, cmd: Command) => imagesList(globals(cmd), processIO)));

await program.parseAsync();
