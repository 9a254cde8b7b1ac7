import { assertNever } from '../../src/checks.js';
import { approvalAnswer } from '../../src/client/index.js';
import type { QuestionAnswerInput } from '../../src/protocol/questions.js';
import { subjectCallId } from '../../src/protocol/subjects.js';
import { findCall } from '../../src/view/select.js';
import type { QuestionView, SessionView } from '../../src/view/types.js';
import { ApprovalPrompt } from '../components/ApprovalPrompt.js';
import { NetworkGrantPrompt } from './questions/NetworkGrantPrompt.js';
import { ElicitationForm } from './questions/ElicitationForm.js';
import { SamplingPrompt } from './questions/SamplingPrompt.js';

export interface QuestionPromptProps {
  view: SessionView;
  question: QuestionView;
  /** Other questions waiting behind this one. */
  queued: number;
  sending: boolean;
  argRows: number;
  onAnswer: (answer: QuestionAnswerInput) => void;
}

/** The question a person is asked now, shown by its kind (a tool approval is shown with its call). */
export function QuestionPrompt({ view, question, queued, sending, argRows, onAnswer }: QuestionPromptProps) {
  switch (question.ask.kind) {
    case 'tool_approval': {
      const call = findCall(view, subjectCallId(question.subject) ?? '');
      if (call?.status !== 'awaiting_approval') return null;
      return (
        <ApprovalPrompt
          call={call}
          queued={queued}
          sending={sending}
          argRows={argRows}
          onAnswer={(choice) => onAnswer(approvalAnswer(choice))}
        />
      );
    }
    case 'network_grant':
      if (question.subject.kind !== 'server') return null;
      return <NetworkGrantPrompt subject={question.subject} ask={question.ask} queued={queued} sending={sending} onAnswer={onAnswer} />;
    case 'elicitation':
      return <ElicitationForm server={question.subject.server} ask={question.ask} queued={queued} sending={sending} onAnswer={onAnswer} />;
    case 'sampling':
      return (
        <SamplingPrompt
          server={question.subject.server}
          ask={question.ask}
          queued={queued}
          sending={sending}
          rows={argRows}
          onAnswer={onAnswer}
        />
      );
    default:
      return assertNever(question.ask);
  }
}
