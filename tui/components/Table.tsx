import { Box, Text } from 'ink';
import { layoutTable } from '../../src/text/table.js';

export interface TableProps {
  headers: readonly string[];
  rows: ReadonlyArray<readonly string[]>;
  /** Columns available; the table shrinks its widest columns to fit. */
  maxWidth?: number;
  /** Shown instead of an empty table. */
  empty?: string;
}

/** An aligned table with a bold header; the same layout as `formatTable` (src/text/table.ts). */
export function Table({ headers, rows, maxWidth, empty }: TableProps) {
  if (rows.length === 0 && empty) return <Text dimColor>{empty}</Text>;
  const layout = layoutTable(headers, rows, maxWidth);
  return (
    <Box flexDirection="column">
      <Text bold>{layout.header}</Text>
      <Text dimColor>{layout.rule}</Text>
      {layout.rows.map((row, i) => (
        <Text key={i} wrap="truncate-end">
          {row}
        </Text>
      ))}
    </Box>
  );
}
