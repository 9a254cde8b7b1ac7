import { McpgwError } from '../../src/errors.js';
import { connectionError, endpointOf } from './engine-connect.js';
import { MANAGED_FILTER } from './labels.js';

// Shared by every dockerode-facing module (containers, images, the engine's description), so a failure reads the same
// wherever it happens: one line naming the action, and for a lost connection the endpoint and what to do.

/** The HTTP status dockerode attached to a failure, if any (404 gone, 409 conflict). */
export function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err ? Number((err as { statusCode: unknown }).statusCode) : undefined;
}

/** Maps dockerode's connection failures to one clear error that names the endpoint and says what to do. */
export function dockerError(err: unknown, action: string): McpgwError {
  const connection = connectionError(err, action, endpointOf(err));
  if (connection) return connection;
  const message = (err as { json?: { message?: string } } | undefined)?.json?.message ?? (err as Error | undefined)?.message ?? String(err);
  return new McpgwError('internal', `docker ${action} failed: ${message}`, { cause: err });
}

/** A list filter for mcpgw's own objects (the managed label) that also carry `labels`. */
export function labelFilter(labels: Record<string, string>): { label: string[] } {
  return { label: [...MANAGED_FILTER.label, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)] };
}
