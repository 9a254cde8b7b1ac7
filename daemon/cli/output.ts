import { McpgwError, errorMessage } from '../../src/errors.js';
import { exitCodeFor, EXIT } from '../../src/exit-codes.js';

/** Where a command writes: injected so tests capture output instead of spying on process streams. */
export interface CommandIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processIO: CommandIO = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Prints one clear line for a failed command (no stack) and returns the exit code to use. */
export function reportFailure(io: CommandIO, err: unknown, json = false): number {
  const code = err instanceof McpgwError ? err.code : 'internal';
  const message = errorMessage(err);
  if (json) io.out(JSON.stringify({ ok: false, error: { code, message } }));
  else io.err(`mcpgw: ${message}`);
  return err instanceof McpgwError ? exitCodeFor(err.code) : EXIT.failure;
}
