import type { Command } from 'commander';
import { configImport } from '../local/config-import.js';
import { doctor } from '../local/doctor.js';
import { imagesBuild, imagesList } from '../local/images.js';
import { serversList, serversTest } from '../local/servers.js';
import { policyCheck, policyExplain, type PolicyExplainOptions } from '../local/policy.js';
import { IMPORT_CLIENTS } from '../../src/config/import.js';
import { processIO } from '../process-io.js';
import { action } from '../action.js';
import { globals } from '../options.js';

/** Commands that need no daemon: servers, images, policy. */
export function registerLocalCommands(program: Command): void {
  const servers = program.command('servers').description('configured MCP servers');
  servers
    .command('ls')
    .description('list configured servers and how each is sandboxed')
    .option('--json', 'machine-readable output')
    .action(action(async (_o: object, cmd: Command) => serversList(globals(cmd), processIO)));
  servers
    .command('test')
    .description('start a server sandboxed, list its tools, optionally call one, and tear it down')
    .argument('<name>', 'server name')
    .option('--call <tool>', 'call this tool')
    .option('--args <json>', 'arguments for --call, as a JSON object')
    .option('--build', 'build the image first if it is missing')
    .option('--json', 'machine-readable output')
    .action(
      action(async (name: string, o: { call?: string; args?: string; build?: boolean }, cmd: Command) =>
        serversTest(name, { ...globals(cmd), ...o }, processIO),
      ),
    );

  const images = program.command('images').description('sandbox images');
  images
    .command('build')
    .description('build images for servers with a "build" recipe (cached by recipe hash)')
    .argument('[servers...]', 'servers to build (default: all with a recipe)')
    .option('--json', 'machine-readable output')
    .action(action(async (names: string[], _o: object, cmd: Command) => imagesBuild(names, globals(cmd), processIO)));
  images
    .command('ls')
    .description('list images mcpgw built')
    .option('--json', 'machine-readable output')
    .action(action(async (_o: object, cmd: Command) => imagesList(globals(cmd), processIO)));

  const config = program.command('config').description("mcpgw's config file");
  config
    .command('import')
    .description("merge other MCP clients' servers into mcpgw's config (a backup is made first)")
    .option('--from <client|file>', `one of ${IMPORT_CLIENTS.join(', ')}, or a config file (default: every client found)`)
    .option('--dry-run', 'show what would change; write nothing')
    .option('--overwrite', 'replace servers of the same name that differ (default: keep yours)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (o: { from?: string; dryRun?: boolean; overwrite?: boolean }, cmd: Command) =>
        configImport({ ...globals(cmd), ...o }, processIO),
      ),
    );

  program
    .command('doctor')
    .description('check the engine, Redis, images, servers, secrets and disk; say how to fix what is wrong')
    .option('--json', 'machine-readable output')
    .action(action(async (_o: object, cmd: Command) => doctor(globals(cmd), processIO)));

  const policy = program.command('policy').description('tool-call policies');
  policy
    .command('check')
    .description('validate a policy file (YAML or JSON) and flag risky rules')
    .argument('<file>')
    .option('--json', 'machine-readable output')
    .action(action(async (file: string, _o: object, cmd: Command) => policyCheck(file, globals(cmd), processIO)));
  policy
    .command('explain')
    .description(
      'show what a policy decides for one call (or, with --host, one network request, or, with --sampling, one sampling request), and the rule that decided',
    )
    .option('--policy <spec>', 'a preset (ask, read-only, all) or a policy file', 'ask')
    .requiredOption('--server <server>', 'server name')
    .option('--tool <tool>', 'tool name')
    .option('--host <name[:port]>', "a name the server's sandbox asks for (explains the policy's egress rules)")
    .option('--args <json>', 'the call arguments, as a JSON object')
    .option('--annotations <json>', "the tool's annotations, e.g. '{\"readOnlyHint\":true}'")
    .option('--sampling', "explain the server's sampling request (sampling/createMessage) instead of a tool call")
    .option('--used-tokens <n>', 'with --sampling: tokens the server already used by sampling in the session', '0')
    .option('--max-tokens <n>', "with --sampling: the request's maxTokens", '1')
    .option('--json', 'machine-readable output')
    .action(action(async (o: PolicyExplainOptions, cmd: Command) => policyExplain({ ...globals(cmd), ...o }, processIO)));
}
