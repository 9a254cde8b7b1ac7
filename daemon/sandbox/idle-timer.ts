import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * A call's per-call timeout: restarted by progress, and stopped while the server waits for a person (an elicitation
 * or sampling request it sent during the call), so a person reading it is not a server gone quiet. The total limit
 * (Deadline) still runs whatever happens here. It aborts with the SDK's own timeout error, so a timeout reads the same.
 */
export class IdleTimer {
  /** Aborted when this timer fires or `outer` aborts. Kept on the object (an unreferenced AbortSignal.any can be collected). */
  readonly signal: AbortSignal;
  private readonly fired = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private holds = 0;
  private stopped = false;

  constructor(
    private readonly ms: number,
    outer?: AbortSignal,
  ) {
    this.signal = outer ? AbortSignal.any([outer, this.fired.signal]) : this.fired.signal;
    this.start();
  }

  /** Progress: the server is alive, the timeout starts again. */
  restart(): void {
    if (this.holds === 0) this.start();
  }

  /** Stops the clock until the returned function is called (each hold once; the clock restarts when none is left). */
  hold(): () => void {
    this.holds++;
    clearTimeout(this.timer);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      if (this.holds === 0) this.start();
    };
  }

  clear(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private start(): void {
    clearTimeout(this.timer);
    if (this.stopped || this.fired.signal.aborted) return;
    this.timer = setTimeout(() => this.fired.abort(new McpError(ErrorCode.RequestTimeout, 'Request timed out')), this.ms);
    this.timer.unref();
  }
}
