import { errorMessage } from '../../src/errors.js';
import { safeLine } from '../../src/text/sanitize.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { SubscriptionStore } from '../store/ports.js';

/** Subscriptions one session may hold on one server: each is a stream of updates the session is told about. */
export const MAX_SUBSCRIPTIONS = 50;

/** What following a resource needs of a sandbox. */
export type SubscriptionHost = Pick<Sandbox, 'ask' | 'capabilities'>;

/** The longest piece of a URI or an error a notice about following repeats. */
const SHOWN = 200;

/**
 * The resources each session follows on each server. They belong to the session, not to a sandbox: when a
 * session's sandbox for a server is replaced (a crash, an idle reap, a restart of the server or of mcpd), the new one
 * is asked to follow them again (`follow`), so updates keep reaching the session's clients. They are kept in the
 * store, not in memory, so a restarted mcpd still knows them and a deleted session takes them with it.
 */
export class Subscriptions {
  constructor(private readonly store: SubscriptionStore) {}

  /** The URIs a session follows on a server, oldest first. */
  of(sessionId: string, server: string): Promise<string[]> {
    return this.store.subscriptions(sessionId, server);
  }

  /** Records a followed URI, or its end. */
  set(sessionId: string, server: string, uri: string, on: boolean): Promise<void> {
    return this.store.setSubscription(sessionId, server, uri, on);
  }

  /** Forgets every subscription of an ended session. */
  forgetSession(sessionId: string): Promise<void> {
    return this.store.clearSubscriptions(sessionId);
  }

  /**
   * Asks a new sandbox to follow what the session followed on its server; returns lines for the session. A URI the
   * server refuses is dropped (and said so); if the sandbox goes while this runs (`current` no longer returns it),
   * the rest stays recorded for the next one.
   */
  async follow(sessionId: string, server: string, host: SubscriptionHost, current: () => SubscriptionHost | undefined): Promise<string[]> {
    const uris = await this.of(sessionId, server);
    if (uris.length === 0) return [];
    if (!host.capabilities.resources?.subscribe) {
      for (const uri of uris) await this.set(sessionId, server, uri, false);
      return [
        `the new sandbox of "${safeLine(server)}" offers no resource subscriptions: ${uris.length} followed resources are no longer followed`,
      ];
    }
    const lines: string[] = [];
    let again = 0;
    for (const uri of uris) {
      // Unfollowed meanwhile by its user: not asked for again.
      if (!(await this.of(sessionId, server)).includes(uri)) continue;
      try {
        await host.ask('resources/subscribe', (c, o) => c.subscribeResource({ uri }, o));
        again++;
      } catch (err) {
        if (current() !== host) return lines;
        await this.set(sessionId, server, uri, false);
        lines.push(`"${safeLine(server)}" refused to follow ${shown(uri)} again (${shown(errorMessage(err))}); it is no longer followed`);
      }
    }
    if (again > 0) lines.unshift(`the new sandbox of "${safeLine(server)}" follows ${again} resource${again === 1 ? '' : 's'} again`);
    return lines;
  }
}

/** Server-made or user-made text in a notice: one inert line, cut. */
function shown(text: string): string {
  const line = safeLine(text);
  return line.length > SHOWN ? `${line.slice(0, SHOWN)}…` : line;
}
