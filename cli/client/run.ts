import type { CommandIO } from '../io.js';
import { McpgwError } from '../../src/errors.js';
import { EXIT } from '../../src/exit-codes.js';
import { assertNever } from '../../src/checks.js';
import { SESSION_EVENT_NAMES, type SessionEvent, type SessionEventOf } from '../../src/protocol/events.js';
import { jsonText } from '../../src/text/safe-json.js';
import { safeLine } from '../../src/text/sanitize.js';
import { elicitationOutcome } from '../../src/view/elicitation.js';
import type { DaemonClient } from '../../tui/client/client.js';
import { policyRequest } from '../../tui/client/policy.js';
import { splitList, withClient } from './common.js';
import type { GlobalOptions } from '../options.js';

export interface RunOptions extends GlobalOptions {
  servers?: string;
  session?: string;
  autoApprovePolicy?: string;
  waitForApproval?: boolean;
  model?: string;
}

/**
 * `mcpgw run "PROMPT"`: one turn, headless. The answer streams to stdout (or every event as a JSON line with
 * --json); tool activity goes to stderr. A call that needs a human is denied unless --wait-for-approval.
 */
export async function runPrompt(prompt: string, opts: RunOptions, io: CommandIO): Promise<number> {
  const policy = await policyRequest(opts.autoApprovePolicy);
  return withClient(opts, io, async (client) => {
    const session = opts.session
      ? await client.request('session:get', { sessionId: opts.session })
      : await client.request('session:create', {
          ...(opts.servers ? { servers: splitList(opts.servers) } : {}),
          ...(policy ? { policy } : {}),
          ...(opts.model ? { model: opts.model } : {}),
        });
    if (!opts.json) io.err(`session ${session.id} (policy ${session.policy})`);
    const follower = new TurnFollower(client, session.id, opts.json ?? false, io);
    await client.request('session:attach', { sessionId: session.id, sinceSeq: session.lastSeq });
    let interrupted = false;
    const onSigint = (): void => {
      interrupted = true;
      void client.request('agent:cancel', { sessionId: session.id }).catch(() => undefined);
    };
    process.once('SIGINT', onSigint);
    try {
      const { turnId } = await client.request('message', { sessionId: session.id, text: prompt, headless: !opts.waitForApproval });
      await follower.follow(turnId);
    } finally {
      process.off('SIGINT', onSigint);
    }
    if (interrupted) return EXIT.interrupted;
    if (follower.failure) {
      if (follower.failure.code === 'model_error') return EXIT.model;
      throw new McpgwError('internal', follower.failure.message);
    }
    return EXIT.ok;
  });
}

/** Prints one turn's events; events that arrive before the turn id is known are held and replayed in order. */
class TurnFollower {
  failure: { code: string; message: string } | undefined;
  private turnId: string | undefined;
  private readonly held: SessionEvent[] = [];
  private done: () => void = () => undefined;
  /** The turn's final response was handled: what comes after it (held or live) is not this turn's to print. */
  private ended = false;
  private readonly write: (text: string) => void;

  constructor(
    client: DaemonClient,
    private readonly sessionId: string,
    private readonly json: boolean,
    private readonly io: CommandIO,
  ) {
    this.write = io.write ?? io.out;
    const onEvent = (event: SessionEvent): void => {
      if (event.sessionId !== this.sessionId) return;
      if (this.turnId === undefined) this.held.push(event);
      else this.handle(event);
    };
    for (const name of SESSION_EVENT_NAMES) client.socket.on(name, onEvent as never);
  }

  /** Resolves when the turn's final `agent:response` arrives. */
  follow(turnId: string): Promise<void> {
    const finished = new Promise<void>((resolve) => (this.done = resolve));
    this.turnId = turnId;
    for (const event of this.held.splice(0)) this.handle(event);
    return finished;
  }

  /**
   * The answer streams through `io.write`, everything else through `io.out`/`io.err`: the CLI's output boundary makes
   * it all inert (bin/io.ts). Names and arguments sit inside one-line status messages, so they are made safe lines
   * here: a tool name with a newline cannot add a line of its own.
   */
  private handle(event: SessionEvent): void {
    const { io, json } = this;
    if (this.ended) return;
    if (json) io.out(jsonText(event));
    switch (event.type) {
      case 'agent:response':
        if (event.turnId !== this.turnId) return;
        if (!json && event.delta) this.write(event.delta);
        if (event.done) {
          if (!json && event.text && !event.text.endsWith('\n')) this.write('\n');
          this.ended = true;
          this.done();
        }
        return;
      case 'question:asked':
        if (!json) io.err(`${asking(event)} — answer it in mcpgw chat`);
        return;
      case 'question:answered':
        if (!json && event.answer.kind === 'tool_approval' && event.answer.decision === 'deny')
          io.err(`denied: ${safeLine(event.answer.reason ?? '')}`);
        if (!json && event.answer.kind === 'elicitation')
          io.err(`${safeLine(event.subject.server)} ${elicitationOutcome(event.answer, event.by)}`);
        return;
      case 'tool:decided':
        if (!json && event.decision === 'deny') io.err(`denied: ${safeLine(event.reason ?? '')}`);
        return;
      case 'tool:started':
        if (!json) io.err(`→ ${callOf(event)} ${safeLine(JSON.stringify(event.args))}`);
        return;
      case 'tool:result':
        if (!json)
          io.err(`${event.ok ? '✓' : '✗'} ${callOf(event)} (${event.durationMs} ms)${event.ok ? '' : `: ${safeLine(event.summary)}`}`);
        return;
      case 'error':
        this.failure = { code: event.code, message: event.message };
        if (!json) io.err(`error: ${event.message}`);
        return;
      default:
        return;
    }
  }
}

/** "server/tool" as one safe line. */
function callOf(event: { server: string; tool: string }): string {
  return safeLine(`${event.server}/${event.tool}`);
}

/** What a question waits for, in one line (by kind). */
function asking(event: SessionEventOf<'question:asked'>): string {
  const { subject, ask } = event;
  switch (ask.kind) {
    case 'tool_approval':
      return `waiting for approval: ${subject.kind === 'call' ? callOf(subject) : safeLine(subject.server)} ${safeLine(JSON.stringify(ask.args))}`;
    case 'network_grant':
      return `waiting for a network grant: ${safeLine(subject.server)} wants ${safeLine(ask.port === undefined ? ask.host : `${ask.host}:${ask.port}`)}`;
    case 'elicitation':
      return `${safeLine(subject.server)} asks for input: ${safeLine(ask.message)}`;
    case 'sampling':
      return `waiting for approval: ${safeLine(subject.server)} asks the model to write (sampling: ${ask.phase === 'request' ? 'its request' : "the model's answer"})`;
    default:
      return assertNever(ask);
  }
}
