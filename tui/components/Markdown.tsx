import { Box } from 'ink';
import { parseMarkdown, plainText, type Block, type Inline } from '../../src/markdown/index.js';
import { assertNever } from '../../src/checks.js';
import { Table } from './Table.js';
import { theme } from './theme.js';
import { Text, type TextProps } from './Text.js';

export interface MarkdownProps {
  text: string;
  width?: number;
}

/**
 * Renders Markdown for a terminal from the tree both clients share (src/markdown): styled headings and emphasis,
 * fenced code in a gutter, lists, quotes, tables; a blank line between blocks. Links show their address.
 */
export function Markdown({ text, width }: MarkdownProps) {
  return <Blocks blocks={parseMarkdown(text)} spaced {...(width === undefined ? {} : { width })} />;
}

function Blocks({ blocks, width, spaced }: { blocks: Block[]; width?: number; spaced: boolean }) {
  return (
    // The width is set, not left to flex: an unbroken run would otherwise size the column past the screen.
    <Box flexDirection="column" {...(width === undefined ? {} : { width })}>
      {blocks.map((block, i) => (
        <Box key={i} flexDirection="column">
          {spaced && i > 0 ? <Text> </Text> : null}
          <BlockView block={block} {...(width === undefined ? {} : { width })} />
        </Box>
      ))}
    </Box>
  );
}

function BlockView({ block, width }: { block: Block; width?: number }) {
  switch (block.kind) {
    case 'heading':
      return (
        <Text bold underline={block.level === 1} color={block.level <= 2 ? theme.accent : undefined}>
          <Runs inline={block.children} />
        </Text>
      );
    case 'paragraph':
      return (
        <Text>
          <Runs inline={block.children} />
        </Text>
      );
    case 'code':
      return <CodeView lang={block.lang} text={block.text} />;
    case 'list':
      return <ListView list={block} {...(width === undefined ? {} : { width })} />;
    case 'quote':
      return (
        <Box
          borderStyle="bold"
          borderLeft
          borderTop={false}
          borderBottom={false}
          borderRight={false}
          borderColor={theme.muted}
          paddingLeft={1}
        >
          <Blocks blocks={block.children} spaced={false} {...(width === undefined ? {} : { width: Math.max(1, width - 2) })} />
        </Box>
      );
    case 'rule':
      return <Text dimColor>{'─'.repeat(Math.max(3, Math.min(width ?? 40, 60)))}</Text>;
    case 'table':
      return (
        <Table
          headers={block.head.map(plainText)}
          rows={block.rows.map((row) => row.map(plainText))}
          emoji
          {...(width === undefined ? {} : { maxWidth: width })}
        />
      );
    default:
      return assertNever(block);
  }
}

function CodeView({ lang, text }: { lang: string; text: string }) {
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
      {lang ? <Text dimColor>{lang}</Text> : null}
      {text.split('\n').map((line, i) => (
        <Text key={i} color={theme.code} emoji>
          {line === '' ? ' ' : line}
        </Text>
      ))}
    </Box>
  );
}

// Items are laid out beside their marker, so a nested list or a second paragraph stays under the item's text.
function ListView({ list, width }: { list: Extract<Block, { kind: 'list' }>; width?: number }) {
  return (
    <Box flexDirection="column">
      {list.items.map((item, i) => {
        const marker = list.ordered ? `${list.start + i}. ` : '• ';
        return (
          <Box key={i}>
            <Text color={theme.accent}>{marker}</Text>
            <Blocks blocks={item} spaced={false} {...(width === undefined ? {} : { width: Math.max(1, width - marker.length) })} />
          </Box>
        );
      })}
    </Box>
  );
}

// Every string is wrapped in our Text, never returned bare: only strings inside it are made safe for the terminal.
function Runs({ inline, style = {} }: { inline: Inline[]; style?: TextProps }) {
  return (
    <>
      {inline.map((run, i) => {
        switch (run.kind) {
          case 'text':
            return (
              <Text key={i} {...style} multiline emoji>
                {run.text}
              </Text>
            );
          case 'br':
            return (
              <Text key={i} multiline>
                {'\n'}
              </Text>
            );
          case 'code':
            return (
              <Text key={i} {...style} color={theme.code} emoji>
                {run.text}
              </Text>
            );
          case 'strong':
            return <Runs key={i} inline={run.children} style={{ ...style, bold: true }} />;
          case 'em':
            return <Runs key={i} inline={run.children} style={{ ...style, italic: true }} />;
          case 'del':
            return <Runs key={i} inline={run.children} style={{ ...style, strikethrough: true }} />;
          case 'link': {
            const label = plainText(run.children);
            return (
              <Text key={i}>
                <Text underline color={theme.accent} emoji>
                  {label}
                </Text>
                {label === run.href ? null : <Text dimColor>{` (${run.href})`}</Text>}
              </Text>
            );
          }
          default:
            return assertNever(run);
        }
      })}
    </>
  );
}
