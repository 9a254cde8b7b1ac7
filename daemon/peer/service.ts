import type { SandboxPeer } from '../sandbox/peer.js';
import { elicitationPeer, type ElicitationDeps } from './elicitation.js';

/** What the server→client features need, each its own narrow ports. */
export interface PeerDeps {
  elicitation: ElicitationDeps;
}

/**
 * The server→client half of MCP: what mcpd answers when a sandboxed server asks the client for something. Every
 * request that needs a person becomes a question (daemon/questions) for the session's humans; nothing a server asks
 * reaches the model or the user's files without one (or a policy the user wrote). Each feature lives in its own
 * file here and is added to the peer below; a feature left out is a capability mcpd does not declare.
 */
export function serverRequests(deps: PeerDeps): SandboxPeer {
  return { ...elicitationPeer(deps.elicitation) };
}
