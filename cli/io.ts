import { McpgwError, errorMessage } from '../src/errors.js';
import { EXIT, exitCodeFor } from '../src/exit-codes.js';
import { jsonText } from '../src/text/safe-json.js';

/** Where a command writes: injected so tests capture output instead of spying on process streams. */
export interface CommandIO {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Writes text as it is, without adding a newline (streamed answers); `out` is used when absent. */
  write?: ((text: string) => void) | undefined;
  /** The terminal's width when output goes to one; undefined when piped (tables are then never cut). */
  columns?: number | undefined;
}

/** Prints one clear line for a failed command (no stack) and returns the exit code to use. */
export function reportFailure(io: CommandIO, err: unknown, json = false): number {
  const code = err instanceof McpgwError ? err.code : 'internal';
  const message = errorMessage(err);
  if (json) io.out(jsonText({ ok: false, error: { code, message } }));
  else io.err(`mcpgw: ${message}`);
  return err instanceof McpgwError ? exitCodeFor(err.code) : EXIT.failure;
}
