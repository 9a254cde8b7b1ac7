import type { Command } from 'commander';
import { auditList } from '../client/audit.js';
import { runPrompt } from '../client/run.js';
import { sessionsKill, sessionsList, sessionsNew, sessionsShow } from '../client/sessions.js';
import { toolsCall, toolsPins, toolsList } from '../client/tools.js';
import { policyPreset, PRESET_NAMES } from '../../src/policy/presets.js';
import { processIO } from '../process-io.js';
import { action } from '../action.js';
import { globals } from '../options.js';

// Each preset with what it trusts, so `--help` says that read-only rests on the servers' own claims.
export const POLICY_HELP = `who decides tool calls: a policy file, or a preset: ${PRESET_NAMES.map((name) => `${name} — ${policyPreset(name).description}`).join('; ')}`;

/** Commands served by mcpd (started on demand): sessions, tools, run, audit. */
export function registerSessionCommands(program: Command): void {
  const sessions = program.command('sessions').description('chat sessions held by mcpd');
  sessions
    .command('new')
    .description('create a session')
    .option('--servers <a,b>', 'servers the session may use (default: all enabled)')
    .option('--auto-approve-policy <policy>', POLICY_HELP)
    .option('--model <model>', 'Gemini model')
    .option('--title <title>', 'a title')
    .option('--json', 'machine-readable output')
    .action(action(async (o: object, cmd: Command) => sessionsNew({ ...globals(cmd), ...o }, processIO)));
  sessions
    .command('ls')
    .description('list your sessions')
    .option('--all', 'include ended sessions')
    .option('--json', 'machine-readable output')
    .action(action(async (o: { all?: boolean }, cmd: Command) => sessionsList({ ...globals(cmd), ...o }, processIO)));
  sessions
    .command('show')
    .description('a session and its conversation')
    .argument('<id>', 'session id (or a unique prefix)')
    .option('--json', 'machine-readable output')
    .action(action(async (id: string, _o: object, cmd: Command) => sessionsShow(id, globals(cmd), processIO)));
  sessions
    .command('kill')
    .description('end a session: cancel its turn and remove its containers')
    .argument('[id]', 'session id (or a unique prefix)')
    .option('--all', 'every live session of yours')
    .option('--json', 'machine-readable output')
    .action(
      action(async (id: string | undefined, o: { all?: boolean }, cmd: Command) => sessionsKill(id, { ...globals(cmd), ...o }, processIO)),
    );

  const tools = program.command('tools').description('tools of a session');
  tools
    .command('ls')
    .description("list a session's tools (default: your most recent session)")
    .option('--session <id>', 'session id')
    .option('--json', 'machine-readable output')
    .action(action(async (o: { session?: string }, cmd: Command) => toolsList({ ...globals(cmd), ...o }, processIO)));
  tools
    .command('pins')
    .description('the tool definitions a session pinned, and which changed since (default: your most recent session)')
    .option('--session <id>', 'session id')
    .option('--json', 'machine-readable output')
    .action(action(async (o: { session?: string }, cmd: Command) => toolsPins({ ...globals(cmd), ...o }, processIO)));
  tools
    .command('call')
    .description('call a tool yourself (recorded in the session and audited)')
    .argument('<server>')
    .argument('<tool>')
    .option('--args <json>', 'arguments as a JSON object')
    .option('--session <id>', 'session id (default: your most recent session)')
    .option('--json', 'machine-readable output')
    .action(
      action(async (server: string, tool: string, o: { args?: string; session?: string }, cmd: Command) =>
        toolsCall(server, tool, { ...globals(cmd), ...o }, processIO),
      ),
    );

  program
    .command('run')
    .description('one prompt, headless: stream the answer (calls needing a human are denied unless --wait-for-approval)')
    .argument('<prompt>')
    .option('--servers <a,b>', 'servers the session may use')
    .option('--session <id>', 'continue this session instead of creating one')
    .option('--auto-approve-policy <policy>', POLICY_HELP)
    .option('--wait-for-approval', 'wait for a human to answer approvals in another client')
    .option('--model <model>', 'Gemini model')
    .option('--json', 'every event as a JSON line')
    .action(action(async (prompt: string, o: object, cmd: Command) => runPrompt(prompt, { ...globals(cmd), ...o }, processIO)));

  program
    .command('audit')
    .description('policy decisions, approvals and tool outcomes')
    .option('--session <id>', 'only this session')
    .option('-n, --lines <n>', 'how many entries', '200')
    .option('--json', 'JSON lines')
    .action(action(async (o: { session?: string; lines?: string }, cmd: Command) => auditList({ ...globals(cmd), ...o }, processIO)));
}
