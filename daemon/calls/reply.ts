import { assertNever } from '../../src/checks.js';
import { renderToolResult } from '../../src/text/tool-result.js';
import { truncateMiddle } from '../../src/text/truncate.js';
import { richResult, withoutRedundantText, type InlineMedia, type RichLimits } from '../../src/tools/rich-result.js';
import type { CallDecision, TerminalState } from './state.js';

/**
 * What the model is told about a call that ended: its output (with the tool's structured content, when it has one
 * that fits), or why there is none; and the images and clips it returned, sent as inline data beside the response.
 */
export type ModelReply = ({ output: string; structuredContent?: unknown } | { error: string }) & { media?: InlineMedia[] };

/**
 * The function response for a call's terminal state. Every call gets one, also when it was denied, expired, was
 * cancelled or its sandbox crashed, so the history stays valid and the model learns what happened.
 */
export function replyFor(end: TerminalState, maxChars: number, limits?: RichLimits): ModelReply {
  switch (end.status) {
    case 'succeeded': {
      const rich = richResult(end.result, limits);
      // The structured content goes as JSON in the response (the SDK checked it against the tool's outputSchema);
      // one too large for the budget is left to the text content, which carries it too.
      const json = end.result.structuredContent === undefined ? undefined : JSON.stringify(end.result.structuredContent);
      const structured = json !== undefined && json.length <= maxChars;
      const plain = rich.mediaNotes.length === 0 && !structured;
      // With the structured content in the response, text that only repeats it is left out of the output.
      const content = structured ? withoutRedundantText(end.result) : end.result;
      // mcpd's own notes for the model (a network grant asked while the call ran) follow the tool's text in end.text.
      const base = renderToolResult(end.result);
      const notes = end.text.startsWith(base) ? end.text.slice(base.length) : '';
      const rendered = plain
        ? end.text
        : renderToolResult(content, { mediaNotes: rich.mediaNotes, structuredFallback: !structured }) + notes;
      const { text, truncated } = truncateMiddle(rendered, maxChars);
      const output = truncated ? `${text}\n[mcpgw cut this output to ${maxChars} characters]` : text;
      const media = rich.media.length > 0 ? { media: rich.media } : {};
      if (end.result.isError) return { error: output, ...media };
      return { output, ...(structured ? { structuredContent: end.result.structuredContent } : {}), ...media };
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
