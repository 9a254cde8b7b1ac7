import type { ToolCallItem } from '../../../src/view/index.js';
import { describeDecider } from '../../../src/view/index.js';

/**
 * How a call was decided, in one sentence: "Approved once by you", "Denied by policy (rule): reason", or, when
 * another client answered while this page showed the card, "Answered by alice in another client: denied".
 */
export function describeDecision(item: ToolCallItem, me: string | undefined, elsewhere = false): string | undefined {
  const d = item.decision;
  if (!d) return undefined;
  const how = d.decision === 'deny' ? 'denied' : d.scope === 'session' ? 'approved for the rest of this session' : 'approved once';
  const why = d.reason ? `: ${d.reason}` : '';
  if (d.by.kind === 'timeout') return `No answer in time: ${how}${why}`;
  const who = describeDecider(d.by, me);
  if (d.by.kind === 'user' && elsewhere) return `Answered by ${who} in another client: ${how}${why}`;
  return `${how.charAt(0).toUpperCase()}${how.slice(1)} by ${who}${why}`;
}
