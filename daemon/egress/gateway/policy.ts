// Runs inside the gateway container: node built-ins and files next to this one only.
import type { EgressRule } from '../../../src/config/egress.js';
import { embeddedIpv4, inCidr, parseCidr, parseIp, type Cidr, type IpBytes } from './ip.js';

/** Why a connection or lookup was allowed or refused; the codes cross to mcpd and into the audit stream. */
export type Reason =
  | 'allowed'
  | 'not_allowed'
  | 'port_not_allowed'
  | 'raw_ip'
  | 'no_name'
  | 'unsupported_protocol'
  | 'address_metadata'
  | 'address_loopback'
  | 'address_link_local'
  | 'address_private'
  | 'address_reserved'
  | 'address_multicast'
  | 'address_host'
  | 'address_sandbox'
  | 'resolve_failed'
  | 'connect_failed'
  | 'wrong_peer'
  | 'too_many_connections'
  | 'timeout';

/** What people read next to a reason code. */
export const REASON_TEXT: Record<Reason, string> = {
  allowed: 'allowed',
  not_allowed: 'not in the allowlist',
  port_not_allowed: 'port not allowed for this name',
  raw_ip: 'raw IP addresses are never allowed',
  no_name: 'no host name (TLS without SNI, HTTP without Host)',
  unsupported_protocol: 'neither TLS nor HTTP',
  address_metadata: 'resolves to a cloud metadata address',
  address_loopback: 'resolves to a loopback address',
  address_link_local: 'resolves to a link-local address',
  address_private: 'resolves to a private address',
  address_reserved: 'resolves to a reserved address',
  address_multicast: 'resolves to a multicast address',
  address_host: 'resolves to the Docker host',
  address_sandbox: 'resolves to a sandbox network',
  resolve_failed: 'the name did not resolve',
  connect_failed: 'the destination did not answer',
  wrong_peer: 'arrived from an address that is not the sandbox',
  too_many_connections: 'too many connections',
  timeout: 'no request within the time limit',
};

/** Lower-case, no trailing dot: the form rules are kept in. */
export function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** True when a rule covers the name (exact, or any depth below a wildcard's suffix, never the suffix itself). */
export function ruleCovers(rule: EgressRule, name: string): boolean {
  return rule.wildcard ? name.endsWith(`.${rule.host}`) : name === rule.host;
}

/** Decides a name (and port, when known) against a sandbox's allowlist. */
export function decideName(rules: readonly EgressRule[], rawName: string, port?: number): Reason {
  const name = normaliseName(rawName.replace(/^\[(.*)\]$/, '$1'));
  if (!name) return 'no_name';
  if (parseIp(name) || /^\d+(\.\d+){0,3}$/.test(name) || /^0x[0-9a-f]+$/i.test(name)) return 'raw_ip';
  const covering = rules.filter((r) => ruleCovers(r, name));
  if (covering.length === 0) return 'not_allowed';
  if (port !== undefined && !covering.some((r) => r.ports.includes(port))) return 'port_not_allowed';
  return 'allowed';
}

type AddressReason = Extract<Reason, `address_${string}`>;

const range = (cidr: string, reason: AddressReason): { cidr: Cidr; reason: AddressReason } => ({ cidr: parseCidr(cidr)!, reason });

/** Addresses no sandbox may reach, most specific first (metadata addresses sit inside wider ranges). */
export const SPECIAL_RANGES = [
  range('169.254.169.254', 'address_metadata'), // AWS, GCP, Azure, OpenStack, DigitalOcean...
  range('169.254.170.2', 'address_metadata'), // ECS task credentials
  range('100.100.100.200', 'address_metadata'), // Alibaba Cloud
  range('fd00:ec2::254', 'address_metadata'), // AWS over IPv6
  range('0.0.0.0/8', 'address_reserved'),
  range('10.0.0.0/8', 'address_private'),
  range('100.64.0.0/10', 'address_private'), // carrier-grade NAT, also Tailscale
  range('127.0.0.0/8', 'address_loopback'),
  range('169.254.0.0/16', 'address_link_local'),
  range('172.16.0.0/12', 'address_private'),
  range('192.0.0.0/24', 'address_reserved'),
  range('192.0.2.0/24', 'address_reserved'),
  range('192.88.99.0/24', 'address_reserved'),
  range('192.168.0.0/16', 'address_private'),
  range('198.18.0.0/15', 'address_reserved'),
  range('198.51.100.0/24', 'address_reserved'),
  range('203.0.113.0/24', 'address_reserved'),
  range('224.0.0.0/4', 'address_multicast'),
  range('240.0.0.0/4', 'address_reserved'),
  range('::/128', 'address_reserved'),
  range('::1/128', 'address_loopback'),
  range('100::/64', 'address_reserved'),
  range('2001::/32', 'address_reserved'), // Teredo
  range('2001:db8::/32', 'address_reserved'),
  range('2002::/16', 'address_reserved'), // 6to4
  range('fc00::/7', 'address_private'),
  range('fe80::/10', 'address_link_local'),
  range('fec0::/10', 'address_private'),
  range('ff00::/8', 'address_multicast'),
];

/** IPv6 outside 2000::/3 is not (yet) global unicast. */
const GLOBAL_UNICAST_V6 = parseCidr('2000::/3')!;
const RESERVED_V6 = { cidr: parseCidr('::/0')!, reason: 'address_reserved' as const };

/** Where upstream connections must never go, and the private ranges an operator opened on purpose. */
export interface DestinationPolicy {
  /** Always refused, even when exempt: sandbox networks and every address of the Docker host. */
  blocked: Array<{ cidr: Cidr; reason: 'address_host' | 'address_sandbox' }>;
  /** Private or reserved ranges that are nevertheless reachable (tests: the network their targets live on). */
  exempt: Cidr[];
}

/**
 * Decides an address a name resolved to, right before connecting to it: the defence against DNS rebinding (an
 * allowed name that resolves to the host, a sandbox, a metadata service or a private network). IPv4 carried in
 * IPv6 (mapped, NAT64) is judged as the IPv4 address it is.
 */
export function decideAddress(address: string, policy: DestinationPolicy): Reason {
  const parsed = parseIp(address);
  if (!parsed) return 'address_reserved';
  const ip: IpBytes = embeddedIpv4(parsed) ?? parsed;
  const blocked = policy.blocked.find((b) => inCidr(ip, b.cidr));
  if (blocked) return blocked.reason;
  const special =
    SPECIAL_RANGES.find((s) => inCidr(ip, s.cidr)) ?? (ip.family === 6 && !inCidr(ip, GLOBAL_UNICAST_V6) ? RESERVED_V6 : undefined);
  if (!special) return 'allowed';
  return special.reason !== 'address_metadata' && policy.exempt.some((c) => inCidr(ip, c)) ? 'allowed' : special.reason;
}
