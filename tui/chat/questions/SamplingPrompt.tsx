import { useState } from 'react';
import { Box } from 'ink';
import { samplingAnswer } from '../../../src/client/questions.js';
import type { SamplingAsk } from '../../../src/protocol/sampling.js';
import type { QuestionAnswerInput } from '../../../src/protocol/questions.js';
import { samplingHeadline, samplingRows } from '../../../src/view/sampling.js';
import { useKeys } from '../../components/keys.js';
import { TextInput } from '../../components/TextInput.js';
import { theme } from '../../components/theme.js';
import { Text } from '../../components/Text.js';

export interface SamplingPromptProps {
  server: string;
  ask: SamplingAsk;
  onAnswer: (answer: QuestionAnswerInput) => void;
  queued?: number;
  sending?: boolean;
  /** Rows the request may take; the rest of each long text is cut (with a note) so the prompt fits. */
  rows?: number;
}

/**
 * A server's sampling request (or, at the second checkpoint, the model's answer to it): every field a person needs,
 * all of it server or model text made inert by Text. y approves, n declines (then a reason for the server may be typed).
 */
export function SamplingPrompt({ server, ask, onAnswer, queued = 0, sending = false, rows = 20 }: SamplingPromptProps) {
  const [mode, setMode] = useState<'choose' | 'reason'>('choose');
  const [reason, setReason] = useState('');
  const perRow = Math.max(2, Math.floor(Math.max(6, rows) / 3));
  useKeys(
    (input) => {
      const key = input.toLowerCase();
      if (key === 'y') onAnswer(samplingAnswer('approve'));
      else if (key === 'n') setMode('reason');
    },
    { isActive: mode === 'choose' && !sending },
  );
  useKeys(
    (_input, key) => {
      if (key.escape) setMode('choose');
    },
    { isActive: mode === 'reason' && !sending },
  );
  const verb = ask.phase === 'request' ? 'send this to the model' : 'return this answer to the server';
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.warn} paddingX={1}>
      <Text>
        <Text color={theme.warn} bold>
          {samplingHeadline(ask)}
        </Text>
        {queued > 0 ? <Text dimColor>{`  (${queued} more waiting)`}</Text> : null}
      </Text>
      <Text>
        <Text dimColor>server </Text>
        <Text bold>{server}</Text>
        <Text dimColor>{`  (its text is shown as sent; it is not verified)`}</Text>
      </Text>
      {samplingRows(ask).map((row, i) => {
        // One line for a fact (limits, budget, why); server and model text on lines of its own, cut to fit.
        if (!row.prose)
          return (
            <Text key={i}>
              <Text dimColor>{`${row.label}: `}</Text>
              {row.text}
            </Text>
          );
        const lines = row.text.split('\n');
        const shown = lines.slice(0, perRow);
        return (
          <Box key={i} flexDirection="column">
            <Text dimColor>{`${row.label}:`}</Text>
            <Box flexDirection="column" paddingLeft={2}>
              {shown.map((line, j) => (
                <Text key={j} color={theme.code}>
                  {line}
                </Text>
              ))}
              {lines.length > shown.length ? <Text dimColor>{`… ${lines.length - shown.length} more lines`}</Text> : null}
            </Box>
          </Box>
        );
      })}
      {sending ? (
        <Text dimColor>sending your answer…</Text>
      ) : mode === 'choose' ? (
        <Text>
          <Text color={theme.accent} bold>
            {' [y]'}
          </Text>
          {` ${verb} `}
          <Text color={theme.accent} bold>
            {' [n]'}
          </Text>
          {' decline'}
        </Text>
      ) : (
        <Box flexDirection="column">
          <Text>Decline. Tell the server why (optional; enter sends, esc goes back):</Text>
          <TextInput
            value={reason}
            onChange={setReason}
            onSubmit={(text) => onAnswer(samplingAnswer('deny', text.trim() || undefined))}
            isActive={!sending}
            prompt="reason> "
          />
        </Box>
      )}
    </Box>
  );
}
