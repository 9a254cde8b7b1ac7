import { parseArgs } from './content-parse.js';

/** What tab is asked to complete at the end of the input line. */
export type CompletionTarget =
  | { kind: 'command'; prefix: string }
  | { kind: 'prompt-name'; prefix: string }
  | { kind: 'argument-name'; prompt: string; prefix: string; given: string[] }
  | { kind: 'argument-value'; prompt: string; argument: string; prefix: string; args: Record<string, string> }
  | { kind: 'uri'; server?: string; prefix: string };

/** The commands whose last word is a resource URI (a listed one, or a template being filled in). */
const URI_COMMAND = /^\/(?:read|attach|subscribe|unsubscribe)\s+(?:(\S+)\s+)?(\S*)$/i;

/**
 * Reads the input line for tab completion: a command name (`/re`), a prompt name (`/prompt:ar`), an argument name
 * (`/prompt:args-prompt ci`), an argument value (`/prompt:args-prompt city=Ly`) or the URI of a resource command
 * (`/read [SERVER] demo://res`). Only the last word is completed; a value being typed in quotes, or anything after
 * `--`, is not.
 */
export function completionTarget(line: string): CompletionTarget | undefined {
  if (!line.startsWith('/')) return undefined;
  const head = /^\/(\S*)$/.exec(line);
  if (head) {
    const word = head[1] ?? '';
    return word.toLowerCase().startsWith('prompt:')
      ? { kind: 'prompt-name', prefix: word.slice('prompt:'.length) }
      : { kind: 'command', prefix: word };
  }
  const uri = URI_COMMAND.exec(line);
  if (uri) return { kind: 'uri', ...(uri[1] ? { server: uri[1] } : {}), prefix: uri[2] ?? '' };
  const prompt = /^\/prompt:(\S+)\s(.*)$/is.exec(line);
  if (!prompt) return undefined;
  const [, name = '', rest = ''] = prompt;
  if (/(^|\s)--(\s|$)/.test(rest)) return undefined;
  const lastSpace = Math.max(rest.lastIndexOf(' '), rest.lastIndexOf('\t'));
  const before = rest.slice(0, lastSpace + 1);
  const last = rest.slice(lastSpace + 1);
  const parsed = parseArgs(before);
  if (!parsed.ok) return undefined;
  const eq = last.indexOf('=');
  if (eq === -1) return { kind: 'argument-name', prompt: name, prefix: last, given: Object.keys(parsed.args) };
  if (last.slice(eq + 1).startsWith('"')) return undefined;
  return { kind: 'argument-value', prompt: name, argument: last.slice(0, eq), prefix: last.slice(eq + 1), args: parsed.args };
}

/** The longest prefix all values share. */
export function commonPrefix(values: readonly string[]): string {
  if (values.length === 0) return '';
  let prefix = values[0] ?? '';
  for (const v of values) while (!v.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/**
 * The line with its last word completed to `value`; `done` when the value is whole (a space follows, or `=` after an
 * argument name). A value with a space is quoted.
 */
export function applyCompletion(line: string, target: CompletionTarget, value: string, done: boolean): string {
  const cut = line.length - target.prefix.length;
  switch (target.kind) {
    case 'command':
    case 'prompt-name':
    case 'uri':
      return line.slice(0, cut) + value + (done ? ' ' : '');
    case 'argument-name':
      return line.slice(0, cut) + value + (done ? '=' : '');
    case 'argument-value': {
      const quoted = /[\s"]/.test(value) ? `"${value.replace(/["\\]/g, '\\$&')}"` : value;
      return line.slice(0, cut) + (done ? `${quoted} ` : value);
    }
  }
}

/** Turns candidates into the completed line: one candidate fills the word; several fill their common prefix. */
export function complete(line: string, target: CompletionTarget, candidates: readonly string[]): { line: string; choices: string[] } {
  const matching = candidates.filter((c) => c.startsWith(target.prefix));
  if (matching.length === 1) return { line: applyCompletion(line, target, matching[0] ?? '', true), choices: [] };
  if (matching.length === 0) return { line, choices: [] };
  const prefix = commonPrefix(matching);
  return { line: prefix.length > target.prefix.length ? applyCompletion(line, target, prefix, false) : line, choices: matching };
}
