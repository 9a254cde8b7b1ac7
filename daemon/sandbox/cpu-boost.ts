import type { ContainerEngine } from './engine.js';

/** The longest a sandbox keeps its start CPUs, whatever its server does (or does not) answer. */
export const BOOST_WINDOW_MS = 5_000;

/**
 * A sandbox's start CPUs, taken back exactly once: when `initialize` is answered (`end`), or when the window runs
 * out (the timer), so a server that never answers cannot keep them. If the engine refuses to lower the limit, the
 * container is killed: it never goes on running with more than its configured CPUs.
 */
export class CpuBoost {
  private lowered: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly engine: Pick<ContainerEngine, 'updateCpus' | 'kill'>,
    private readonly id: string,
    private readonly limitNanoCpus: number,
    private readonly startNanoCpus: number,
    private readonly windowMs = BOOST_WINDOW_MS,
  ) {}

  /** True when the container was created with more CPUs than its limit. */
  get active(): boolean {
    return this.startNanoCpus > this.limitNanoCpus;
  }

  /** Starts the window; call right after the container starts. */
  arm(): void {
    if (!this.active || this.timer || this.lowered) return;
    this.timer = setTimeout(() => void this.end().catch(() => undefined), this.windowMs);
    this.timer.unref();
  }

  /** Lowers the CPUs to the limit (once); rejects, after killing the container, if the engine refused. */
  end(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.lowered ??= this.active ? this.lower() : Promise.resolve();
    return this.lowered;
  }

  /** Stops the window without lowering: the container is being removed anyway. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async lower(): Promise<void> {
    try {
      await this.engine.updateCpus(this.id, this.limitNanoCpus);
    } catch (err) {
      await this.engine.kill(this.id, 'SIGKILL').catch(() => undefined);
      throw err;
    }
  }
}
