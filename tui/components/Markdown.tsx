import { Box } from 'ink';
import { parseMarkdown, type Block, type Inline } from './markdown.js';
import { Table } from './Table.js';
import { theme } from './theme.js';
import { Text } from './Text.js';

export interface MarkdownProps {
  text: string;
  width?: number;
}

/** Renders Markdown for a terminal: styled headings and emphasis, fenced code in a gutter, lists, quotes, tables. */
export function Markdown({ text, width }: MarkdownProps) {
  const blocks = parseMarkdown(text);
  return (
    <Box flexDirection="column">
      {blocks.map((block, i) => (
        <BlockView key={i} block={block} {...(width === undefined ? {} : { width })} />
      ))}
    </Box>
  );
}

function BlockView({ block, width }: { block: Block; width?: number }) {
  switch (block.kind) {
    case 'heading':
      return (
        <Text bold underline={block.level === 1} color={block.level <= 2 ? theme.accent : undefined}>
          <Runs inline={block.inline} />
        </Text>
      );
    case 'paragraph':
      return (
        <Text>
          <Runs inline={block.inline} />
        </Text>
      );
    case 'code':
      return (
        <Box
          flexDirection="column"
          borderStyle="single"
          borderLeft
          borderTop={false}
          borderBottom={false}
          borderRight={false}
          borderColor={theme.muted}
          paddingLeft={1}
        >
          {block.lang ? <Text dimColor>{block.lang}</Text> : null}
          {block.lines.map((line, i) => (
            <Text key={i} color={theme.code} emoji>
              {line === '' ? ' ' : line}
            </Text>
          ))}
        </Box>
      );
    case 'item':
      return (
        <Box paddingLeft={block.depth * 2}>
          <Text color={theme.accent}>{`${block.marker} `}</Text>
          <Text>
            <Runs inline={block.inline} />
          </Text>
        </Box>
      );
    case 'quote':
      return (
        <Text dimColor italic>
          {'▌ '}
          <Runs inline={block.inline} />
        </Text>
      );
    case 'rule':
      return <Text dimColor>{'─'.repeat(Math.max(3, Math.min(width ?? 40, 60)))}</Text>;
    case 'table':
      return <Table headers={block.header} rows={block.rows} emoji {...(width === undefined ? {} : { maxWidth: width })} />;
    case 'blank':
      return <Text> </Text>;
  }
}

function Runs({ inline }: { inline: Inline[] }) {
  return (
    <>
      {inline.map((run, i) => {
        switch (run.kind) {
          case 'text':
            // Wrapped here, not returned bare: only strings inside our Text are made safe.
            return (
              <Text key={i} multiline emoji>
                {run.text}
              </Text>
            );
          case 'bold':
            return (
              <Text key={i} bold emoji>
                {run.text}
              </Text>
            );
          case 'italic':
            return (
              <Text key={i} italic emoji>
                {run.text}
              </Text>
            );
          case 'strike':
            return (
              <Text key={i} strikethrough emoji>
                {run.text}
              </Text>
            );
          case 'code':
            return (
              <Text key={i} color={theme.code} emoji>
                {run.text}
              </Text>
            );
          case 'link':
            return (
              <Text key={i}>
                <Text underline color={theme.accent} emoji>
                  {run.text}
                </Text>
                <Text dimColor>{` (${run.url})`}</Text>
              </Text>
            );
        }
      })}
    </>
  );
}
