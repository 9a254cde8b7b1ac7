import { z } from 'zod';

/**
 * One allowlist entry, normalised: `host` is lower-case ASCII (IDNs in punycode) without a trailing dot; a wildcard
 * rule (`*.example.com`) keeps the suffix in `host` and matches every name below it, at any depth, never the suffix
 * itself. `ports` is never empty.
 */
export interface EgressRule {
  host: string;
  wildcard: boolean;
  ports: number[];
}

/** `network: { allow: [...] }`: the sandbox reaches only these names and ports, through mcpd's egress gateway. */
export interface EgressAllowlist {
  allow: EgressRule[];
}

/**
 * A server's network as mcpd runs it: `'none'` (the default: no network at all), an allowlist, `'bridge'` (explicit,
 * full access), or the name of another Docker network the user chose (full access on their terms).
 */
export type NetworkSetting = string | EgressAllowlist;

/** Ports an entry without `:port` allows. */
export const DEFAULT_EGRESS_PORTS: readonly number[] = [443, 80];

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Parses one allowlist entry ("api.github.com", "*.context7.com", "example.org:8443", "https://x.dev"). */
export function parseEgressRule(text: string): { ok: true; rule: EgressRule } | { ok: false; message: string } {
  const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });
  let rest = text.trim();
  let ports: number[] | undefined;
  const scheme = /^(https?):\/\//i.exec(rest);
  if (scheme) {
    rest = rest.slice(scheme[0].length).replace(/\/$/, '');
    if (rest.includes('/') || rest.includes('?')) {
      return fail('paths cannot be allowed: the gateway sees names and ports, not URLs; give the host only');
    }
    ports = [scheme[1]?.toLowerCase() === 'https' ? 443 : 80];
  }
  if (rest.startsWith('[') || (rest.match(/:/g)?.length ?? 0) > 1) return fail('IP addresses cannot be allowed: name the host');
  const colon = rest.lastIndexOf(':');
  if (colon !== -1) {
    const portText = rest.slice(colon + 1);
    const port = Number(portText);
    if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) return fail(`"${portText}" is not a port (1-65535)`);
    if (port === 53) return fail('port 53 cannot be allowed: the gateway answers DNS itself, and DNS can carry data out');
    ports = [port];
    rest = rest.slice(0, colon);
  }
  const wildcard = rest.startsWith('*.');
  if (wildcard) rest = rest.slice(2);
  if (rest.includes('*')) return fail('"*" may only stand for the leftmost label, as in "*.example.com"');
  rest = rest.replace(/\.$/, '');
  const host = toAsciiHost(rest);
  if (host === undefined) return fail(`"${rest}" is not a host name`);
  // The URL parser reads numeric forms ("0x7f.1", "2130706433") as IPv4: those are addresses, not names.
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return fail('IP addresses cannot be allowed: name the host');
  const labels = host.split('.');
  if (labels.length < 2) return fail(`"${host}" is not a fully qualified name (expected something like "api.example.com")`);
  if (!labels.every((l) => LABEL.test(l)) || host.length > 253) return fail(`"${host}" is not a valid host name`);
  return { ok: true, rule: { host, wildcard, ports: ports ?? [...DEFAULT_EGRESS_PORTS] } };
}

/** Lower-case ASCII form of a name (IDN → punycode) via the WHATWG URL parser, which browsers and Node share. */
function toAsciiHost(name: string): string | undefined {
  if (!name || /[\s/\\@?#%]/.test(name)) return undefined;
  try {
    return new URL(`http://${name}`).hostname;
  } catch {
    return undefined;
  }
}

/** True when `network` is an allowlist (the sandbox goes out through the egress gateway). */
export function isAllowlist(network: NetworkSetting): network is EgressAllowlist {
  return typeof network === 'object';
}

/** A rule as people write it: "*.example.com", "example.org:8443"; default ports are left implicit. */
export function formatEgressRule(rule: EgressRule): string {
  const name = `${rule.wildcard ? '*.' : ''}${rule.host}`;
  const defaults = rule.ports.length === DEFAULT_EGRESS_PORTS.length && DEFAULT_EGRESS_PORTS.every((p) => rule.ports.includes(p));
  return defaults ? name : `${name}:${rule.ports.join(',')}`;
}

/** The short form for clients and loosening lists: "none", "bridge", a network name, or "allow a.com, *.b.com". */
export function shortNetwork(network: NetworkSetting): string {
  return isAllowlist(network) ? `allow ${network.allow.map(formatEgressRule).join(', ')}` : network;
}

/** One line for displays: what the sandbox may reach; anything beyond "none" says it was opted into. */
export function describeNetwork(network: NetworkSetting): string {
  if (isAllowlist(network)) return `${shortNetwork(network)} (opted in)`;
  if (network === 'none') return 'none';
  if (network === 'bridge') return 'bridge: FULL network access (opted in)';
  return `${network}: Docker network, full access (opted in)`;
}

const ruleSchema = z.string().transform((text, ctx) => {
  const parsed = parseEgressRule(text);
  if (parsed.ok) return parsed.rule;
  ctx.addIssue({ code: 'custom', message: parsed.message });
  return z.NEVER;
});

const allowlistSchema = z.strictObject({ allow: z.array(ruleSchema).min(1, 'list at least one host, or use "none"') });

/**
 * `"none"` | `"bridge"` | a Docker network name | `{ allow: ["api.github.com", "*.x.com", "x.org:8443"] }`. Dispatched
 * by type by hand: a plain union would report "Invalid input" instead of which allowlist entry is wrong.
 */
export const networkSchema = z.unknown().transform((value, ctx): NetworkSetting => {
  if (typeof value === 'string' && (value === 'host' || value.startsWith('container:'))) {
    // Joining the host's or another container's network namespace would undo the sandbox (mcpd listens on the
    // host's loopback; another container may be another session's sandbox).
    ctx.addIssue({ code: 'custom', message: `"${value}" would share another network namespace: use "none", an allowlist or "bridge"` });
    return z.NEVER;
  }
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const parsed = allowlistSchema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue(issue as z.core.$ZodRawIssue);
    return z.NEVER;
  }
  ctx.addIssue({ code: 'custom', message: 'expected "none", "bridge", a Docker network name, or { "allow": ["host", ...] }' });
  return z.NEVER;
});
