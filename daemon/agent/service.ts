import { McpgwError } from '../../src/errors.js';
import type { ApprovalRequest } from '../../src/protocol/requests.js';
import type { Logger } from '../logger.js';
import { newId } from '../sessions/ids.js';
import type { SessionService } from '../sessions/service.js';
import type { SessionRecord, Store } from '../store/store.js';
import type { ApprovalBroker } from './approvals.js';
import { closeInterruptedCalls } from './history.js';
import { runTurn, type TurnDeps } from './turn.js';

interface RunningTurn {
  turnId: string;
  abort: AbortController;
  done: Promise<void>;
}

const INTERRUPTED = 'The daemon restarted while this call was running; it did not complete. Try again if it is still needed.';

/**
 * The agent side of sessions: starts turns, routes approval answers, cancels. A turn runs in the daemon, not the
 * client: a client that disconnects stops nothing, and any client of the owner can answer its approvals.
 */
export class AgentService {
  private readonly running = new Map<string, RunningTurn>();

  constructor(private readonly deps: TurnDeps & { sessions: SessionService; approvals: ApprovalBroker; store: Store; log: Logger }) {
    deps.sessions.isBusy = (id) => this.running.has(id);
    deps.sessions.cancelTurn = async (id) => void (await this.cancel(id));
  }

  isBusy(sessionId: string): boolean {
    return this.running.has(sessionId);
  }

  /** Starts a turn for the user's message; refuses while one is running (cancel it first). */
  async sendMessage(user: string, rec: SessionRecord, text: string, headless = false): Promise<{ messageId: string; turnId: string }> {
    if (this.running.has(rec.id)) throw new McpgwError('conflict', 'a turn is already running in this session; wait for it or cancel it');
    const messageId = newId('m');
    const turnId = newId('t');
    const abort = new AbortController();
    const turn: RunningTurn = { turnId, abort, done: Promise.resolve() };
    this.running.set(rec.id, turn);
    try {
      if (!rec.title) {
        const title = text.replace(/\s+/g, ' ').trim().slice(0, 60);
        await this.deps.store.updateSession(rec.id, { title });
        rec.title = title;
      }
      await this.deps.events.emit(rec.id, 'user:message', { messageId, text, from: user });
      await this.deps.sessions.publishUpdate(rec.id);
    } catch (err) {
      this.running.delete(rec.id);
      throw err;
    }
    // The session stops being busy before the final answer goes out, so a client reacting to it sees it idle.
    turn.done = runTurn(this.deps, { rec, user, turnId, text, headless, signal: abort.signal })
      .then(async (answer) => {
        this.running.delete(rec.id);
        await this.deps.events.emit(rec.id, 'agent:response', { turnId, delta: '', done: true, text: answer });
        await this.deps.sessions.publishUpdate(rec.id);
      })
      .catch((err: unknown) => this.deps.log.error('turn crashed', { sessionId: rec.id, turnId, err }))
      .finally(() => this.running.delete(rec.id));
    return { messageId, turnId };
  }

  /** Cancels the running turn (model stream, approvals, tool calls) and waits until its history is closed. */
  async cancel(sessionId: string): Promise<boolean> {
    const turn = this.running.get(sessionId);
    if (!turn) return false;
    turn.abort.abort(new McpgwError('cancelled', 'cancelled by the user'));
    await turn.done;
    return true;
  }

  answerApproval(user: string, request: ApprovalRequest): Promise<{ applied: boolean; by?: string }> {
    return this.deps.approvals.answer(user, {
      approvalId: request.approvalId,
      decision: request.decision,
      scope: request.scope ?? 'once',
      reason: request.reason,
    });
  }

  /** After a restart: close calls that were in flight when the daemon died, and expire their approvals. */
  async recover(sessionIds: string[]): Promise<number> {
    let repaired = 0;
    for (const id of sessionIds) {
      await this.deps.approvals.expireOrphans(id);
      const closing = closeInterruptedCalls((await this.deps.store.readHistory(id)) as never, INTERRUPTED);
      if (closing) {
        await this.deps.store.appendHistory(id, [closing]);
        repaired++;
      }
    }
    return repaired;
  }

  /** Cancels every running turn (daemon shutdown). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.cancel(id)));
  }
}
