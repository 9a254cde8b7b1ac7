import { McpgwError } from '../../src/errors.js';

/** What sessions and the janitor may know and do about turns: whether one runs, and stopping it. */
export interface TurnControl {
  /** True while a turn runs in the session. */
  isBusy(sessionId: string): boolean;
  /** Cancels the session's turn and waits until it has closed its history; false when none was running. */
  cancel(sessionId: string): Promise<boolean>;
}

/** A turn that holds its session: its abort signal, and how it lets go. */
export interface ClaimedTurn {
  readonly signal: AbortSignal;
  /** Tracks the turn's work (which reports its own failures); the claim is released when it settles, or by `release`. */
  run(work: Promise<void>): void;
  /** The session is no longer busy (idempotent). */
  release(): void;
}

interface Running {
  abort: AbortController;
  /** Nobody is there to answer a question (`mcpgw run` without --wait-for-approval). */
  headless: boolean;
  done: Promise<void>;
}

/**
 * The turns running in this daemon, one per session at most. Created before the services that ask about turns
 * (sessions, the janitor) and the one that runs them (the agent), and given to each: nobody reaches into another.
 */
export class TurnRegistry implements TurnControl {
  private readonly running = new Map<string, Running>();

  /** Claims the session for a new turn; `busy` when one is running. */
  claim(sessionId: string, headless = false): ClaimedTurn {
    if (this.running.has(sessionId)) throw new McpgwError('busy', 'a turn is already running in this session; wait for it or cancel it');
    const entry: Running = { abort: new AbortController(), done: Promise.resolve(), headless };
    this.running.set(sessionId, entry);
    const release = (): void => {
      if (this.running.get(sessionId) === entry) this.running.delete(sessionId);
    };
    return {
      signal: entry.abort.signal,
      run: (work) => {
        entry.done = work.then(release, release);
      },
      release,
    };
  }

  isBusy(sessionId: string): boolean {
    return this.running.has(sessionId);
  }

  /** True while a headless turn runs in the session: what would ask a person is denied instead. */
  isHeadless(sessionId: string): boolean {
    return this.running.get(sessionId)?.headless === true;
  }

  /** The running turn's signal (aborted when it is cancelled), if one runs. */
  signalOf(sessionId: string): AbortSignal | undefined {
    return this.running.get(sessionId)?.abort.signal;
  }

  async cancel(sessionId: string): Promise<boolean> {
    const turn = this.running.get(sessionId);
    if (!turn) return false;
    turn.abort.abort(new McpgwError('cancelled', 'cancelled by the user'));
    await turn.done;
    return true;
  }

  /** Cancels every running turn (daemon shutdown). */
  async cancelAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.cancel(id)));
  }
}
