import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { McpgwError } from '../../src/errors.js';
import { resolvePolicySpec } from '../../src/policy/index.js';
import type { SessionCreateRequest } from '../../src/protocol/requests.js';

/** Turns `--auto-approve-policy` (a preset name or a file) into what `session:create` takes. */
export async function policyRequest(spec: string | undefined): Promise<SessionCreateRequest['policy']> {
  if (spec === undefined) return undefined;
  const resolved = resolvePolicySpec(spec);
  if (resolved.kind === 'invalid') throw new McpgwError('bad_request', resolved.message);
  if (resolved.kind === 'preset') return { preset: resolved.name };
  const text = await readFile(resolved.path, 'utf8').catch((err: unknown) => {
    throw new McpgwError('bad_request', `cannot read policy file ${resolved.path}: ${(err as Error).message}`);
  });
  return { name: path.basename(resolved.path), text };
}
