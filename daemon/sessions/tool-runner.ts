import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { McpgwError, errorMessage } from '../../src/errors.js';
import type { ToolCallResult, ToolSummary } from '../../src/protocol/session.js';
import { renderToolResult } from '../../src/text/tool-result.js';
import { truncateMiddle } from '../../src/text/truncate.js';
import type { SessionRecord } from '../store/store.js';
import { newId } from './ids.js';
import type { SessionService } from './service.js';

export type ToolOutcome =
  | { ok: true; result: CallToolResult; text: string; durationMs: number }
  | { ok: false; error: McpgwError; durationMs: number };

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
  private readonly inFlight = new Map<string, Set<string>>();

  constructor(private readonly sessions: SessionService) {}

  /** Lists the tools of a session's servers; a server that fails to start is reported, not fatal. */
  async listTools(rec: SessionRecord, servers = rec.servers): Promise<{ tools: ToolSummary[]; failed: Array<{ server: string; error: string }> }> {
    const results = await Promise.allSettled(servers.map(async (server) => ({ server, tools: await (await this.sessions.sandbox(rec, server)).listTools() })));
    const tools: ToolSummary[] = [];
    const failed: Array<{ server: string; error: string }> = [];
    results.forEach((r, i) => {
      const server = servers[i] ?? '?';
      if (r.status === 'rejected') failed.push({ server, error: errorMessage(r.reason) });
      else
        for (const t of r.value.tools) {
          tools.push({ server, name: t.name, description: t.description ?? '', annotations: { ...(t.annotations ?? {}) }, inputSchema: t.inputSchema });
        }
    });
    return { tools, failed };
  }

  /** Runs one call with events and audit; never throws for tool failures (they are the outcome). */
  async run(rec: SessionRecord, server: string, tool: string, args: Record<string, unknown>, options: RunToolOptions): Promise<ToolOutcome> {
    const { callId, origin } = options;
    const events = this.sessions.events;
    await events.emit(rec.id, 'tool:started', { callId, server, tool, args, origin });
    const started = performance.now();
    const k = key(rec.id, server);
    let outcome: ToolOutcome;
    try {
      const sandbox = await this.sessions.sandbox(rec, server, options.signal);
      this.track(k, callId, true);
      try {
        const result = await sandbox.callTool(tool, args, {
          ...(options.signal ? { signal: options.signal } : {}),
          onProgress: (p) => {
            const of = p.total === undefined ? '' : `/${p.total}`;
            void events.emit(rec.id, 'tool:output', { callId, server, stream: 'progress', text: `${p.progress}${of}${p.message ? ` ${p.message}` : ''}` });
          },
        });
        outcome = { ok: true, result, text: renderToolResult(result), durationMs: Math.round(performance.now() - started) };
      } finally {
        this.track(k, callId, false);
      }
    } catch (err) {
      const error = err instanceof McpgwError ? err : new McpgwError('tool_failed', errorMessage(err), { cause: err });
      outcome = { ok: false, error, durationMs: Math.round(performance.now() - started) };
    }
    await this.report(rec, server, tool, outcome, options);
    return outcome;
  }

  private async report(rec: SessionRecord, server: string, tool: string, outcome: ToolOutcome, options: RunToolOptions): Promise<void> {
    const { callId } = options;
    const summary = outcome.ok ? truncateMiddle(outcome.text, SUMMARY_CHARS).text : outcome.error.message;
    await this.sessions.events.emit(rec.id, 'tool:result', {
      callId,
      server,
      tool,
      ok: outcome.ok && !outcome.result.isError,
      summary,
      ...(outcome.ok ? {} : { error: { code: outcome.error.code, message: outcome.error.message } }),
      durationMs: outcome.durationMs,
    });
    await this.sessions.store.audit({
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
  }

  /** A call the user makes directly: run it, and note it for the model's next turn. */
  async callDirect(user: string, rec: SessionRecord, server: string, tool: string, args: Record<string, unknown>): Promise<ToolCallResult> {
    const callId = newId('c');
    const outcome = await this.run(rec, server, tool, args, { callId, origin: 'user', user });
    if (!outcome.ok) throw outcome.error;
    const note = truncateMiddle(outcome.text, NOTE_CHARS).text;
    await this.sessions.store.pushNote(
      rec.id,
      `[The user ran the tool ${server}/${tool} directly with arguments ${JSON.stringify(args)}. ${outcome.result.isError ? 'It reported an error' : 'Result'}:\n${note}]`,
    );
    return {
      callId,
      ok: !outcome.result.isError,
      isError: Boolean(outcome.result.isError),
      text: outcome.text,
      ...(outcome.result.structuredContent === undefined ? {} : { structuredContent: outcome.result.structuredContent }),
      durationMs: outcome.durationMs,
    };
  }

  /** Sandbox log hook: stderr and MCP log lines, attributed to the call when exactly one is in flight. */
  onLog(sessionId: string, server: string, line: string): void {
    const calls = this.inFlight.get(key(sessionId, server));
    const callId = calls?.size === 1 ? [...calls][0] : undefined;
    void this.sessions.events.emit(sessionId, 'tool:output', { ...(callId ? { callId } : {}), server, stream: line.startsWith('[') ? 'log' : 'stderr', text: line });
  }

  private track(k: string, callId: string, add: boolean): void {
    const set = this.inFlight.get(k) ?? new Set<string>();
    if (add) set.add(callId);
    else set.delete(callId);
    if (set.size === 0) this.inFlight.delete(k);
    else this.inFlight.set(k, set);
  }
}
