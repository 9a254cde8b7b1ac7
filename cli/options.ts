import type { Command } from 'commander';

/** The options every command may be given: `--config` (the program's) and `--json` (a command's own). */
export interface GlobalOptions {
  config?: string;
  json?: boolean;
}

/** The global options (`--config`, `--json`) merged with a command's own. */
export const globals = (command: Command): GlobalOptions => command.optsWithGlobals<GlobalOptions>();
