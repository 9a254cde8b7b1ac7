import { McpgwError } from '../../src/errors.js';

/**
 * mcpd's Redis runs with a memory cap and `noeviction`: once full it refuses writes (an "OOM command not allowed"
 * reply) rather than dropping state. Such a refusal becomes a `capacity` error that says what was not stored and
 * what to do; anything else is rethrown as it is.
 */
export function refusedWhenFull(what: string): (err: unknown) => never {
  return (err) => {
    if (isOutOfMemory(err)) {
      throw new McpgwError(
        'capacity',
        `mcpd's Redis is full (it reached its maxmemory), so ${what} was not stored: raise daemon.redisMaxMemory, or shorten ` +
          'daemon.retention so that old sessions are deleted sooner, and restart mcpd',
        { cause: err },
      );
    }
    throw err;
  };
}

/** True for Redis's refusal of a write over its maxmemory. */
export function isOutOfMemory(err: unknown): boolean {
  return err instanceof Error && /^OOM\b/.test(err.message);
}
