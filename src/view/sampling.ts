import type { SamplingAsk, SamplingPartView } from '../protocol/sampling.js';
import { formatBytes } from '../text/bytes.js';

/** One row of a sampling question as both clients show it: a label, and the (untrusted, unsanitised) text. */
export interface SamplingRow {
  label: string;
  text: string;
  /** Server or model text that may span lines (render it with the client's safe multi-line text). */
  prose?: boolean;
}

/** The question's headline: which checkpoint this is. */
export function samplingHeadline(ask: SamplingAsk): string {
  return ask.phase === 'request' ? 'A server asks the model to write (sampling)' : "Return the model's answer to the server?";
}

function part(p: SamplingPartView): string {
  switch (p.type) {
    case 'text':
      return p.text;
    case 'image':
    case 'audio':
      return `[${p.type} ${p.mimeType}, ${formatBytes(p.bytes)}]`;
    default:
      return `[${p.what}]`;
  }
}

/**
 * Every field of the request a person should judge, in order: the system prompt and messages in full, then the
 * limits and the server's preferences (shown, never obeyed), then the budget; at the second checkpoint the answer first.
 */
export function samplingRows(ask: SamplingAsk): SamplingRow[] {
  const { request } = ask;
  const rows: SamplingRow[] = [];
  // At the second checkpoint the answer is what is decided on: it comes first, the request after it for reference.
  if (ask.phase === 'result' && ask.result) {
    const { result } = ask;
    rows.push({
      label: 'the answer',
      text: `${result.text}${result.truncated ? '\n[cut to what can be shown: the server gets exactly this]' : ''}`,
      prose: true,
    });
    rows.push({ label: 'answer by', text: `${result.model}, ${result.tokens} tokens, stop: ${result.stopReason}` });
  }
  if (request.systemPrompt !== undefined) rows.push({ label: 'system prompt', text: request.systemPrompt, prose: true });
  for (const [i, message] of request.messages.entries())
    rows.push({ label: `${i + 1}. ${message.role}`, text: message.parts.map(part).join('\n'), prose: true });
  const limits = [`maxTokens ${request.maxTokens}`];
  if (request.temperature !== undefined) limits.push(`temperature ${request.temperature}`);
  if (request.stopSequences?.length) limits.push(`stop at ${request.stopSequences.map((s) => JSON.stringify(s)).join(', ')}`);
  rows.push({ label: 'limits', text: limits.join(', ') });
  const prefs = request.modelPreferences;
  if (prefs) {
    const said = [prefs.hints.length > 0 ? `hints ${prefs.hints.join(', ')}` : 'no hints'];
    for (const key of ['costPriority', 'speedPriority', 'intelligencePriority'] as const)
      if (prefs[key] !== undefined) said.push(`${key} ${prefs[key]}`);
    rows.push({ label: 'model preferences', text: `${said.join(', ')} (not obeyed: ${ask.model} answers)` });
  } else rows.push({ label: 'model', text: ask.model });
  if (request.includeContext !== undefined && request.includeContext !== 'none')
    rows.push({ label: 'context asked for', text: `${request.includeContext} (mcpgw adds no context)` });
  if (ask.budget) {
    const max = ask.budget.max === undefined ? '' : ` of a ${ask.budget.max}-token budget`;
    rows.push({ label: 'used so far', text: `${ask.budget.used} sampling tokens in this session${max}` });
  }
  rows.push({ label: 'asked because', text: ask.decisionReason });
  return rows;
}
