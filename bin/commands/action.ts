import type { Command } from 'commander';
import { reportFailure } from '../../src/cli/io.js';
import { processIO } from '../io.js';

export type Globals = { config?: string; json?: boolean };

/** The global options (`--config`, `--json`) merged with a command's own. */
export const globals = (command: Command): Globals => command.optsWithGlobals<Globals>();

/** Runs a command body, turning any failure into one clear line and a documented exit code. */
export function action<A extends unknown[]>(body: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args) => {
    const command = args[args.length - 1] as Command;
    try {
      process.exitCode = await body(...args);
    } catch (err) {
      process.exitCode = reportFailure(processIO, err, Boolean(command.optsWithGlobals().json));
    }
  };
}
