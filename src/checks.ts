/** Ends a switch over a union: a compile error when a case is missing, a throw if bad data slips through. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
