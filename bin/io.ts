import type { CommandIO } from '../src/cli/io.js';

/** Commands write through this: one line per call, newline added when missing. */
export const processIO: CommandIO = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
};
