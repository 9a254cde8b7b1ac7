import { Box } from 'ink';
import type { ElicitationAsk, QuestionAnswerInput } from '../../../src/protocol/index.js';
import { useKeys } from '../../components/keys.js';
import { theme } from '../../components/theme.js';
import { Text } from '../../components/Text.js';
import { FormPrompt } from './FormPrompt.js';
import { KeyHints } from './KeyHints.js';

export interface ElicitationFormProps {
  server: string;
  ask: ElicitationAsk;
  queued: number;
  sending: boolean;
  onAnswer: (answer: QuestionAnswerInput) => void;
}

/**
 * A server asks the person for input. Which server asks and its message (untrusted text, made inert) stay on top
 * whatever else is shown. A form is filled one field at a time (enter goes on; esc opens the summary, where the
 * answer is sent, declined or cancelled); a URL is shown with its host first and is never opened by mcpgw.
 * This file is the frame and the URL mode; the form walk is FormPrompt.tsx and each field's editor FieldInput.tsx.
 */
export function ElicitationForm({ server, ask, queued, sending, onAnswer }: ElicitationFormProps) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.warn} paddingX={1}>
      <Text>
        <Text color={theme.warn} bold>
          {ask.mode === 'url' ? 'A server asks you to open a link' : 'A server asks for input'}
        </Text>
        {queued > 0 ? <Text dimColor>{`  (${queued} more waiting)`}</Text> : null}
      </Text>
      <Text>
        <Text dimColor>server </Text>
        <Text bold>{server}</Text>
        <Text dimColor> (its words below, not mcpgw's)</Text>
      </Text>
      <Box paddingLeft={2}>
        <Text multiline>{ask.message}</Text>
      </Box>
      {ask.mode === 'url' ? (
        <UrlPrompt ask={ask} sending={sending} onAnswer={onAnswer} />
      ) : (
        <FormPrompt fields={ask.fields} sending={sending} onAnswer={onAnswer} />
      )}
    </Box>
  );
}

/** The URL mode: where the link goes, host first; the person opens it themselves or declines. */
function UrlPrompt({
  ask,
  sending,
  onAnswer,
}: {
  ask: Extract<ElicitationAsk, { mode: 'url' }>;
  sending: boolean;
  onAnswer: (a: QuestionAnswerInput) => void;
}) {
  useKeys(
    (input) => {
      const key = input.toLowerCase();
      if (key === 'a') onAnswer({ kind: 'elicitation', action: 'accept' });
      else if (key === 'd') onAnswer({ kind: 'elicitation', action: 'decline' });
      else if (key === 'c') onAnswer({ kind: 'elicitation', action: 'cancel' });
    },
    { isActive: !sending },
  );
  return (
    <Box flexDirection="column">
      <Text>
        <Text dimColor>goes to </Text>
        <Text bold color={theme.error}>
          {ask.url.host}
        </Text>
        {ask.url.secure ? null : <Text color={theme.error}> (not encrypted: http)</Text>}
      </Text>
      <Text color={theme.code}>{ask.url.href}</Text>
      <Text dimColor>mcpgw does not open it: copy it into your browser yourself if you trust {ask.url.host}.</Text>
      {sending ? (
        <Text dimColor>sending your answer…</Text>
      ) : (
        <KeyHints
          keys={[
            ['a', 'I will open it'],
            ['d', 'decline'],
            ['c', 'cancel'],
          ]}
        />
      )}
    </Box>
  );
}
