import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { ListRootsResult } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../../src/config/catalog.js';
import type { SandboxPeer } from '../sandbox/peer.js';

/**
 * A server's roots are the host directories mounted into its container, named by their paths INSIDE the container
 * (that is where the server can reach them), as `file://` URIs; none when nothing is mounted. Host paths never
 * reach the server.
 */
export function rootsOf(server: Pick<ServerConfig, 'mounts'> | undefined): ListRootsResult {
  return {
    roots: (server?.mounts ?? []).map((m) => ({
      uri: pathToFileURL(path.posix.resolve('/', m.target)).href,
      name: `${path.posix.basename(m.target) || '/'}${m.readOnly ? ' (read-only)' : ''}`,
    })),
  };
}

/**
 * The roots feature of the peer. mcpd reads its config once, when it starts, and a container's mounts are fixed
 * when it is created, so a session's roots for a server never change while its sandbox runs: mcpd declares
 * `roots.listChanged` (the SDK's shape) but has no change to send.
 */
export function rootsFeature(
  serverNamed: (name: string) => Pick<ServerConfig, 'mounts'> | undefined,
): Required<Pick<SandboxPeer, 'roots'>> {
  return { roots: ({ server }) => Promise.resolve(rootsOf(serverNamed(server))) };
}
