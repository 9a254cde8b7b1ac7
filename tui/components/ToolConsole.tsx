import { Box } from 'ink';
import type { OutputLine } from '../../src/view/types.js';
import { theme } from './theme.js';
import { Text } from './Text.js';

export interface ToolConsoleProps {
  lines: readonly OutputLine[];
  /** Lines the view already let go of (beyond its bound). */
  dropped?: number;
  open: boolean;
  /** Rows shown when open; the newest lines stay in view (auto-scroll). */
  height?: number;
  toggleKey?: string;
}

const STREAM: Record<OutputLine['stream'], { mark: string; color?: string; dim?: boolean }> = {
  stderr: { mark: '│', dim: true },
  progress: { mark: '⋯', color: theme.accent },
  log: { mark: '▪', color: 'blue' },
  notice: { mark: '⚑', color: theme.warn },
};

/** A call's live output (stderr, progress, logs), bounded to the newest lines; collapsed to a one-line count. */
export function ToolConsole({ lines, dropped = 0, open, height = 6, toggleKey = 'ctrl-o' }: ToolConsoleProps) {
  if (lines.length === 0) return null;
  const total = lines.length + dropped;
  if (!open) {
    return <Text dimColor>{`  ▸ ${total} line${total === 1 ? '' : 's'} of output · ${toggleKey} to show`}</Text>;
  }
  const shown = lines.slice(-height);
  const hidden = total - shown.length;
  return (
    <Box flexDirection="column" paddingLeft={2}>
      {hidden > 0 ? (
        <Text dimColor>{`▾ ${hidden} earlier line${hidden === 1 ? '' : 's'} · ${toggleKey} to hide`}</Text>
      ) : (
        <Text dimColor>{`▾ output · ${toggleKey} to hide`}</Text>
      )}
      {shown.map((line) => {
        const style = STREAM[line.stream];
        return (
          <Text key={line.seq} wrap="truncate-end">
            <Text color={style.color} dimColor={style.dim}>{`${style.mark} `}</Text>
            <Text dimColor={style.dim} emoji>
              {line.text}
            </Text>
          </Text>
        );
      })}
    </Box>
  );
}
