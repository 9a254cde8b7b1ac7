import { Box } from 'ink';
import type { NetworkGrantAsk, QuestionAnswerInput, ServerSubject } from '../../../src/protocol/questions.js';
import { useKeys } from '../../components/keys.js';
import { Text } from '../../components/Text.js';
import { theme } from '../../components/theme.js';

export interface NetworkGrantPromptProps {
  subject: ServerSubject;
  ask: NetworkGrantAsk;
  queued: number;
  sending: boolean;
  onAnswer: (answer: QuestionAnswerInput) => void;
}

/**
 * Asks whether a server's sandbox may reach a name its allowlist does not cover: o allows it once (until the call
 * it serves ends), s for the rest of this session, d denies. Server name and host come from the sandbox and are
 * shown through the sanitising Text component.
 */
export function NetworkGrantPrompt({ subject, ask, queued, sending, onAnswer }: NetworkGrantPromptProps) {
  useKeys(
    (input) => {
      const key = input.toLowerCase();
      if (key === 'o') onAnswer({ kind: 'network_grant', decision: 'once' });
      else if (key === 's') onAnswer({ kind: 'network_grant', decision: 'session' });
      else if (key === 'd' || key === 'n') onAnswer({ kind: 'network_grant', decision: 'deny' });
    },
    { isActive: !sending },
  );
  const where = ask.port === undefined ? `${ask.host} (ports 443 and 80)` : `${ask.host}:${ask.port}`;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.warn} paddingX={1}>
      <Text>
        <Text color={theme.warn} bold>
          Allow network access?
        </Text>
        {queued > 0 ? <Text dimColor>{`  (${queued} more waiting)`}</Text> : null}
      </Text>
      <Text>
        <Text dimColor>server </Text>
        <Text bold>{subject.server}</Text>
        <Text dimColor>{' wants '}</Text>
        <Text bold>{where}</Text>
      </Text>
      <Text>
        <Text dimColor>why asked: </Text>
        {`${ask.reason} (seen as ${ask.via})`}
      </Text>
      {sending ? (
        <Text dimColor>sending your answer…</Text>
      ) : (
        <Text>
          <Text color={theme.ok} bold>
            o
          </Text>
          {' once (this call)  '}
          <Text color={theme.ok} bold>
            s
          </Text>
          {' for this session  '}
          <Text color={theme.error} bold>
            d
          </Text>
          {' deny'}
        </Text>
      )}
    </Box>
  );
}
