#!/usr/bin/env node
import { Command } from 'commander';
import { VERSION } from '../src/version.js';
import { registerChatCommand } from '../cli/register/chat.js';
import { registerDaemonCommands } from '../cli/register/daemon.js';
import { registerLocalCommands } from '../cli/register/local.js';
import { POLICY_HELP, registerSessionCommands } from '../cli/register/sessions.js';
import { registerWebCommand } from '../cli/register/web.js';

const program = new Command('mcpgw')
  .description('Chat with Gemini while every MCP tool runs in a locked-down Docker sandbox and nothing runs without approval.')
  .version(VERSION)
  .option('--config <file>', 'server catalog file (default: $MCPGW_CONFIG, else ~/.config/mcpgw/config.json)')
  .showHelpAfterError();

registerChatCommand(program, POLICY_HELP);
registerSessionCommands(program);
registerWebCommand(program);
registerDaemonCommands(program);
registerLocalCommands(program);

await program.parseAsync();
