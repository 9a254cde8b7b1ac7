import type { Logger } from '../logger.js';
import type { QuestionService } from '../questions/service.js';
import { newId } from '../sessions/ids.js';
import type { HistoryStore, SessionRecord, SessionRecords } from '../store/ports.js';
import { closeInterruptedCalls } from './history.js';
import { runTurn, type TurnDeps } from './turn.js';
import type { TurnRegistry } from './turns.js';

const INTERRUPTED = 'The daemon restarted while this call was running; it did not complete. Try again if it is still needed.';

export interface AgentServiceOptions extends TurnDeps {
  store: HistoryStore & Pick<SessionRecords, 'updateSession'>;
  turns: TurnRegistry;
  questions: Pick<QuestionService, 'expireOrphans'>;
  /** Publishes the session's `session:updated` (busy changed). */
  publishUpdate: (sessionId: string) => Promise<unknown>;
  log: Logger;
}

/**
 * The agent side of sessions: starts turns and recovers after a restart. A turn runs in the daemon, not the client:
 * a client that disconnects stops nothing, and any client of the owner can answer its questions.
 */
export class AgentService {
  constructor(private readonly deps: AgentServiceOptions) {}

  /** Starts a turn for the user's message; `busy` while one is running (cancel it first). */
  async sendMessage(user: string, rec: SessionRecord, text: string, headless = false): Promise<{ messageId: string; turnId: string }> {
    const { store, events, turns, publishUpdate, log } = this.deps;
    const claim = turns.claim(rec.id, headless);
    const messageId = newId('m');
    const turnId = newId('t');
    try {
      if (!rec.title) {
        const title = text.replace(/\s+/g, ' ').trim().slice(0, 60);
        await store.updateSession(rec.id, { title });
        rec.title = title;
      }
      await events.emit(rec.id, 'user:message', { messageId, text, from: user });
      await publishUpdate(rec.id);
    } catch (err) {
      claim.release();
      throw err;
    }
    // The session stops being busy before the final answer goes out, so a client reacting to it sees it idle.
    claim.run(
      runTurn(this.deps, { rec, user, turnId, text, headless, signal: claim.signal })
        .then(async (answer) => {
          claim.release();
          await events.emit(rec.id, 'agent:response', { turnId, delta: '', done: true, text: answer });
          await publishUpdate(rec.id);
        })
        .catch((err: unknown) => log.error('turn crashed', { sessionId: rec.id, turnId, err })),
    );
    return { messageId, turnId };
  }

  /** Cancels the running turn (model stream, questions, tool calls) and waits until its history is closed. */
  cancel(sessionId: string): Promise<boolean> {
    return this.deps.turns.cancel(sessionId);
  }

  /** After a restart: close calls that were in flight when the daemon died, and expire their questions. */
  async recover(sessionIds: string[]): Promise<number> {
    let repaired = 0;
    for (const id of sessionIds) {
      await this.deps.questions.expireOrphans(id);
      const closing = closeInterruptedCalls((await this.deps.store.readHistory(id)) as never, INTERRUPTED);
      if (closing) {
        await this.deps.store.appendHistory(id, [closing]);
        repaired++;
      }
    }
    return repaired;
  }

  /** Cancels every running turn (daemon shutdown). */
  shutdown(): Promise<void> {
    return this.deps.turns.cancelAll();
  }
}
