import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ElicitationCompleteNotificationSchema,
  ListRootsRequestSchema,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  type ClientCapabilities,
  type CreateMessageRequest,
  type CreateMessageResult,
  type ElicitRequest,
  type ElicitResult,
  type ListRootsResult,
} from '@modelcontextprotocol/sdk/types.js';

/**
 * Who a server→client request comes from. Read at the moment of the request (never captured at start): a warm-pool
 * sandbox is bound to its session only when a session takes it.
 */
export interface PeerContext {
  sessionId: string;
  server: string;
  /** Aborted when the server cancels the request or the sandbox goes away. */
  signal: AbortSignal;
}

/** Something the server told us that changes what the UI shows (never trusted as content). */
export type PeerNotice = { kind: 'resources_changed' } | { kind: 'prompts_changed' } | { kind: 'resource_updated'; uri: string };

/**
 * What mcpd does when a sandboxed server asks the client for something (the server→client half of MCP). Each
 * method is optional: mcpd declares a client capability only for what it answers, so a server never sees an
 * elicitation, sampling or roots capability that nobody handles. The answers come from `daemon/peer/`.
 */
export interface SandboxPeer {
  elicit?(ctx: PeerContext, params: ElicitRequest['params']): Promise<ElicitResult>;
  sample?(ctx: PeerContext, params: CreateMessageRequest['params']): Promise<CreateMessageResult>;
  roots?(ctx: Omit<PeerContext, 'signal'>): Promise<ListRootsResult>;
  notice?(ctx: Omit<PeerContext, 'signal'>, notice: PeerNotice): void;
  /** The server says the out-of-band flow of a URL elicitation it asked for has finished. */
  elicitationComplete?(ctx: Omit<PeerContext, 'signal'>, elicitationId: string): void;
}

/** The client capabilities that match what `peer` answers. */
export function peerCapabilities(peer: SandboxPeer | undefined): ClientCapabilities {
  return {
    ...(peer?.elicit ? { elicitation: { form: {}, url: {} } } : {}),
    ...(peer?.sample ? { sampling: {} } : {}),
    ...(peer?.roots ? { roots: { listChanged: true } } : {}),
  };
}

/** Routes the server's requests and notifications on `client` to `peer`; `who` names the sandbox's current session. */
export function connectPeer(client: Client, peer: SandboxPeer | undefined, who: () => { sessionId: string; server: string }): void {
  if (!peer) return;
  const { elicit, sample, roots, notice, elicitationComplete } = peer;
  if (elicit)
    client.setRequestHandler(ElicitRequestSchema, (req, extra) => elicit.call(peer, { ...who(), signal: extra.signal }, req.params));
  if (elicitationComplete)
    client.setNotificationHandler(ElicitationCompleteNotificationSchema, (n) =>
      elicitationComplete.call(peer, who(), n.params.elicitationId),
    );
  if (sample) {
    client.setRequestHandler(CreateMessageRequestSchema, (req, extra) => sample.call(peer, { ...who(), signal: extra.signal }, req.params));
  }
  if (roots) client.setRequestHandler(ListRootsRequestSchema, () => roots.call(peer, who()));
  if (notice) {
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => notice.call(peer, who(), { kind: 'resources_changed' }));
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => notice.call(peer, who(), { kind: 'prompts_changed' }));
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) =>
      notice.call(peer, who(), { kind: 'resource_updated', uri: n.params.uri }),
    );
  }
}
