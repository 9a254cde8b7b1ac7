import type { SandboxExit } from './sandbox.js';

/** What happens to sandboxes that others care about: a container started, exited, or wrote a line. */
export interface SandboxObserver {
  started?(sessionId: string, server: string, containerId: string): void;
  exited?(sessionId: string, server: string, exit: SandboxExit, containerId: string): void;
  log?(sessionId: string, server: string, line: string): void;
}

/**
 * Fans the runtime's hooks out to observers. The runtime is built before the services that react to it (sessions
 * keep container bookkeeping, tool calls attribute output), and those need the runtime: the composition root builds
 * this first, hands `hooks` to the runtime, and subscribes each service once it exists.
 */
export class SandboxSignals {
  private readonly observers = new Set<SandboxObserver>();

  /** The runtime's callbacks. */
  readonly hooks = {
    onStarted: (sessionId: string, server: string, containerId: string): void => {
      for (const o of this.observers) o.started?.(sessionId, server, containerId);
    },
    onExit: (sessionId: string, server: string, exit: SandboxExit, containerId: string): void => {
      for (const o of this.observers) o.exited?.(sessionId, server, exit, containerId);
    },
    onLog: (sessionId: string, server: string, line: string): void => {
      for (const o of this.observers) o.log?.(sessionId, server, line);
    },
  };

  /** Adds an observer; returns its removal. */
  observe(observer: SandboxObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }
}
