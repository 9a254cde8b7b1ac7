import { checkContent, describeProblems } from '../../src/elicitation/validate.js';
import { McpgwError } from '../../src/errors.js';
import type { ElicitationAnswer, ElicitationAsk } from '../../src/protocol/index.js';

/** What silence means for an elicitation (expiry, a cancelled turn, a restart): the person dismissed it. */
export function elicitationSilence(): ElicitationAnswer {
  return { kind: 'elicitation', action: 'cancel' };
}

/**
 * A person's answer to an elicitation, made ready to send to the server: an accepted form's content is checked
 * against the form (one implementation with the clients, src/elicitation), a URL is accepted without content, and
 * a decline or cancel carries nothing. A form that does not fit is refused with every problem (the question stays open).
 */
export function acceptElicitation(ask: ElicitationAsk, answer: ElicitationAnswer): ElicitationAnswer {
  if (answer.action !== 'accept') return { kind: 'elicitation', action: answer.action };
  if (ask.mode === 'url') {
    if (answer.content !== undefined) throw new McpgwError('bad_request', 'a URL elicitation is accepted without content');
    return { kind: 'elicitation', action: 'accept' };
  }
  const checked = checkContent(ask.fields, answer.content ?? {});
  if (!checked.ok) throw new McpgwError('bad_request', `the form does not fit: ${describeProblems(ask.fields, checked.problems)}`);
  return { kind: 'elicitation', action: 'accept', content: checked.content };
}
