// Runs inside the gateway container: node built-ins and files next to this one only.
import type { EgressRule } from '../../../src/config/egress.js';
import type { Reason } from './policy.js';

/**
 * mcpd drives the gateway over its attached stdin, one JSON object a line; the gateway answers and reports on
 * stdout the same way. No control port exists that a sandbox could reach, and the gateway exits when mcpd goes.
 */
export type GatewayCommand =
  | {
      op: 'configure';
      id: number;
      /** Upstream resolvers "ip" or "ip:port"; empty: the container's own (/etc/resolv.conf). */
      resolvers: string[];
      /** CIDRs never connected to: sandbox networks and the Docker host. */
      blockedSandbox: string[];
      blockedHost: string[];
      /** Private CIDRs that may nevertheless be reached (tests only). */
      exempt: string[];
      /** The HTTP proxy port (CONNECT and absolute-form http://) on every sandbox address. */
      proxyPort: number;
      /** Where DNS is served on every sandbox address: 53 (tests of the gateway outside Docker use another). */
      dnsPort?: number;
    }
  | {
      op: 'attach';
      id: number;
      lease: string;
      /** The server's name, for the text of a refusal. */
      server: string;
      /** The gateway's own address on the sandbox's network: where it listens for that sandbox. */
      listen: string;
      /** The sandbox's address: the only peer accepted on `listen`. */
      peer: string;
      rules: EgressRule[];
    }
  | { op: 'grant'; id: number; lease: string; rule: EgressRule }
  /** Takes back ports a grant gave (a grant "once" ends): open connections it no longer allows are closed. */
  | { op: 'revoke'; id: number; lease: string; rule: EgressRule }
  | { op: 'detach'; id: number; lease: string };

/**
 * How a destination was named: DNS lookup, TLS SNI, HTTP Host, proxy CONNECT, proxy absolute-form request, or
 * not at all (a connection refused before it said anything useful).
 */
export type Via = 'dns' | 'tls' | 'http' | 'connect' | 'proxy' | 'tcp';

/** One decision: sent at once for a refusal, at close (with bytes and duration) for an allowed connection. */
export interface DecisionReport {
  type: 'decision';
  lease: string;
  via: Via;
  allowed: boolean;
  reason: Reason;
  /** The name asked for (absent when none was given). */
  host?: string;
  port?: number;
  /** The upstream address connected to (allowed) or refused (rebinding). */
  address?: string;
  /** Bytes to and from the destination. */
  bytesUp?: number;
  bytesDown?: number;
  durationMs?: number;
}

export type GatewayReport =
  | { type: 'ready'; pid: number }
  | { type: 'ack'; id: number; ok: true }
  | { type: 'ack'; id: number; ok: false; error: string }
  | DecisionReport
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };
