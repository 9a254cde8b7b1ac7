import { Box } from 'ink';
import { assertNever } from '../../src/checks.js';
import type { ChatItem } from '../../src/view/types.js';
import { Markdown } from './Markdown.js';
import { glyph, theme } from './theme.js';
import { ToolCall } from './ToolCall.js';
import { Text } from './Text.js';

export interface ChatItemViewProps {
  item: ChatItem;
  consoleOpen: boolean;
  width?: number;
  me?: string;
  /** For assistant text printed in parts while it streams: the part to show, and whether it continues one. */
  text?: string;
  continued?: boolean;
}

/** One entry of the conversation: the user's message, model text, a tool call, a notice, an error, the end. */
export function ChatItemView({ item, consoleOpen, width, me, text, continued = false }: ChatItemViewProps) {
  switch (item.kind) {
    case 'user':
      return (
        <Box marginTop={1} {...(width === undefined ? {} : { width })}>
          <Text color={theme.user} bold>{`${glyph.user} `}</Text>
          <Text bold multiline emoji>
            {item.text}
          </Text>
          {me !== undefined && item.from !== me ? <Text dimColor>{`  (${item.from})`}</Text> : null}
        </Box>
      );
    case 'assistant': {
      const body = text ?? item.text;
      if (body.trim() === '') return null;
      return (
        <Box>
          <Text color={theme.assistant}>{continued ? '  ' : `${glyph.assistant} `}</Text>
          {/* A fixed width, not only flexGrow: an unbroken run (a JSON answer) would otherwise size the column past the
              screen, and the terminal would wrap the overflow again ("…inter" / "fac" / "  es…"). */}
          <Box flexDirection="column" flexGrow={1} {...(width === undefined ? {} : { width: width - 2 })}>
            <Markdown text={body} {...(width === undefined ? {} : { width: width - 2 })} />
          </Box>
        </Box>
      );
    }
    case 'tool':
      return <ToolCall call={item} consoleOpen={consoleOpen} {...(me === undefined ? {} : { me })} />;
    case 'notice':
      return (
        <Text color={theme.warn} multiline emoji>
          {`${glyph.notice} `}
          <Text dimColor>{`${item.server}: `}</Text>
          {item.text}
        </Text>
      );
    case 'error':
      return (
        <Text color={theme.error} multiline emoji>
          {`${glyph.error} error (${item.code}): `}
          {item.message}
        </Text>
      );
    case 'ended':
      return <Text color={theme.error} bold>{`${glyph.ended} session ended: ${item.reason}`}</Text>;
    default:
      return assertNever(item);
  }
}
