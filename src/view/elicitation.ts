import type { SessionEventOf } from '../protocol/events.js';
import type { ElicitationAnswer } from '../protocol/questions.js';
import { describeDecider } from './format.js';
import { push } from './items.js';
import type { QuestionView, SessionView } from './types.js';

const ACTIONS = { accept: 'accepted', decline: 'declined', cancel: 'cancelled' } as const;

/** How an elicitation ended, in one line: "input requested: accepted by alice (2 fields)". */
export function elicitationOutcome(
  answer: ElicitationAnswer,
  by: SessionEventOf<'question:answered'>['by'],
  question?: QuestionView,
): string {
  // A URL stays in the transcript as text to copy: opening it is the person's own act.
  const what =
    question?.ask.kind === 'elicitation' && question.ask.mode === 'url' ? `asked to open ${question.ask.url.href}` : 'asked for input';
  const who = by.kind === 'timeout' ? ' (no answer in time)' : ` by ${describeDecider(by)}`;
  const n = answer.content ? Object.keys(answer.content).length : 0;
  const fields = answer.content ? ` (${n} field${n === 1 ? '' : 's'} sent)` : '';
  return `${what}: ${ACTIONS[answer.action]}${who}${fields}`;
}

/** An answered elicitation stays in the transcript as a line under its server's name (never its values). */
export function elicitationAnswered(
  view: SessionView,
  before: SessionView,
  event: SessionEventOf<'question:answered'>,
  answer: ElicitationAnswer,
): SessionView {
  const question = before.questions.find((q) => q.questionId === event.questionId);
  return push(view, {
    kind: 'notice',
    key: `elicitation:${event.seq}`,
    seq: event.seq,
    ts: event.ts,
    server: event.subject.server,
    text: elicitationOutcome(answer, event.by, question),
  });
}
