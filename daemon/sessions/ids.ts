import { randomUUID } from 'node:crypto';

/**
 * A short random id with a readable prefix: "s_3f9c2a7d41b08e6c" (64 random bits). randomUUID draws from a cached
 * entropy pool, so ids cost no syscall on the hot path of every tool call.
 */
export function newId(prefix: string): string {
  const hex = randomUUID().replace(/-/g, '');
  return `${prefix}_${hex.slice(0, 8)}${hex.slice(13, 21)}`;
}
