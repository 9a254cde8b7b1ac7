import { CONTENT_HELP, parseContentCommand, type ContentCommand } from './content-parse.js';

/** The slash commands of `mcpgw chat`. */
export type Command =
  | ContentCommand
  | { name: 'sessions' }
  | { name: 'new' }
  | { name: 'switch'; id: string }
  | { name: 'servers' }
  | { name: 'call'; server: string; tool: string; args: Record<string, unknown> }
  | { name: 'cancel' }
  | { name: 'console' }
  | { name: 'log' }
  | { name: 'open'; n: number }
  | { name: 'help' }
  | { name: 'quit' };

export const HELP: ReadonlyArray<readonly [string, string]> = [
  ['/sessions', 'list your sessions'],
  ['/new', 'start a new session (same servers, model and policy as this chat was started with)'],
  ['/switch ID', 'switch to another session (a unique prefix of its id is enough)'],
  ['/servers', 'configured servers and their sandboxes in this session'],
  ['/call SERVER TOOL {json}', 'run a tool yourself (the model is told about it on its next turn)'],
  ...CONTENT_HELP,
  ['/cancel', 'cancel the running turn'],
  ['/console', 'show or hide tool output (also ctrl-o)'],
  ['/log', 'recent sandbox output that belongs to no single call (start-up messages, late lines)'],
  ['/open N', 'save attachment N of a tool result (an image, a clip, a resource text) to a private temp file and print its path'],
  ['/help', 'this list'],
  ['/quit', 'leave (the session stays; chat again to resume it)'],
];

export const KEYS: ReadonlyArray<readonly [string, string]> = [
  ['y / a / n', 'approve once / always for this tool in this session / deny (then type a reason)'],
  ['e, ↑/↓', 'unfold long arguments in an approval, and scroll them'],
  ['ctrl-o', 'show or hide tool output'],
  ['esc, ctrl-c', 'cancel the running turn; ctrl-c twice quits'],
  ['↑ / ↓', 'earlier messages'],
];

/** Parses a line starting with "/"; an error says what is wrong and how to write it. */
export function parseCommand(line: string): { ok: true; command: Command } | { ok: false; error: string } {
  const [head = '', ...rest] = line.trim().slice(1).split(/\s+/);
  const arg = line
    .trim()
    .slice(1 + head.length)
    .trim();
  switch (head.toLowerCase()) {
    case 'sessions':
    case 'new':
    case 'servers':
    case 'cancel':
    case 'console':
    case 'log':
    case 'help':
      return { ok: true, command: { name: head.toLowerCase() as 'sessions' } };
    case 'quit':
    case 'exit':
      return { ok: true, command: { name: 'quit' } };
    case 'switch':
      return rest[0] ? { ok: true, command: { name: 'switch', id: rest[0] } } : { ok: false, error: 'usage: /switch ID (see /sessions)' };
    case 'call':
      return parseCall(arg);
    case 'open': {
      const n = Number(rest[0]);
      return rest.length === 1 && Number.isSafeInteger(n) && n > 0
        ? { ok: true, command: { name: 'open', n } }
        : { ok: false, error: 'usage: /open N (the number shown beside an attachment of a tool result)' };
    }
    default:
      return parseContentCommand(head, rest, arg) ?? { ok: false, error: `unknown command /${head} (try /help)` };
  }
}

function parseCall(arg: string): { ok: true; command: Command } | { ok: false; error: string } {
  const match = /^(\S+)\s+(\S+)\s*(.*)$/s.exec(arg);
  if (!match) return { ok: false, error: 'usage: /call SERVER TOOL {"arg": "value"}' };
  const [, server = '', tool = '', json = ''] = match;
  if (json.trim() === '') return { ok: true, command: { name: 'call', server, tool, args: {} } };
  let args: unknown;
  try {
    args = JSON.parse(json);
  } catch (err) {
    return { ok: false, error: `the arguments of /call must be a JSON object: ${(err as Error).message}` };
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args))
    return { ok: false, error: 'the arguments of /call must be a JSON object, like {"message": "hi"}' };
  return { ok: true, command: { name: 'call', server, tool, args: args as Record<string, unknown> } };
}
