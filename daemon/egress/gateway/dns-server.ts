// Runs inside the gateway container: node built-ins and files next to this one only.
import type { EgressRule } from '../../../src/config/egress.js';
import { buildError, buildResponse, parseQuery, QTYPE, RCODE } from './dns-wire.js';
import { decideName, type Reason } from './policy.js';

/**
 * The gateway's own name (EGRESS_ALIAS in ../types.ts), for the proxy variables a config may set. Docker's embedded
 * resolver answers it before asking the gateway; Podman's networks have no resolver, so the gateway answers it.
 */
const SELF_NAME = 'mcpgw-egress';

/** How often one name's lookups are reported per sandbox (A and AAAA and retries would repeat each other). */
const REPORT_EVERY_MS = 10_000;

export interface DnsAnswer {
  response: Buffer | undefined;
  /** Set when the decision is worth reporting (first time in a while for this name). */
  decided?: { name: string; reason: Reason };
}

/**
 * Answers one query from a sandbox. Allowed names resolve to the gateway's own address on that sandbox's network
 * (the connection that follows is judged again by SNI or Host); every other name is NXDOMAIN. Nothing is ever
 * forwarded upstream: a lookup, allowed or not, never leaves the gateway, so DNS cannot carry data out.
 */
export class DnsResponder {
  private readonly reported = new Map<string, number>();

  constructor(
    private readonly self: string,
    private readonly rules: () => readonly EgressRule[],
  ) {}

  answer(msg: Buffer, now = Date.now()): DnsAnswer {
    const parsed = parseQuery(msg);
    if (!parsed.ok) return { response: parsed.id === undefined ? undefined : buildError(parsed.id, parsed.flags ?? 0, parsed.rcode) };
    const q = parsed.query;
    if (q.qclass !== 1) return { response: buildResponse(q, RCODE.REFUSED) };
    if (q.name === SELF_NAME) return { response: buildResponse(q, RCODE.NOERROR, q.type === QTYPE.A ? [this.self] : []) };
    const reason = decideName(this.rules(), q.name);
    const response =
      reason !== 'allowed' ? buildResponse(q, RCODE.NXDOMAIN) : buildResponse(q, RCODE.NOERROR, q.type === QTYPE.A ? [this.self] : []);
    const key = `${reason}\u0000${q.name}`;
    const last = this.reported.get(key);
    if (last !== undefined && now - last < REPORT_EVERY_MS) return { response };
    this.reported.set(key, now);
    if (this.reported.size > 1000) this.reported.clear();
    return { response, decided: { name: q.name, reason } };
  }

  /** A grant changes what is allowed: report the next lookup of every name again. */
  forget(): void {
    this.reported.clear();
  }
}
