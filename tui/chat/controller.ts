import { assertNever } from '../../src/checks.js';
import { SessionCore, type ClientNotice } from '../../src/client/index.js';
import { errorMessage, McpgwError } from '../../src/errors.js';
import type { QuestionAnswerInput } from '../../src/protocol/questions.js';
import type { SessionCreateRequest } from '../../src/protocol/requests.js';
import type { DaemonStatus, SessionInfo } from '../../src/protocol/session.js';
import { callName, describeDecider } from '../../src/view/format.js';
import type { SessionView } from '../../src/view/types.js';
import type { ConnectionState } from '../components/StatusBar.js';
import { runCommand } from './command-runner.js';
import { parseCommand } from './commands.js';
import { completeLine } from './complete-line.js';
import { ContentCache } from './content-runner.js';
import { DaemonLink, type ChatClient } from './connection.js';
import { describeOpened, pickSession, type SessionTarget } from './session-pick.js';
import { advanceTranscript, emptyTranscript, type Note, type Transcript } from './transcript.js';

export interface ChatSnapshot {
  connection: ConnectionState;
  view: SessionView | undefined;
  notes: readonly Note[];
  /** Bumped when the chat shows another session: the screen is cleared and that session's history printed. */
  epoch: number;
  transcript: Transcript;
  /** Questions whose answer is on its way to mcpd. */
  answering: ReadonlySet<string>;
  consoleOpen: boolean;
  /** A one-line hint under the input ("press ctrl-c again to quit"). */
  hint: string | undefined;
  user: string | undefined;
  /** The container engine mcpd uses, as the status bar names it ("Docker 20.10.24"). */
  engine: string | undefined;
  /** What mcpd runs loosened beyond its defaults (`daemon:status`), for the status bar's marker. */
  loosened: readonly string[] | undefined;
  history: readonly string[];
  done: boolean;
}

export interface ChatControllerOptions {
  connect: (attempt: number) => Promise<ChatClient>;
  /** What `/new` (and a chat that finds nothing to resume) creates. */
  create: SessionCreateRequest;
  /** Wipes the terminal before another session is shown (its history is printed from the top). */
  clearScreen?: () => void;
  retryDelayMs?: (attempt: number) => number;
}

/**
 * The chat's state and intents, apart from any rendering: it keeps the link to mcpd, folds session events into a
 * view with the shared reducer, and turns what the user types into requests. Ink subscribes to its snapshots.
 */
export class ChatController {
  private snapshot: ChatSnapshot = {
    connection: { kind: 'connecting' },
    view: undefined,
    notes: [],
    epoch: 0,
    transcript: emptyTranscript(0),
    answering: new Set(),
    consoleOpen: true,
    hint: undefined,
    user: undefined,
    engine: undefined,
    loosened: undefined,
    history: [],
    done: false,
  };
  private readonly listeners = new Set<() => void>();
  private readonly link: DaemonLink;
  /** The open session: replay, live events, answers (shared with the web client). */
  private readonly core: SessionCore;
  private daemon: DaemonStatus | undefined;
  private armed = false;
  private noteId = 0;
  private resolveDone!: () => void;
  /** What `/resources` and `/prompts` listed of the open session (for `/attach URI`, `/prompt:NAME` and tab). */
  readonly content = new ContentCache();
  /** The newest server change told in the transcript; changes replayed when a session opens are not told again. */
  private contentSeq = 0;
  private replaying = false;
  /** Resolves when the user quits. */
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly opts: ChatControllerOptions) {
    this.core = new SessionCore({
      request: (name, payload, timeoutMs) => this.client().request(name, payload, timeoutMs),
      onChange: () => {
        this.update({ view: this.core.state.view, answering: this.core.state.answering });
        this.tellContentChanges();
      },
      onNotice: (notice) => this.tell(notice),
    });
    this.link = new DaemonLink({
      connect: opts.connect,
      onEvent: (event) => this.core.receive(event),
      onGap: (gap) => this.core.gap(gap),
      onState: (connection) => this.update({ connection }),
      onConnected: (client, reconnected) => this.onConnected(client, reconnected),
      ...(opts.retryDelayMs ? { retryDelayMs: opts.retryDelayMs } : {}),
    });
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ChatSnapshot => this.snapshot;

  /** Connects (maybe starting mcpd) and opens the session the flags ask for; failures are thrown. */
  async start(target: SessionTarget): Promise<void> {
    await this.link.start();
    const { info, how } = await pickSession(this.client(), target, this.opts.create);
    await this.open(info, how);
  }

  /** The connected client; an error the user can read while reconnecting. */
  client(): ChatClient {
    const client = this.link.client;
    if (!client) throw new McpgwError('internal', 'not connected to mcpd (reconnecting…); try again in a moment');
    return client;
  }

  /** What `/new` sends: the servers, model and policy the chat was started with. */
  get create(): SessionCreateRequest {
    return this.opts.create;
  }

  /** Shows a session: clears the screen, replays its log into a fresh view, and follows it live. */
  async open(info: SessionInfo, how: 'resumed' | 'created' | 'switched'): Promise<void> {
    const client = this.client();
    const previous = this.snapshot.view?.sessionId;
    if (previous && previous !== info.id) await client.request('session:detach', { sessionId: previous }).catch(() => undefined);
    if (this.snapshot.epoch > 0) this.opts.clearScreen?.();
    // The fresh view first (nothing of it settles in the old epoch), then the new epoch prints it from the top.
    this.core.show(info.id, info);
    this.update({ notes: [], epoch: this.snapshot.epoch + 1 });
    this.note('info', describeOpened(info, how));
    this.contentSeq = 0;
    this.replaying = true;
    const { replayed } = await this.core.attach(info.id, 0).finally(() => {
      this.replaying = false;
    });
    if (replayed > 0 && how !== 'created') this.note('muted', `── ${replayed} earlier events restored ──`);
    if (info.status === 'ended') this.note('warn', 'This session has ended: you can read it, not continue it. /new starts another.');
  }

  /** Sends what the user typed: a slash command, or a message to the model. */
  async submit(text: string): Promise<void> {
    const line = text.trim();
    if (!line) return;
    this.update({ history: [...this.snapshot.history, line].slice(-100) });
    if (line.startsWith('/')) {
      const parsed = parseCommand(line);
      if (!parsed.ok) return this.note('error', parsed.error);
      return this.guard(runCommand(this, parsed.command));
    }
    await this.core.send(line);
  }

  /** Sends a message to the model. */
  async send(text: string): Promise<void> {
    await this.core.send(text);
  }

  /** The open session and its servers. */
  session(): { sessionId: string; servers: string[] } | undefined {
    const view = this.snapshot.view;
    return view ? { sessionId: view.sessionId, servers: view.session?.servers.map((s) => s.name) ?? [] } : undefined;
  }

  /** Tab: the input line with its last word completed (commands, prompt names, prompt arguments and their values). */
  complete(line: string): Promise<string | undefined> {
    return completeLine(this, line);
  }

  /** Answers the question on screen; if another client was first, says who. */
  answer(questionId: string, answer: QuestionAnswerInput): Promise<void> {
    return this.core.answer(questionId, answer);
  }

  /** Cancels the running turn. */
  cancel(): Promise<void> {
    return this.core.cancel();
  }

  /** ctrl-c: cancels a running turn; pressed again (with no other key between), quits. */
  interrupt(): void {
    if (this.armed) return this.quit();
    this.armed = true;
    if (this.snapshot.view?.busy) {
      void this.cancel();
      this.update({ hint: 'Cancelling the turn… press ctrl-c again to quit.' });
    } else {
      this.update({ hint: 'Press ctrl-c again to quit (or type /quit).' });
    }
  }

  /** Any other key: the next ctrl-c cancels again instead of quitting. */
  disarm(): void {
    if (!this.armed) return;
    this.armed = false;
    this.update({ hint: undefined });
  }

  toggleConsole(): void {
    this.update({ consoleOpen: !this.snapshot.consoleOpen });
  }

  quit(): void {
    this.update({ done: true });
    this.resolveDone();
  }

  close(): void {
    this.link.close();
  }

  /** Adds a line (or table) to the transcript. */
  note(tone: Note['tone'], text: string, table?: Note['table']): void {
    const note: Note = { id: ++this.noteId, tone, text, position: this.snapshot.view?.items.length ?? 0, ...(table ? { table } : {}) };
    this.update({ notes: [...this.snapshot.notes, note] });
  }

  private async guard(work: Promise<unknown>): Promise<void> {
    try {
      await work;
    } catch (err) {
      this.note('error', errorMessage(err));
    }
  }

  private async onConnected(client: ChatClient, reconnected: boolean): Promise<void> {
    const status = await client.request('daemon:status', {});
    const restarted = this.daemon !== undefined && status.startedAt !== this.daemon.startedAt;
    this.daemon = status;
    this.update({ user: status.user, engine: engineLabel(status), loosened: status.loosened });
    if (reconnected) await this.core.reconnected(restarted);
  }

  /** Tells what servers said changed (resources, prompts, a followed resource); forgets lists that changed. */
  private tellContentChanges(): void {
    const view = this.core.state.view;
    const fresh = view?.contentChanges.filter((c) => c.seq > this.contentSeq) ?? [];
    const last = fresh.at(-1);
    if (!view || !last) return;
    this.contentSeq = last.seq;
    const cache = this.content.forSession(view.sessionId);
    for (const c of fresh) {
      if (c.what === 'resources') cache.resources.delete(c.server);
      if (c.what === 'prompts') cache.prompts.delete(c.server);
      if (this.replaying) continue;
      const what =
        c.what === 'resource' ? `${c.uri} was updated (/read ${c.server} ${c.uri})` : `its ${c.what} changed (/${c.what} ${c.server})`;
      this.note('muted', `${c.server}: ${what}`);
    }
  }

  /** What the session core reports, in the terminal's words. */
  private tell(notice: ClientNotice): void {
    switch (notice.kind) {
      case 'reconnected': {
        const { restarted, replayed } = notice;
        return this.note(
          'success',
          `Reconnected to mcpd${restarted ? ' (it restarted)' : ''}; ${replayed} missed event${replayed === 1 ? '' : 's'} replayed.`,
        );
      }
      case 'log_truncated':
        return this.note('warn', 'The start of this session is no longer in the daemon’s log; older events are not shown.');
      case 'busy':
        return this.note('error', 'The model is still working on the last message: wait, or press esc to cancel it.');
      case 'request_failed':
        return this.note('error', errorMessage(notice.error));
      case 'nothing_to_cancel':
        return this.note('muted', 'Nothing to cancel.');
      case 'answered_first':
        return this.note('warn', `Someone answered first: ${notice.by ?? 'another client'}.`);
      case 'answered_elsewhere': {
        // An elicitation's end is already a line in the transcript (src/view/elicitation.ts).
        if (notice.answer.kind === 'elicitation') return;
        const what = notice.call ? callName(notice.call) : 'a tool call';
        const verb = notice.answer.decision === 'approve' ? 'approved' : 'denied';
        return this.note(
          'warn',
          notice.by.kind === 'timeout'
            ? `The approval for ${what} expired (${notice.answer.reason ?? 'no answer in time'}).`
            : `Answered in another client: ${describeDecider(notice.by)} ${verb} ${what}.`,
        );
      }
      default:
        return assertNever(notice);
    }
  }

  private update(change: Partial<ChatSnapshot>): void {
    const merged = { ...this.snapshot, ...change };
    const transcript = advanceTranscript(merged.transcript, {
      epoch: merged.epoch,
      items: merged.view?.items ?? [],
      notes: merged.notes,
      showOutput: merged.consoleOpen,
    });
    this.snapshot = { ...merged, transcript };
    for (const listener of this.listeners) listener();
  }
}

/** "Docker 20.10.24" (with the endpoint when it is not a local socket); undefined from an mcpd that does not say. */
function engineLabel(status: DaemonStatus): string | undefined {
  const e = (status as Partial<DaemonStatus>).engine;
  if (!e) return undefined;
  const where = e.endpoint.startsWith('unix://') || e.endpoint === 'default' ? '' : ` @ ${e.endpoint}`;
  return `${e.name}${e.version ? ` ${e.version}` : ''}${where}`;
}
