/** The two notations a policy may be written in. */
export type PolicyFormat = 'yaml' | 'json';

/** The format a file name implies (`.json`, `.yaml`, `.yml`), or undefined to let `parsePolicy` detect it. */
export function policyFormatFromPath(path: string): PolicyFormat | undefined {
  if (/\.json$/i.test(path)) return 'json';
  if (/\.ya?ml$/i.test(path)) return 'yaml';
  return undefined;
}
