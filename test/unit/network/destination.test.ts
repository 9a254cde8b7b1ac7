import { describe, expect, it } from 'vitest';
import { parseCidr, parseIp, formatIp, inCidr, type Cidr } from '../../../daemon/egress/gateway/ip.js';
import { decideAddress, SPECIAL_RANGES, type DestinationPolicy } from '../../../daemon/egress/gateway/policy.js';

// The rebinding defence: every address an allowed name resolves to is judged before the gateway connects. These
// cases are proven here, on the decision alone: no test ever sends a packet to them.
const cidr = (text: string) => parseCidr(text)!;
const policy: DestinationPolicy = {
  blocked: [
    { cidr: cidr('10.200.0.0/16'), reason: 'address_sandbox' }, // mcpd's sandbox networks
    { cidr: cidr('172.17.0.1/32'), reason: 'address_host' }, // the default bridge's gateway: the Docker host
    { cidr: cidr('192.168.5.1/32'), reason: 'address_host' }, // a test network's gateway
  ],
  exempt: [cidr('192.168.5.0/24')],
};
const decide = (address: string) => decideAddress(address, policy);

/** The first address after a range: computed, so that no public address is written into a test. */
function after(range: Cidr): string {
  const bytes = Uint8Array.from(range.bytes);
  let bit = range.prefix - 1;
  for (;;) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    bytes[byte] = (bytes[byte] ?? 0) ^ mask;
    if ((bytes[byte] ?? 0) & mask) break;
    bit--;
  }
  return formatIp({ family: range.family, bytes });
}

describe('decideAddress', () => {
  it('lets public addresses through, from the first one past a private range', () => {
    expect(after(cidr('172.16.0.0/12'))).toBe('172.32.0.0');
    expect(decide(after(cidr('172.16.0.0/12')))).toBe('allowed');
    expect(decide(after(cidr('192.168.0.0/16')))).toBe('allowed');
    expect(decide(after(cidr('2001:db8::/32')))).toBe('allowed');
  });

  it('refuses cloud metadata services, even inside an exempt range', () => {
    expect(decide('169.254.169.254')).toBe('address_metadata');
    expect(decide('169.254.170.2')).toBe('address_metadata');
    // Every other metadata address on the gateway's list (written there, not here: no address outside this machine's
    // test networks is named in a test).
    for (const entry of SPECIAL_RANGES.filter((r) => r.reason === 'address_metadata')) {
      expect(decide(formatIp({ family: entry.cidr.family, bytes: entry.cidr.bytes }))).toBe('address_metadata');
    }
    expect(decide('fd00:ec2::254')).toBe('address_metadata');
    expect(decide('::ffff:169.254.169.254')).toBe('address_metadata');
    expect(decideAddress('169.254.169.254', { blocked: [], exempt: [cidr('169.254.0.0/16')] })).toBe('address_metadata');
  });

  it('refuses link-local addresses', () => {
    expect(decide('169.254.1.1')).toBe('address_link_local');
    expect(decide('fe80::1')).toBe('address_link_local');
  });

  it('refuses the Docker host and the Docker gateway addresses, exempt or not', () => {
    expect(decide('172.17.0.1')).toBe('address_host');
    expect(decide('192.168.5.1')).toBe('address_host');
    expect(decide('::ffff:172.17.0.1')).toBe('address_host');
    expect(decide('::ffff:ac11:1')).toBe('address_host');
  });

  it('refuses every sandbox network', () => {
    expect(decide('10.200.3.3')).toBe('address_sandbox');
    expect(decide('10.200.255.254')).toBe('address_sandbox');
  });

  it('refuses loopback, private, shared, multicast and reserved ranges', () => {
    expect(decide('127.0.0.1')).toBe('address_loopback');
    expect(decide('::1')).toBe('address_loopback');
    expect(decide('10.1.2.3')).toBe('address_private');
    expect(decide('172.20.0.5')).toBe('address_private');
    expect(decide('192.168.1.1')).toBe('address_private');
    // Shared space (carrier-grade NAT) and the rest of the list: each range's first address, read from the list.
    for (const entry of SPECIAL_RANGES) {
      expect(decide(formatIp({ family: entry.cidr.family, bytes: entry.cidr.bytes }))).toBe(entry.reason);
    }
    expect(decide('fd12:3456::1')).toBe('address_private');
    expect(decide('224.0.0.1')).toBe('address_multicast');
    expect(decide('ff02::1')).toBe('address_multicast');
    expect(decide('0.0.0.0')).toBe('address_reserved');
    expect(decide('255.255.255.255')).toBe('address_reserved');
    expect(decide('203.0.113.80')).toBe('address_reserved');
    expect(decide('::')).toBe('address_reserved');
    expect(decide('fe00::1')).toBe('address_reserved'); // outside global unicast (2000::/3)
    expect(decide('not an address')).toBe('address_reserved');
  });

  it('judges IPv4 carried in IPv6 as the IPv4 address it is', () => {
    expect(decide('::ffff:127.0.0.1')).toBe('address_loopback');
    expect(decide(nat64('10.0.0.1'))).toBe('address_private');
    expect(decide(nat64(after(cidr('10.0.0.0/8'))))).toBe('allowed');
  });

  it('opens an exempt private range and nothing else', () => {
    expect(decide('192.168.5.7')).toBe('allowed');
    expect(decide('192.168.6.7')).toBe('address_private');
  });
});

/** The NAT64 (64:ff9b::/96) form of an IPv4 address. */
function nat64(v4: string): string {
  const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
  return `64:ff9b::${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

describe('ip helpers', () => {
  it('parses and formats both families', () => {
    expect(formatIp(parseIp('10.0.0.1')!)).toBe('10.0.0.1');
    expect(formatIp(parseIp('2001:db8::1')!)).toBe('2001:db8:0:0:0:0:0:1');
    expect(formatIp(parseIp('::ffff:192.0.2.4')!)).toBe('0:0:0:0:0:ffff:c000:204');
    expect(parseIp('1.2.3')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
  });

  it('matches prefixes that do not end on a byte', () => {
    expect(inCidr(parseIp('198.51.100.127')!, cidr('198.51.100.0/25'))).toBe(true);
    expect(inCidr(parseIp('198.51.100.128')!, cidr('198.51.100.0/25'))).toBe(false);
    expect(inCidr(parseIp('10.0.0.1')!, cidr('::/0'))).toBe(false);
  });
});
