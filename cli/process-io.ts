import type { CommandIO } from './io.js';
import { safeProse } from '../src/text/sanitize.js';

/**
 * Commands write through this: one line per call, newline added when missing. It is where every CLI command meets
 * the terminal, so all output is made inert here (src/text/sanitize.ts): a server's or the model's text cannot drive
 * the terminal or hide in invisible characters, whichever command printed it. Commands still make one-line fields
 * (tool names in a status line, table cells) safe lines themselves, and write JSON with `jsonText`, which this pass
 * leaves as it is.
 */
export const processIO: CommandIO = {
  out: (text) => process.stdout.write(line(text)),
  err: (text) => process.stderr.write(line(text)),
  write: (text) => process.stdout.write(safeProse(text)),
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
};

function line(text: string): string {
  const safe = safeProse(text);
  return safe.endsWith('\n') ? safe : `${safe}\n`;
}
