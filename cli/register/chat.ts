import type { Command } from 'commander';
import { splitList } from '../client/common.js';
import { action } from '../action.js';
import { globals } from '../options.js';

/** `mcpgw chat`: the Ink client, loaded only when asked for (React and Ink are the CLI's heaviest imports). */
export function registerChatCommand(program: Command, policyHelp: string): void {
  program
    .command('chat')
    .description('chat with Gemini; every tool call runs sandboxed and needs your approval (or your policy’s)')
    .option('--new', 'start a new session instead of resuming the latest')
    .option('--session <id>', 'open this session (id or unique prefix)')
    .option('--servers <a,b>', 'servers for a new session')
    .option('--model <model>', 'Gemini model for a new session')
    .option('--auto-approve-policy <policy>', policyHelp)
    .action(
      action(async (o: { new?: boolean; session?: string; servers?: string; model?: string; autoApprovePolicy?: string }, cmd: Command) => {
        const { runChat } = await import('../../tui/chat/run.js');
        const servers = splitList(o.servers);
        return runChat({
          ...globals(cmd),
          ...(o.new ? { new: true } : {}),
          ...(o.session ? { session: o.session } : {}),
          ...(servers ? { servers } : {}),
          ...(o.model ? { model: o.model } : {}),
          ...(o.autoApprovePolicy ? { policy: o.autoApprovePolicy } : {}),
        });
      }),
    );
}
