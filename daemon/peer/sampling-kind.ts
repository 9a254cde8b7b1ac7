import type { SamplingAnswer } from '../../src/protocol/sampling.js';
import type { Unanswered } from '../questions/kinds.js';

/** A sampling question nobody answered: the server's request is declined (silence never lets text reach the model). */
export function samplingSilence(why: Unanswered): SamplingAnswer {
  const reason =
    why === 'expired'
      ? 'nobody answered in time'
      : why === 'cancelled'
        ? 'the request was cancelled'
        : 'the daemon restarted while this request was pending';
  return { kind: 'sampling', decision: 'deny', reason };
}

/** A person's answer to a sampling question, normalised: a denial always carries a reason (the server is told it). */
export function acceptSamplingAnswer(answer: SamplingAnswer): SamplingAnswer {
  return answer.decision === 'approve'
    ? { kind: 'sampling', decision: 'approve', ...(answer.reason ? { reason: answer.reason } : {}) }
    : { kind: 'sampling', decision: 'deny', reason: answer.reason?.trim() || 'the user declined' };
}
