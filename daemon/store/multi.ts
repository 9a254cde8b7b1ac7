/** Throws the first error of a transaction's replies. */
export function checkMulti<T>(replies: Array<[Error | null, T]> | null): Array<[Error | null, T]> {
  if (!replies) throw new Error('Redis transaction was aborted');
  for (const [err] of replies) if (err) throw err;
  return replies;
}
