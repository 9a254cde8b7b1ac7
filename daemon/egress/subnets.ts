import { randomInt } from 'node:crypto';
import { McpgwError } from '../../src/errors.js';
import { formatIp, parseCidr } from './gateway/ip.js';

/**
 * Where sandbox networks are carved from. Nothing outside ever routes to it (the networks are internal and the host
 * has no address on them), and the gateway refuses it as a destination, so overlapping a LAN range is harmless.
 */
export const DEFAULT_EGRESS_POOL = '10.200.0.0/16';

/** One sandbox's network: a /29 with the gateway's address (.2) and the sandbox's (.3); .1 is Docker's. */
export interface SandboxSubnet {
  subnet: string;
  gateway: string;
  sandbox: string;
}

/** A random /29 of the pool (several mcpd on one engine pick apart; a collision is retried by the caller). */
export function pickSubnet(pool: string, random: (max: number) => number = randomInt): SandboxSubnet {
  const cidr = parseCidr(pool);
  if (!cidr || cidr.family !== 4 || cidr.prefix > 29)
    throw new McpgwError('config_invalid', `egress pool ${pool} is not an IPv4 range of /29 or wider`);
  const base = cidr.bytes.reduce((n, b) => n * 256 + b, 0) & (cidr.prefix === 0 ? 0 : ~0 << (32 - cidr.prefix));
  const start = (base >>> 0) + random(2 ** (29 - cidr.prefix)) * 8;
  const at = (offset: number): string => {
    const n = start + offset;
    return formatIp({ family: 4, bytes: Uint8Array.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]) });
  };
  return { subnet: `${at(0)}/29`, gateway: at(2), sandbox: at(3) };
}
