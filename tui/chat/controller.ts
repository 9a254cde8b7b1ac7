import { errorMessage, isMcpgwError, McpgwError } from '../../src/errors.js';
import type { SessionEvent } from '../../src/protocol/events.js';
import type { SessionCreateRequest } from '../../src/protocol/requests.js';
import type { DaemonStatus, SessionInfo } from '../../src/protocol/session.js';
import { callName, describeDecider } from '../../src/view/format.js';
import { acceptGap, applyEvent, applySessionInfo, createSessionView, hasGap, interruptOpen, skipGap } from '../../src/view/reduce.js';
import { findCall } from '../../src/view/select.js';
import type { SessionView } from '../../src/view/types.js';
import type { ApprovalAnswer } from '../components/ApprovalPrompt.js';
import type { ConnectionState } from '../components/StatusBar.js';
import { runCommand } from './command-runner.js';
import { parseCommand } from './commands.js';
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
  /** Approvals whose answer is on its way to mcpd. */
  answering: ReadonlySet<string>;
  consoleOpen: boolean;
  /** A one-line hint under the input ("press ctrl-c again to quit"). */
  hint: string | undefined;
  user: string | undefined;
  /** The container engine mcpd uses, as the status bar names it ("Docker 20.10.24"). */
  engine: string | undefined;
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
    history: [],
    done: false,
  };
  private readonly listeners = new Set<() => void>();
  private readonly link: DaemonLink;
  private readonly mine = new Set<string>();
  private daemon: DaemonStatus | undefined;
  private replaying = false;
  private armed = false;
  private noteId = 0;
  private resolveDone!: () => void;
  /** Resolves when the user quits. */
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly opts: ChatControllerOptions) {
    this.link = new DaemonLink({
      connect: opts.connect,
      onEvent: (event) => this.onEvent(event),
      onGap: (gap) => {
        const view = this.snapshot.view;
        if (view) this.setView(skipGap(view, gap));
      },
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
    this.update({ view: createSessionView(info.id, info), notes: [], epoch: this.snapshot.epoch + 1 });
    this.note('info', describeOpened(info, how));
    const { replayed } = await this.attach(client, info.id, 0);
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
    const view = this.snapshot.view;
    if (!view) return;
    await this.guard(this.client().request('message', { sessionId: view.sessionId, text: line }), (err) =>
      isMcpgwError(err, 'conflict') && /turn is already running/.test(errorMessage(err))
        ? 'The model is still working on the last message: wait, or press esc to cancel it.'
        : undefined,
    );
  }

  /** Answers the approval on screen; if another client was first, says who. */
  async answer(approvalId: string, answer: ApprovalAnswer): Promise<void> {
    this.mine.add(approvalId);
    this.update({ answering: new Set([...this.snapshot.answering, approvalId]) });
    try {
      const reply = await this.client().request('tool:approval', { approvalId, ...answer });
      if (!reply.applied) this.note('warn', `Someone answered first: ${reply.by ?? 'another client'}.`);
    } catch (err) {
      this.mine.delete(approvalId);
      this.note('error', errorMessage(err));
    } finally {
      this.update({ answering: new Set([...this.snapshot.answering].filter((id) => id !== approvalId)) });
    }
  }

  /** Cancels the running turn. */
  async cancel(): Promise<void> {
    const view = this.snapshot.view;
    if (!view) return;
    await this.guard(
      this.client()
        .request('agent:cancel', { sessionId: view.sessionId })
        .then(({ cancelled }) => (cancelled ? undefined : this.note('muted', 'Nothing to cancel.'))),
    );
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

  private async guard(work: Promise<unknown>, explain?: (err: unknown) => string | undefined): Promise<void> {
    try {
      await work;
    } catch (err) {
      this.note('error', explain?.(err) ?? errorMessage(err));
    }
  }

  private async onConnected(client: ChatClient, reconnected: boolean): Promise<void> {
    const status = await client.request('daemon:status', {});
    const restarted = this.daemon !== undefined && status.startedAt !== this.daemon.startedAt;
    this.daemon = status;
    this.update({ user: status.user, engine: engineLabel(status) });
    const view = this.snapshot.view;
    if (!reconnected || !view) return;
    const { replayed } = await this.attach(client, view.sessionId, view.lastSeq);
    if (restarted) this.setView(interruptOpen(this.snapshot.view ?? view, 'mcpd restarted while this call was running'));
    this.note(
      'success',
      `Reconnected to mcpd${restarted ? ' (it restarted)' : ''}; ${replayed} missed event${replayed === 1 ? '' : 's'} replayed.`,
    );
  }

  /** Attaches; the replayed events arrive (through onEvent) before the answer does. */
  private async attach(client: ChatClient, sessionId: string, sinceSeq: number): Promise<{ replayed: number }> {
    this.replaying = true;
    try {
      const reply = await client.request('session:attach', { sessionId, sinceSeq });
      let view = this.snapshot.view;
      if (!view || view.sessionId !== sessionId) return reply;
      // What is still held behind a gap after the replay is gone from the daemon's capped log.
      if (hasGap(view)) view = acceptGap(view);
      this.setView(applySessionInfo(view, reply.session));
      if (reply.truncated) this.note('warn', 'The start of this session is no longer in the daemon’s log; older events are not shown.');
      return reply;
    } finally {
      this.replaying = false;
    }
  }

  private onEvent(event: SessionEvent): void {
    const view = this.snapshot.view;
    if (!view || event.sessionId !== view.sessionId) return;
    const next = applyEvent(view, event);
    if (next === view) return;
    if (
      event.type === 'tool:approval_resolved' &&
      !this.replaying &&
      view.pending.includes(event.approvalId) &&
      !this.mine.has(event.approvalId)
    ) {
      const call = findCall(next, event.callId);
      const what = call ? callName(call) : 'a tool call';
      const verb = event.decision === 'approve' ? 'approved' : 'denied';
      this.note(
        'warn',
        event.by.kind === 'timeout'
          ? `The approval for ${what} expired (${event.reason ?? 'no answer in time'}).`
          : `Answered in another client: ${describeDecider(event.by)} ${verb} ${what}.`,
      );
    }
    this.setView(next);
  }

  private setView(view: SessionView): void {
    this.update({ view });
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
