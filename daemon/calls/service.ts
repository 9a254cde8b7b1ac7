import { McpgwError } from '../../src/errors.js';
import type { Policy } from '../../src/policy/index.js';
import type { ToolCallResult } from '../../src/protocol/session.js';
import { truncateMiddle } from '../../src/text/truncate.js';
import { newId } from '../sessions/ids.js';
import type { HistoryStore, SessionRecord } from '../store/ports.js';
import { ToolCall, type CallRequest, type ToolCallDeps } from './tool-call.js';
import type { TerminalState } from './state.js';

const NOTE_CHARS = 4000;

export interface ToolCallsOptions extends ToolCallDeps {
  store: ToolCallDeps['store'] & Pick<HistoryStore, 'pushNote'>;
}

/** Where tool calls start: the model's calls (in a turn) and the ones a user makes directly. */
export class ToolCalls {
  constructor(private readonly deps: ToolCallsOptions) {}

  /** One call the model asked for, decided by the session's policy (or a person); resolves with how it ended. */
  agentCall(
    request: Omit<CallRequest, 'origin'>,
    policy: Policy,
    options: { headless: boolean; signal: AbortSignal },
  ): Promise<TerminalState> {
    return new ToolCall(this.deps, { ...request, origin: 'agent' }).run(policy, options);
  }

  /** A call the user makes directly: it runs, and the model is told about it on its next turn. Failures are thrown. */
  async callDirect(user: string, rec: SessionRecord, server: string, tool: string, args: Record<string, unknown>): Promise<ToolCallResult> {
    const callId = newId('c');
    const note = async (end: TerminalState): Promise<void> => {
      if (end.status !== 'succeeded') return;
      const text = truncateMiddle(end.text, NOTE_CHARS).text;
      const what = end.result.isError ? 'It reported an error' : 'Result';
      await this.deps.store.pushNote(
        rec.id,
        `[The user ran the tool ${server}/${tool} directly with arguments ${JSON.stringify(args)}. ${what}:\n${text}]`,
      );
    };
    const call = new ToolCall(this.deps, { session: rec, callId, server, tool, args, origin: 'user', user, annotations: {} });
    const end = await call.runDirect(note);
    switch (end.status) {
      case 'succeeded':
        return {
          callId,
          ok: !end.result.isError,
          isError: Boolean(end.result.isError),
          text: end.text,
          ...(end.result.structuredContent === undefined ? {} : { structuredContent: end.result.structuredContent }),
          durationMs: end.durationMs,
        };
      case 'failed':
        throw end.error;
      case 'cancelled':
        throw new McpgwError('cancelled', end.reason);
      default:
        throw new McpgwError('internal', `a direct call ended ${end.status}`);
    }
  }
}
