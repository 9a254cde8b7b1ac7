import { assertNever } from '../../src/checks.js';
import { truncateMiddle } from '../../src/text/truncate.js';
import type { CallDecision, TerminalState } from './state.js';

/** What the model is told about a call that ended: its output, or why there is none. */
export type ModelReply = { output: string } | { error: string };

/**
 * The function response for a call's terminal state. Every call gets one, also when it was denied, expired, was
 * cancelled or its sandbox crashed, so the history stays valid and the model learns what happened.
 */
export function replyFor(end: TerminalState, maxChars: number): ModelReply {
  switch (end.status) {
    case 'succeeded': {
      const { text, truncated } = truncateMiddle(end.text, maxChars);
      const output = truncated ? `${text}\n[mcpgw cut this output to ${maxChars} characters]` : text;
      return end.result.isError ? { error: output } : { output };
    }
    case 'failed':
      return { error: `${end.error.code}: ${end.error.message}` };
    case 'denied':
      return { error: denial(end.decision) };
    case 'expired':
      return { error: 'Not run: nobody approved this call before the approval expired.' };
    case 'cancelled':
      return { error: 'The user cancelled this call.' };
    default:
      return assertNever(end);
  }
}

function denial(decision: CallDecision): string {
  const why = decision.reason ?? '';
  switch (decision.by.kind) {
    case 'policy':
      return `Denied by policy: ${why}`;
    case 'headless':
      return `Not run: ${why}.`;
    case 'user':
      return `The user denied this call: ${why}`;
    case 'timeout':
      return 'Not run: nobody approved this call before the approval expired.';
    default:
      return assertNever(decision.by);
  }
}
