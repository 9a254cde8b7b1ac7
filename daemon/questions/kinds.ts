import { assertNever } from '../../src/checks.js';
import { McpgwError } from '../../src/errors.js';
import { acceptElicitation, elicitationSilence } from './elicitation.js';
import { acceptSamplingAnswer, samplingSilence } from '../peer/sampling-kind.js';
import { questionAnswerSchema, type QuestionAnswer, type QuestionAnswerInput, type QuestionAsk } from '../../src/protocol/questions.js';

/** Why a question closed without a human's answer. */
export type Unanswered = 'expired' | 'cancelled' | 'restarted';

/**
 * The answer a question gets when nobody gives one: a tool call that nobody approved does not run. Every kind says
 * what silence means for it, so a new kind must decide this (the switch will not compile without it).
 */
export function answerForSilence(ask: QuestionAsk, why: Unanswered): QuestionAnswer {
  switch (ask.kind) {
    case 'tool_approval':
      return {
        kind: 'tool_approval',
        decision: 'deny',
        scope: 'once',
        reason:
          why === 'expired'
            ? 'the approval expired'
            : why === 'cancelled'
              ? 'the turn was cancelled'
              : 'the daemon restarted while this approval was pending',
      };
    case 'network_grant':
      // Nobody said yes: the sandbox stays on its list. Asked again at its next attempt after this one closes.
      return {
        kind: 'network_grant',
        decision: 'deny',
        reason: why === 'expired' ? 'nobody answered in time' : why === 'cancelled' ? 'the session ended' : 'the daemon restarted',
      };
    case 'elicitation':
      return elicitationSilence();
    case 'sampling':
      return samplingSilence(why);
    default:
      return assertNever(ask);
  }
}

/**
 * A person's answer made ready to record: checked against the question's kind and normalised (a denial applies to
 * this call only and always carries a reason, which the model is told).
 */
export function acceptAnswer(ask: QuestionAsk, input: QuestionAnswerInput): QuestionAnswer {
  const answer = questionAnswerSchema.parse(input);
  if (answer.kind !== ask.kind) throw new McpgwError('bad_request', `this question asks for a ${ask.kind} answer, not ${answer.kind}`);
  switch (answer.kind) {
    case 'tool_approval':
      return answer.decision === 'approve'
        ? { kind: 'tool_approval', decision: 'approve', scope: answer.scope, ...(answer.reason ? { reason: answer.reason } : {}) }
        : { kind: 'tool_approval', decision: 'deny', scope: 'once', reason: answer.reason?.trim() || 'the user denied this call' };
    case 'network_grant':
      return answer.decision === 'deny'
        ? { kind: 'network_grant', decision: 'deny', reason: answer.reason?.trim() || 'the user denied this access' }
        : { kind: 'network_grant', decision: answer.decision, ...(answer.reason ? { reason: answer.reason } : {}) };
    case 'elicitation':
      // The kinds match (checked above); TypeScript does not carry that over to `ask`.
      return acceptElicitation(ask as Extract<QuestionAsk, { kind: 'elicitation' }>, answer);
    case 'sampling':
      return acceptSamplingAnswer(answer);
    default:
      return assertNever(answer);
  }
}
