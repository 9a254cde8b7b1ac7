import { readFile } from 'node:fs/promises';
import { McpgwError } from '../src/errors.js';
import {
  formatPolicyIssues,
  parsePolicy,
  policyPreset,
  PRESET_NAMES,
  resolvePolicySpec,
  type Policy,
  type PresetName,
} from '../src/policy/index.js';
import type { SessionCreateRequest } from '../src/protocol/requests.js';

export interface NamedPolicy {
  name: string;
  policy: Policy;
}

/** Reads a policy given as a preset name or a file path (the config's `policy`, a CLI flag). */
export async function loadPolicySpec(spec: string): Promise<NamedPolicy> {
  const resolved = resolvePolicySpec(spec);
  if (resolved.kind === 'invalid') throw new McpgwError('config_invalid', resolved.message);
  if (resolved.kind === 'preset') return { name: resolved.name, policy: resolved.policy };
  let text: string;
  try {
    text = await readFile(resolved.path, 'utf8');
  } catch (err) {
    throw new McpgwError('config_invalid', `cannot read policy file ${resolved.path}: ${(err as Error).message}`);
  }
  return { name: resolved.path.split('/').pop() ?? resolved.path, policy: parsePolicyOrThrow(text, resolved.path, resolved.format) };
}

/** Parses policy text, turning every issue into one `config_invalid` error that lists them all. */
export function parsePolicyOrThrow(text: string, name: string, format?: 'yaml' | 'json'): Policy {
  const parsed = parsePolicy(text, format);
  if (!parsed.ok) throw new McpgwError('config_invalid', `policy ${name} has errors:\n${formatPolicyIssues(parsed.issues)}`);
  return parsed.policy;
}

/** Resolves a session's policy from its create request, falling back to the daemon's default. */
export function sessionPolicyResolver(
  fallback: NamedPolicy,
): (request: SessionCreateRequest['policy']) => { name: string; policy: string } {
  return (request) => {
    if (!request) return { name: fallback.name, policy: JSON.stringify(fallback.policy) };
    if ('preset' in request) {
      if (!(PRESET_NAMES as readonly string[]).includes(request.preset)) {
        throw new McpgwError('bad_request', `unknown policy preset "${request.preset}" (presets: ${PRESET_NAMES.join(', ')})`);
      }
      return { name: request.preset, policy: JSON.stringify(policyPreset(request.preset as PresetName).policy) };
    }
    try {
      return { name: request.name, policy: JSON.stringify(parsePolicyOrThrow(request.text, request.name)) };
    } catch (err) {
      throw new McpgwError('bad_request', (err as Error).message);
    }
  };
}
