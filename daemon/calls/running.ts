/** A tool call running in its sandbox now: what a server's own request to the client may be about. */
export interface RunningCall {
  callId: string;
  /** The call belongs to a headless run (`mcpgw run` without --wait-for-approval): no person will answer. */
  headless: boolean;
  /** Aborted when the call is cancelled (its turn was). Absent for a call a user made directly. */
  signal?: AbortSignal;
  /** Stops the call's per-call timeout while a person answers the server (released by the returned function). */
  hold: () => () => void;
}

/** What the server→client half may know of running calls: those of one server in one session. */
export interface RunningCallsView {
  of(sessionId: string, server: string): RunningCall[];
}

/**
 * The calls running in their sandboxes, by (session, server). Tool calls enter and leave it; a server's request
 * to the client (an elicitation, a sampling request) reads it to say which call it serves, whether a person can answer, and when to give
 * up. Nothing else about a call is exposed.
 */
export class RunningCalls implements RunningCallsView {
  private readonly calls = new Map<string, Set<RunningCall>>();

  /** Records a call as running; the returned function records its end. */
  enter(sessionId: string, server: string, call: RunningCall): () => void {
    const key = `${sessionId}\u0000${server}`;
    const set = this.calls.get(key) ?? new Set<RunningCall>();
    set.add(call);
    this.calls.set(key, set);
    return () => {
      set.delete(call);
      if (set.size === 0 && this.calls.get(key) === set) this.calls.delete(key);
    };
  }

  of(sessionId: string, server: string): RunningCall[] {
    return [...(this.calls.get(`${sessionId}\u0000${server}`) ?? [])];
  }
}
