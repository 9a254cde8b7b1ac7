import { Box } from 'ink';
import { Table } from '../components/Table.js';
import { theme } from '../components/theme.js';
import type { Note } from './transcript.js';
import { Text } from '../components/Text.js';

const TONE: Record<Note['tone'], { color?: string; dim?: boolean; mark: string }> = {
  info: { color: theme.accent, mark: 'ℹ' },
  success: { color: theme.ok, mark: '✓' },
  warn: { color: theme.warn, mark: '!' },
  error: { color: theme.error, mark: '✗' },
  muted: { dim: true, mark: ' ' },
};

/** A line (or a titled table) the chat itself prints: command output, connection news, errors. */
export function NoteView({ note, width }: { note: Note; width?: number }) {
  const tone = TONE[note.tone];
  return (
    <Box flexDirection="column" marginTop={note.table ? 1 : 0}>
      {note.text ? (
        <Text color={tone.color} dimColor={tone.dim} bold={note.table !== undefined} multiline emoji>
          {`${tone.mark} ${note.text}`}
        </Text>
      ) : null}
      {note.table ? (
        <Box paddingLeft={2}>
          <Table
            headers={note.table.headers}
            rows={note.table.rows}
            empty="(none)"
            {...(width === undefined ? {} : { maxWidth: width - 2 })}
          />
        </Box>
      ) : null}
    </Box>
  );
}
