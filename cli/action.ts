import type { Command } from 'commander';
import { reportFailure } from './io.js';
import type { GlobalOptions } from './options.js';
import { processIO } from './process-io.js';

/** Runs a command body, turning any failure into one clear line and a documented exit code. */
export function action<A extends unknown[]>(body: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args) => {
    const command = args[args.length - 1] as Command;
    try {
      process.exitCode = await body(...args);
    } catch (err) {
      process.exitCode = reportFailure(processIO, err, Boolean(command.optsWithGlobals<GlobalOptions>().json));
    }
  };
}
