import type { ServerConfig } from '../../src/config/catalog.js';
import type { SandboxPeer } from '../sandbox/peer.js';
import { elicitationPeer, type ElicitationDeps } from './elicitation.js';
import { rootsFeature } from './roots.js';

export interface ServerRequestDeps {
  /** The configured server of that name (its mounts are its roots). */
  serverNamed?: (name: string) => Pick<ServerConfig, 'mounts'> | undefined;
  /** Where list changes and resource updates go (rate-limited session events: see notices.ts). */
  notice?: SandboxPeer['notice'];
  /** Elicitation: a server's questions for the session's humans. */
  elicitation?: ElicitationDeps;
  /** `sampling/createMessage` (sampling.ts): a person approves the request and the answer, or a policy budget does. */
  sampler?: { sample: NonNullable<SandboxPeer['sample']> };
}

/**
 * The server→client half of MCP: what mcpd answers when a sandboxed server asks the client for something. Every
 * request that needs a person becomes a question (daemon/questions) for the session's humans; nothing a server asks
 * reaches the model or the user's files without one (or a policy the user wrote). Each feature lives in its own
 * file here and is added to the peer below; a feature left out is a capability mcpd does not declare.
 */
export function serverRequests(deps: ServerRequestDeps = {}): SandboxPeer {
  const { sampler } = deps;
  return {
    ...(deps.serverNamed ? rootsFeature(deps.serverNamed) : {}),
    ...(deps.notice ? { notice: deps.notice } : {}),
    ...(deps.elicitation ? elicitationPeer(deps.elicitation) : {}),
    ...(sampler ? { sample: (ctx, params) => sampler.sample(ctx, params) } : {}),
  };
}
