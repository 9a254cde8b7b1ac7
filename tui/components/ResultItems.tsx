import { Box } from 'ink';
import { assertNever } from '../../src/checks.js';
import { formatBytes } from '../../src/text/bytes.js';
import type { ResultItemView, ToolResultView } from '../../src/view/types.js';
import { theme } from './theme.js';
import { Text } from './Text.js';

/** One line per image, clip, resource and link of a result, and its structured content; never the bytes themselves. */
export function ResultItems({ result }: { result: ToolResultView }) {
  const items = result.items ?? [];
  if (items.length === 0 && result.structured === undefined) return null;
  return (
    <Box flexDirection="column" paddingLeft={2}>
      {items.map((item, i) => (
        <Text key={i} wrap="truncate-end">
          <Text dimColor>{'  ▪ '}</Text>
          {describeItem(item)}
          {item.n !== undefined ? <Text color={theme.accent}>{`  /open ${item.n}`}</Text> : null}
          {'note' in item && item.note ? <Text color={theme.warn}>{` · ${item.note}`}</Text> : null}
        </Text>
      ))}
      {result.moreItems ? <Text dimColor>{`    and ${result.moreItems} more items not carried here`}</Text> : null}
      {result.structured !== undefined ? (
        <Text wrap="truncate-end">
          <Text dimColor>{'  ▪ structured content: '}</Text>
          {result.structured.replace(/\s*\n\s*/g, ' ')}
        </Text>
      ) : null}
    </Box>
  );
}

/** What an item is, in one line: type, size and where it came from, as the server described it. */
export function describeItem(item: ResultItemView): string {
  switch (item.type) {
    case 'image':
    case 'audio':
      return `${item.type} ${item.mimeType} ${formatBytes(item.bytes)}${item.sentToModel ? ' · sent to the model' : ''}`;
    case 'resource':
      return `resource ${item.uri}${item.mimeType ? ` ${item.mimeType}` : ''} ${formatBytes(item.bytes)}${item.truncated ? ' (cut)' : ''}`;
    case 'resource_link':
      return `link ${item.title ?? item.name} ${item.uri}${item.mimeType ? ` ${item.mimeType}` : ''}${item.size === undefined ? '' : ` ${formatBytes(item.size)}`}`;
    default:
      return assertNever(item);
  }
}
