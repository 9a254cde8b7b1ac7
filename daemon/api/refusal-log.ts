import type { Logger } from '../logger.js';

/**
 * Logs what unauthenticated clients cause (refused tokens, unknown codes) without letting them fill the log: the
 * first `perWindow` refusals of each window are logged in full, the rest only counted, and the count is logged as
 * one summary line when the next window starts (or at close). A flood thus costs at most perWindow + 1 lines a window.
 */
export class RefusalLog {
  private windowStart: number;
  private logged = 0;
  private suppressed = 0;

  constructor(
    private readonly log: Logger,
    private readonly opts: { perWindow?: number; windowMs?: number; now?: () => number } = {},
  ) {
    this.windowStart = this.now();
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Records one refusal. */
  note(msg: string, fields: Record<string, unknown> = {}): void {
    if (this.now() - this.windowStart >= (this.opts.windowMs ?? 60_000)) this.flush();
    if (this.logged < (this.opts.perWindow ?? 10)) {
      this.logged++;
      this.log.warn(msg, fields);
    } else {
      this.suppressed++;
    }
  }

  /** Logs the count of refusals not logged in the window so far, and starts a new window. */
  flush(): void {
    if (this.suppressed > 0) {
      this.log.warn('more refused requests, not logged one by one', {
        count: this.suppressed,
        windowSeconds: Math.round((this.now() - this.windowStart) / 1000),
      });
    }
    this.windowStart = this.now();
    this.logged = 0;
    this.suppressed = 0;
  }
}
