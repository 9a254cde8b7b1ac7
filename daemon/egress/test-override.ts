import { z } from 'zod';
import { McpgwError } from '../../src/errors.js';
import type { EgressTestSettings } from '../services.js';

// MCPGW_TEST_EGRESS gives mcpd's egress gateway a test's own network, resolvers and private range (two e2e tests
// need it: their targets live on a private Docker network). It loosens what sandboxes may reach, so it is never
// quiet: mcpd logs it, `daemon status` shows it while mcpd runs with it, and `doctor` shows it while it is set in the
// environment an mcpd would be started from.

/** The environment variable that carries the override. */
export const TEST_EGRESS_ENV = 'MCPGW_TEST_EGRESS';

const settingsSchema = z
  .object({
    networks: z.array(z.string()).optional(),
    resolvers: z.array(z.string()).optional(),
    exempt: z.array(z.string()).optional(),
  })
  .strict();

/** The override in `env`, or undefined when it is unset; a value that is not the settings' JSON is a config error. */
export function testEgressFrom(env: NodeJS.ProcessEnv): EgressTestSettings | undefined {
  const raw = env[TEST_EGRESS_ENV];
  if (!raw) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new McpgwError('config_invalid', `${TEST_EGRESS_ENV} is not JSON`);
  }
  const parsed = settingsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new McpgwError('config_invalid', `${TEST_EGRESS_ENV}: ${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** The one loud line for status displays and doctor: what the override changes, in words. */
export function testEgressWarning(settings: EgressTestSettings): string {
  const list = (items: string[] | undefined, otherwise: string): string => (items?.length ? items.join(', ') : otherwise);
  return (
    `${TEST_EGRESS_ENV} is set (for mcpgw's own tests only): the egress gateway goes out through ${list(settings.networks, 'the default bridge')}, ` +
    `resolves with ${list(settings.resolvers, 'its own resolver')} and may reach the private range(s) ${list(settings.exempt, 'none')}`
  );
}
