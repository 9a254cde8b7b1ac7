import { randomBytes } from 'node:crypto';

/** A short random id with a readable prefix: "s_k3J9xQ2mB7aZ" (12 url-safe characters after the prefix). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}
