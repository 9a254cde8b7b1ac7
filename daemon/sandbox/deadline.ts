import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { McpgwError } from '../../src/errors.js';

const TOTAL_TIMEOUT = 'Maximum total timeout exceeded';

/**
 * A call's total time limit, which progress does not extend. The SDK's own `maxTotalTimeout` is checked only when
 * progress arrives, so a server that goes quiet past the limit would keep the call until its per-call timeout; this
 * timer aborts the call on time either way.
 */
export class Deadline {
  readonly signal: AbortSignal;
  private readonly reached = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly ms: number,
    callerSignal?: AbortSignal,
  ) {
    this.timer = setTimeout(() => this.reached.abort(new McpError(ErrorCode.RequestTimeout, TOTAL_TIMEOUT)), ms);
    this.signal = callerSignal ? AbortSignal.any([callerSignal, this.reached.signal]) : this.reached.signal;
  }

  /** The error to throw for `err`: a "ran past its total limit" timeout when the limit is what ended the call. */
  explain(err: unknown, what: string): unknown {
    const cause = err instanceof McpgwError ? err.cause : err;
    const sdkSaysSo = cause instanceof McpError && cause.code === ErrorCode.RequestTimeout && cause.message.includes(TOTAL_TIMEOUT);
    if (!this.reached.signal.aborted && !sdkSaysSo) return err;
    return new McpgwError(
      'sandbox_timeout',
      `${what} ran past its total limit of ${(this.ms / 1000).toFixed(1)}s (progress does not extend it)`,
      {
        cause: err,
      },
    );
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}
