import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { McpgwError, errorMessage } from '../../src/errors.js';
import type { ToolCallResult, ToolSummary } from '../../src/protocol/session.js';
import { renderToolResult } from '../../src/text/tool-result.js';
import { checkToolSchema } from '../../src/tools/index.js';
import { truncateMiddle } from '../../src/text/truncate.js';
import type { SessionRecord } from '../store/store.js';
import { newId } from './ids.js';
import type { SessionService } from './service.js';

export type ToolOutcome =
  { ok: true; result: CallToolResult; text: string; durationMs: number } | { ok: false; error: McpgwError; durationMs: number };

export interface RunToolOptions {
  callId: string;
  origin: 'agent' | 'user';
  user: string;
  signal?: AbortSignal;
}

const SUMMARY_CHARS = 2000;
const NOTE_CHARS = 4000;

const key = (sessionId: string, server: string): string => `${sessionId}\u0000${server}`;

/**
 * Runs tool calls in a session's sandboxes, for the agent loop and for calls a user makes directly: emits
 * started/output/result events, attributes stderr to the call in flight, and audits every outcome.
 */
export class ToolRunner {
  private readonly inFlight = new Map<string, Map<string, StartAnnouncer>>();
  private readonly finished = new Map<string, { callId: string; at: number }>();

  constructor(private readonly sessions: SessionService) {}

  /** Lists the tools of a session's servers; a server that fails to start is reported, not fatal. */
  async listTools(
    rec: SessionRecord,
    servers = rec.servers,
  ): Promise<{ tools: ToolSummary[]; failed: Array<{ server: string; error: string }> }> {
    const results = await Promise.allSettled(
      servers.map(async (server) => ({ server, tools: await (await this.sessions.sandbox(rec, server)).listTools() })),
    );
    const tools: ToolSummary[] = [];
    const failed: Array<{ server: string; error: string }> = [];
    results.forEach((r, i) => {
      const server = servers[i] ?? '?';
      if (r.status === 'rejected') failed.push({ server, error: errorMessage(r.reason) });
      else
        for (const t of r.value.tools) {
          // The same check the agent's tool set makes, so a listing says why a tool is kept from the model.
          const check = checkToolSchema({ server, name: t.name, description: t.description, inputSchema: t.inputSchema });
          tools.push({
            server,
            name: t.name,
            description: t.description ?? '',
            annotations: { ...(t.annotations ?? {}) },
            inputSchema: t.inputSchema,
            ...(check.ok ? {} : { refused: check.reason ?? 'unusable tool' }),
          });
        }
    });
    return { tools, failed };
  }

  /**
   * Runs one call with events and audit; never throws for tool failures (they are the outcome).
   *
   * Every write is durable (fsync) before it is acknowledged, and a fast call would otherwise pay for two fsyncs in
   * a row: `tool:started`, then the result. So `tool:started` waits up to START_COALESCE_MS (or until the call makes
   * output): a call that ends sooner has its start, result, audit entry and `alsoRecord` write sent together, under
   * one fsync; a slower one is announced after a delay no person can see.
   */
  async run(
    rec: SessionRecord,
    server: string,
    tool: string,
    args: Record<string, unknown>,
    options: RunToolOptions & { alsoRecord?: (outcome: ToolOutcome) => Promise<unknown> },
  ): Promise<ToolOutcome> {
    const { callId, origin } = options;
    const events = this.sessions.events;
    const announce = new StartAnnouncer(() => events.emit(rec.id, 'tool:started', { callId, server, tool, args, origin }));
    const started = performance.now();
    const k = key(rec.id, server);
    let outcome: ToolOutcome;
    try {
      const sandbox = await this.sessions.sandbox(rec, server, options.signal);
      this.track(k, callId, announce);
      try {
        const result = await sandbox.callTool(tool, args, {
          ...(options.signal ? { signal: options.signal } : {}),
          onProgress: (p) => {
            const of = p.total === undefined ? '' : `/${p.total}`;
            void announce.now();
            events.post(rec.id, 'tool:output', {
              callId,
              server,
              stream: 'progress',
              text: `${p.progress}${of}${p.message ? ` ${p.message}` : ''}`,
            });
          },
        });
        outcome = { ok: true, result, text: renderToolResult(result), durationMs: Math.round(performance.now() - started) };
      } finally {
        this.track(k, callId, undefined);
      }
    } catch (err) {
      const error = err instanceof McpgwError ? err : new McpgwError('tool_failed', errorMessage(err), { cause: err });
      outcome = { ok: false, error, durationMs: Math.round(performance.now() - started) };
    }
    await Promise.all([announce.now(), this.report(rec, server, tool, outcome, options), options.alsoRecord?.(outcome)]);
    return outcome;
  }

  private async report(rec: SessionRecord, server: string, tool: string, outcome: ToolOutcome, options: RunToolOptions): Promise<void> {
    const { callId } = options;
    const summary = outcome.ok ? truncateMiddle(outcome.text, SUMMARY_CHARS).text : outcome.error.message;
    const result = this.sessions.events.emit(rec.id, 'tool:result', {
      callId,
      server,
      tool,
      ok: outcome.ok && !outcome.result.isError,
      summary,
      ...(outcome.ok ? {} : { error: { code: outcome.error.code, message: outcome.error.message } }),
      durationMs: outcome.durationMs,
    });
    const audit = this.sessions.store.audit({
      ts: Date.now(),
      sessionId: rec.id,
      user: options.user,
      kind: 'tool',
      callId,
      origin: options.origin,
      server,
      tool,
      outcome: outcome.ok ? (outcome.result.isError ? 'tool_error' : 'ok') : outcome.error.code,
      durationMs: outcome.durationMs,
    });
    await Promise.all([result, audit]);
  }

  /** A call the user makes directly: run it, and note it for the model's next turn. */
  async callDirect(user: string, rec: SessionRecord, server: string, tool: string, args: Record<string, unknown>): Promise<ToolCallResult> {
    const callId = newId('c');
    const note = async (done: ToolOutcome): Promise<void> => {
      if (!done.ok) return;
      const text = truncateMiddle(done.text, NOTE_CHARS).text;
      const what = done.result.isError ? 'It reported an error' : 'Result';
      await this.sessions.store.pushNote(
        rec.id,
        `[The user ran the tool ${server}/${tool} directly with arguments ${JSON.stringify(args)}. ${what}:\n${text}]`,
      );
    };
    const outcome = await this.run(rec, server, tool, args, { callId, origin: 'user', user, alsoRecord: note });
    if (!outcome.ok) throw outcome.error;
    return {
      callId,
      ok: !outcome.result.isError,
      isError: Boolean(outcome.result.isError),
      text: outcome.text,
      ...(outcome.result.structuredContent === undefined ? {} : { structuredContent: outcome.result.structuredContent }),
      durationMs: outcome.durationMs,
    };
  }

  /**
   * Sandbox log hook: stderr and MCP log lines (already within the sandbox's output budget), attributed to the call
   * when exactly one is in flight.
   */
  onLog(sessionId: string, server: string, line: string): void {
    const k = key(sessionId, server);
    const calls = this.inFlight.get(k);
    const [inFlight, announce] = calls?.size === 1 ? [...calls][0]! : [];
    // stderr travels apart from stdout and may arrive just after the reply: a line that comes within a moment of
    // the only call finishing, with nothing else running, is still that call's.
    const recent = this.finished.get(k);
    const callId = inFlight ?? (!calls && recent && Date.now() - recent.at < LATE_STDERR_MS ? recent.callId : undefined);
    void announce?.now();
    this.sessions.events.post(sessionId, 'tool:output', {
      ...(callId ? { callId } : {}),
      server,
      stream: line.startsWith('[') ? 'log' : 'stderr',
      text: line,
    });
  }

  private track(k: string, callId: string, announce: StartAnnouncer | undefined): void {
    const calls = this.inFlight.get(k) ?? new Map<string, StartAnnouncer>();
    if (announce) calls.set(callId, announce);
    else {
      calls.delete(callId);
      if (calls.size === 0) {
        const entry = { callId, at: Date.now() };
        this.finished.set(k, entry);
        setTimeout(() => this.finished.get(k) === entry && this.finished.delete(k), LATE_STDERR_MS).unref();
      }
    }
    if (calls.size === 0) this.inFlight.delete(k);
    else this.inFlight.set(k, calls);
  }
}

/** How long after a call ends its server's stderr is still attributed to it. */
const LATE_STDERR_MS = 250;

/** How long `tool:started` may wait to share an fsync with the result of a fast call. */
const START_COALESCE_MS = 5;

/** Sends a call's `tool:started` once: after a short delay, or at once when something must follow it. */
class StartAnnouncer {
  private sent: Promise<unknown> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly send: () => Promise<unknown>) {
    this.timer = setTimeout(() => void this.now().catch(() => undefined), START_COALESCE_MS);
  }

  /** Sends it if not yet sent; a failure reaches whoever awaits this (the call's report), never an unhandled rejection. */
  now(): Promise<unknown> {
    clearTimeout(this.timer);
    if (!this.sent) {
      this.sent = this.send();
      this.sent.catch(() => undefined);
    }
    return this.sent;
  }
}
