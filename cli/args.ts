import { McpgwError } from '../src/errors.js';

/** Parses a JSON-object flag such as `--args`; anything else is a `bad_request` naming the flag. */
export function parseJsonObject(text: string | undefined, flag: string): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new McpgwError('bad_request', `${flag} is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new McpgwError('bad_request', `${flag} must be a JSON object`);
  return value as Record<string, unknown>;
}
