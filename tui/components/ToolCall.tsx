import { Box } from 'ink';
import { assertNever } from '../../src/checks.js';
import { formatMs } from '../../src/text/table.js';
import { inlineArgs } from '../../src/view/args.js';
import { callName, describeDecider, formatElapsed } from '../../src/view/format.js';
import type { ToolCallItem } from '../../src/view/types.js';
import { useTicker } from './Spinner.js';
import { ResultItems } from './ResultItems.js';
import { callGlyph, theme } from './theme.js';
import { ToolConsole } from './ToolConsole.js';
import { Text } from './Text.js';

export interface ToolCallProps {
  call: ToolCallItem;
  /** Whether output lines are shown (the console toggle). */
  consoleOpen: boolean;
  consoleHeight?: number;
  /** The user's name, so their own decisions read "you". */
  me?: string;
  /** Lines of the result summary shown under a finished call. */
  summaryLines?: number;
}

/** One tool call: what ran, how it was decided, its live output while it runs, and a summary of its result. */
export function ToolCall({ call, consoleOpen, consoleHeight = 6, me, summaryLines = 4 }: ToolCallProps) {
  const { mark, color } = callGlyph(call.status);
  const summary = call.result ? call.result.summary.split('\n') : [];
  return (
    <Box flexDirection="column">
      <Text>
        <Text color={color} bold>{`${mark} `}</Text>
        <Text bold>{callName(call)}</Text>
        {call.server ? <Text dimColor>{` ${inlineArgs(call.args)}`}</Text> : null}
        {call.origin === 'user' ? <Text dimColor> (run by you)</Text> : null}
        <Text>{'  '}</Text>
        <CallState call={call} {...(me === undefined ? {} : { me })} />
      </Text>
      <ToolConsole lines={call.output} dropped={call.droppedOutput} open={consoleOpen} height={consoleHeight} />
      {call.result ? (
        <Box flexDirection="column" paddingLeft={2}>
          {summary.slice(0, summaryLines).map((line, i) => (
            <Text key={i} color={call.result?.ok ? undefined : theme.error} wrap="truncate-end" emoji>
              {`${i === 0 ? '⎿ ' : '  '}${line}`}
            </Text>
          ))}
          {summary.length > summaryLines ? <Text dimColor>{`  … ${summary.length - summaryLines} more lines`}</Text> : null}
        </Box>
      ) : null}
      {call.result ? <ResultItems result={call.result} /> : null}
    </Box>
  );
}

function CallState({ call, me }: { call: ToolCallItem; me?: string }) {
  const decision = call.decision;
  const by = decision ? describeDecider(decision.by, me) : undefined;
  switch (call.status) {
    case 'awaiting_approval':
      return <Text color={theme.warn}>waiting for approval</Text>;
    case 'approved':
      return <Text dimColor>{`approved by ${by ?? 'policy'}${decision?.scope === 'session' ? ' for this session' : ''}`}</Text>;
    case 'running':
      return <Running call={call} />;
    case 'succeeded':
    case 'failed':
      return (
        <Text>
          <Text color={call.status === 'succeeded' ? theme.ok : theme.error}>
            {call.status === 'succeeded' ? 'ok' : `failed${call.result?.error ? ` (${call.result.error.code})` : ''}`}
          </Text>
          <Text dimColor>{` · ${formatMs(call.result?.durationMs ?? 0)}`}</Text>
          {by && decision?.by.kind !== 'policy' ? (
            <Text dimColor>{` · approved by ${by}${decision?.scope === 'session' ? ' for this session' : ''}`}</Text>
          ) : null}
        </Text>
      );
    case 'denied':
      return (
        <Text color={theme.error}>
          {`denied by ${by ?? 'someone'}`}
          {decision?.reason ? <Text dimColor>{`: ${decision.reason}`}</Text> : null}
        </Text>
      );
    case 'interrupted':
      return <Text color={theme.warn}>{`interrupted: ${call.interruptedReason}`}</Text>;
    default:
      return assertNever(call);
  }
}

function Running({ call }: { call: ToolCallItem }) {
  useTicker(1000);
  return <Text color={theme.accent}>{`running ${formatElapsed(Date.now() - (call.startedAt ?? call.ts))}`}</Text>;
}
