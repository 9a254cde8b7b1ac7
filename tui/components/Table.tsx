import { Box } from 'ink';
import { layoutTable } from '../../src/text/table.js';
import { Text } from './Text.js';

export interface TableProps {
  headers: readonly string[];
  rows: ReadonlyArray<readonly string[]>;
  /** Columns available; the table shrinks its widest columns to fit. */
  maxWidth?: number;
  /** Shown instead of an empty table. */
  empty?: string;
  /** Cells are prose (a model's Markdown table): emoji sequences stay whole. */
  emoji?: boolean;
}

/** An aligned table with a bold header; the same layout as `formatTable` (src/text/table.ts). */
export function Table({ headers, rows, maxWidth, empty, emoji = false }: TableProps) {
  if (rows.length === 0 && empty) return <Text dimColor>{empty}</Text>;
  const layout = layoutTable(headers, rows, maxWidth, { emoji });
  return (
    <Box flexDirection="column">
      <Text bold>{layout.header}</Text>
      <Text dimColor>{layout.rule}</Text>
      {layout.rows.map((row, i) => (
        <Text key={i} wrap="truncate-end" emoji={emoji}>
          {row}
        </Text>
      ))}
    </Box>
  );
}
