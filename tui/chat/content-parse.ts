import { LOG_LEVELS, type LogLevel } from '../../src/protocol/content.js';

/** The chat's commands for what servers offer besides tools (resources, prompts, log level). */
export type ContentCommand =
  | { name: 'resources'; server?: string; more: boolean }
  | { name: 'read'; server?: string; uri: string }
  | { name: 'attach'; server?: string; uri: string }
  | { name: 'subscribe'; server?: string; uri: string; on: boolean }
  | { name: 'prompts'; server?: string }
  | { name: 'prompt'; server?: string; prompt: string; args: Record<string, string>; text?: string }
  | { name: 'loglevel'; server: string; level: LogLevel };

export const CONTENT_HELP: ReadonlyArray<readonly [string, string]> = [
  ['/resources [SERVER] [more]', "the session's resources and templates (`more`: the next page)"],
  ['/read [SERVER] URI', "show a resource; tab completes listed URIs and a template's {variables} with the server's values"],
  ['/attach [SERVER] URI', 'attach a resource to your next message (the model reads it as that server’s data)'],
  ['/subscribe [SERVER] URI', 'be told when a resource changes (/unsubscribe to stop)'],
  ['/prompts [SERVER]', "the session's prompts and their arguments"],
  ['/prompt:NAME arg=value … [-- text]', 'use a prompt (SERVER/NAME if two servers have it); tab completes names and values'],
  ['/loglevel SERVER LEVEL', `the lowest log level the server sends (${LOG_LEVELS.join(', ')})`],
];

type Parsed = { ok: true; command: ContentCommand } | { ok: false; error: string };

/** Parses a content command (the line without its leading "/"), or undefined when it is not one. */
export function parseContentCommand(head: string, rest: string[], arg: string): Parsed | undefined {
  const lower = head.toLowerCase();
  if (lower.startsWith('prompt:')) return parsePrompt(head.slice('prompt:'.length), arg);
  switch (lower) {
    case 'resources': {
      const more = rest.at(-1) === 'more';
      const server = more ? rest.slice(0, -1)[0] : rest[0];
      return { ok: true, command: { name: 'resources', more, ...(server ? { server } : {}) } };
    }
    case 'prompts':
      return { ok: true, command: { name: 'prompts', ...(rest[0] ? { server: rest[0] } : {}) } };
    case 'read':
    case 'attach':
    case 'subscribe':
    case 'unsubscribe': {
      const target = serverAndUri(rest);
      if (!target) return { ok: false, error: `usage: /${lower} [SERVER] URI` };
      if (lower === 'read' || lower === 'attach') return { ok: true, command: { name: lower, ...target } };
      return { ok: true, command: { name: 'subscribe', on: lower === 'subscribe', ...target } };
    }
    case 'loglevel': {
      const [server, level] = rest;
      if (!server || !level || !(LOG_LEVELS as readonly string[]).includes(level.toLowerCase()))
        return { ok: false, error: `usage: /loglevel SERVER LEVEL (LEVEL: ${LOG_LEVELS.join(', ')})` };
      return { ok: true, command: { name: 'loglevel', server, level: level.toLowerCase() as LogLevel } };
    }
    default:
      return undefined;
  }
}

function serverAndUri(rest: string[]): { server?: string; uri: string } | undefined {
  if (rest.length === 1 && rest[0]) return { uri: rest[0] };
  if (rest.length === 2 && rest[0] && rest[1]) return { server: rest[0], uri: rest[1] };
  return undefined;
}

/** `SERVER/NAME` or `NAME`. */
export function splitPromptName(name: string): { server?: string; prompt: string } {
  const slash = name.indexOf('/');
  return slash > 0 ? { server: name.slice(0, slash), prompt: name.slice(slash + 1) } : { prompt: name };
}

function parsePrompt(name: string, arg: string): Parsed {
  if (!name) return { ok: false, error: 'usage: /prompt:NAME arg=value … [-- text] (see /prompts)' };
  const dashes = arg.search(/(^|\s)--(\s|$)/);
  const argText = dashes === -1 ? arg : arg.slice(0, dashes);
  const text =
    dashes === -1
      ? ''
      : arg
          .slice(dashes)
          .replace(/^\s*--\s*/, '')
          .trim();
  const args = parseArgs(argText);
  if (!args.ok) return args;
  return { ok: true, command: { name: 'prompt', ...splitPromptName(name), args: args.args, ...(text ? { text } : {}) } };
}

/** `a=b c="two words"` → { a: 'b', c: 'two words' }; the last argument may be unfinished (tab completion). */
export function parseArgs(text: string): { ok: true; args: Record<string, string> } | { ok: false; error: string } {
  const args: Record<string, string> = {};
  const re = /\s*([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/y;
  let at = 0;
  const rest = text.trimEnd();
  while (at < rest.length) {
    re.lastIndex = at;
    const m = re.exec(rest);
    if (!m)
      return {
        ok: false,
        error: `prompt arguments are name=value (quote a value with spaces: name="two words"), at "${rest.slice(at).trim()}"`,
      };
    args[m[1] ?? ''] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
    at = re.lastIndex;
  }
  return { ok: true, args };
}
