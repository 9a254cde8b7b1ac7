import { McpgwError } from '../../src/errors.js';

/** A counting semaphore with a FIFO queue; `acquire` can give up after a timeout or an abort. */
export class Semaphore {
  private available: number;
  private readonly waiters: Array<{ grant: () => void; reject: (err: Error) => void }> = [];

  constructor(readonly capacity: number) {
    this.available = capacity;
  }

  get inUse(): number {
    return this.capacity - this.available;
  }

  get queued(): number {
    return this.waiters.length;
  }

  /** Waits for a permit; the returned function gives it back (once). */
  async acquire(options: { timeoutMs?: number; signal?: AbortSignal; what?: string } = {}): Promise<() => void> {
    if (this.available > 0 && this.waiters.length === 0) {
      this.available--;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          cleanup();
          resolve();
        },
        reject: (err: Error) => {
          cleanup();
          reject(err);
        },
      };
      const drop = (err: Error): void => {
        const index = this.waiters.indexOf(waiter);
        if (index !== -1) this.waiters.splice(index, 1);
        waiter.reject(err);
      };
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(
              () =>
                drop(
                  new McpgwError(
                    'capacity',
                    `${options.what ?? 'request'} waited ${Math.round(options.timeoutMs! / 1000)}s for capacity (${this.capacity} in use)`,
                  ),
                ),
              options.timeoutMs,
            );
      timer?.unref();
      const onAbort = (): void => drop(new McpgwError('cancelled', `${options.what ?? 'request'} was cancelled while queued`));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      this.waiters.push(waiter);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next.grant();
      else this.available++;
    };
  }
}
