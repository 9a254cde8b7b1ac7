import type { ContainerEngine } from '../sandbox/engine.js';
import type { NetworkEngine } from './docker-networks.js';
import type { EgressRule } from '../../src/config/egress.js';
import type { DecisionReport } from './gateway/protocol.js';

/** The port of the gateway's HTTP proxy (CONNECT, absolute-form http://) on every sandbox network. */
export const EGRESS_PROXY_PORT = 3128;
/** The name the gateway answers to on every sandbox network (Docker's embedded DNS resolves it). */
export const EGRESS_ALIAS = 'mcpgw-egress';

/** A gateway decision with the sandbox it concerns. */
export interface EgressDecision extends Omit<DecisionReport, 'type'> {
  sessionId: string;
  server: string;
}

/** What a refused name raises, so that a human can be asked (see `grant`). */
export interface EgressDenied {
  lease: string;
  sessionId: string;
  server: string;
  host: string;
  /** Unknown for a DNS lookup (the port comes with the connection that never happened). */
  port: number | undefined;
  /** How the name was asked for (dns, tls, http, connect, proxy) and the gateway's reason. */
  via: string;
  reason: string;
}

export type GrantScope = 'sandbox' | 'session';

export interface EgressManagerOptions {
  engine: ContainerEngine;
  networks: NetworkEngine;
  instanceId: string;
  /** Builds or finds the gateway image. */
  gatewayImage: () => Promise<string>;
  /** Networks the gateway reaches destinations through (default: the default bridge). */
  egressNetworks?: string[];
  /** The range sandbox networks are carved from. */
  pool?: string;
  /** Upstream resolvers for the gateway ("ip" or "ip:port"); default: the gateway container's own. */
  resolvers?: string[];
  /** Private ranges the gateway may nevertheless connect to. Tests only: their targets live on one. */
  exemptDestinations?: string[];
  onDecision?: (decision: EgressDecision) => void;
  onDenied?: (denied: EgressDenied) => void;
  /** A session's grants for a server kept over a restart (Redis); asked once per session and server. */
  loadGrants?: (sessionId: string, server: string) => Promise<EgressRule[]>;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}
