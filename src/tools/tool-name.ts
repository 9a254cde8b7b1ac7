/**
 * Which tool names mcpgw accepts from a server. MCP (SEP-986, in the 2025-11-25 spec) says a tool name SHOULD be
 * 1–128 characters of A–Z, a–z, 0–9, `_`, `-` and `.`. A name is shown to a person in every approval and must read
 * as what it is, so mcpgw refuses what can deceive: control characters (a newline forges a line in an approval box,
 * ESC drives the terminal), invisible and bidi characters, whitespace, and names over 128 characters. Other
 * characters outside that set (`/`, `:`, letters of other scripts) are a SHOULD that real servers break: the tool
 * is kept, and `servers test` says so.
 */
import { HIDDEN } from '../text/reveal.js';

/** MCP's recommended tool-name shape (SEP-986). */
export const MCP_TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** The longest name MCP allows. */
export const MAX_TOOL_NAME = 128;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/gu;
const SPACE = /\s/gu;

/** Why a tool with this name is refused, or undefined when it may be offered. */
export function toolNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'tool name is missing';
  const controls = codes(name, CONTROL);
  if (controls) return `tool name contains control characters (${controls}); refused, it could drive a terminal or forge a line`;
  const hidden = codes(name, HIDDEN);
  if (hidden) return `tool name contains invisible or bidi characters (${hidden}); refused, it would not read as what it is`;
  const spaces = codes(name, SPACE);
  if (spaces) return `tool name contains whitespace (${spaces}); refused, MCP tool names have none`;
  if (name.length > MAX_TOOL_NAME) return `tool name is ${name.length} characters long; refused, MCP allows at most ${MAX_TOOL_NAME}`;
  return undefined;
}

/** A note for a usable name outside MCP's recommended character set; undefined when it is inside. */
export function toolNameNote(name: string): string | undefined {
  if (MCP_TOOL_NAME.test(name) || toolNameProblem(name) !== undefined) return undefined;
  return 'name: uses characters outside MCP’s recommended set (A-Z a-z 0-9 _ - .); kept';
}

/** The distinct code points of `text` that `pattern` matches, as "U+000A, U+001B" (at most five). */
function codes(text: string, pattern: RegExp): string {
  const found = new Set<string>();
  for (const match of text.matchAll(pattern)) {
    found.add(`U+${(match[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`);
  }
  const list = [...found];
  return list.length > 5 ? `${list.slice(0, 5).join(', ')}, …` : list.join(', ');
}
