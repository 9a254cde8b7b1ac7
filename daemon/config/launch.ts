/**
 * The last step before a container is created: secrets expanded and host mounts checked again. Mounts were checked
 * when the config was loaded, but a path can change under mcpd (a directory swapped for a symlink by anything that
 * can write its parent, a sandbox with a writable mount included), so the check is repeated on every start.
 */
import { homedir } from 'node:os';
import type { ServerConfig } from '../../src/config/catalog.js';
import { McpgwError } from '../../src/errors.js';
import { checkHostPath, hostPathPolicy, type HostPathPolicy } from './host-paths.js';
import { SecretResolver } from './secrets.js';

/** What the container create call gets instead of the server's templates. Holds secret values: never log it. */
export interface LaunchSpec {
  env: Record<string, string>;
  args: string[];
  mounts: ServerConfig['mounts'];
}

export interface LaunchResolver {
  /** Expands secrets and re-checks mounts; throws `server_unavailable` with a reason that names no value. */
  resolve(server: ServerConfig): Promise<LaunchSpec>;
  /** Why the server cannot start now (missing secret, refused secrets file or mount), or undefined. */
  check(server: ServerConfig): Promise<string | undefined>;
}

export interface LaunchResolverOptions {
  env: NodeJS.ProcessEnv;
  secretsFile: string | undefined;
  /** mcpd's state directory, never mounted (also when it is not the one `env` names). */
  stateDir?: string;
  home?: string;
  uid?: number;
  /** Set when the engine is remote and does not share this filesystem: host-path mounts name the other machine's. */
  remoteEngine?: string;
}

/** The resolver mcpd and the CLI use: mcpd's environment, the secrets.env beside the config, the host denylist. */
export function createLaunchResolver(opts: LaunchResolverOptions): LaunchResolver {
  const secrets = new SecretResolver({ env: opts.env, file: opts.secretsFile, uid: opts.uid });
  const policy = hostPathPolicy({ env: opts.env, home: opts.home ?? homedir(), secretsFile: opts.secretsFile, stateDir: opts.stateDir });
  const check = (server: ServerConfig): ServerConfig['mounts'] => {
    if (opts.remoteEngine !== undefined && server.mounts.length > 0) {
      throw new McpgwError(
        'server_unavailable',
        `server "${server.name}" cannot start: refused mount: the engine at ${opts.remoteEngine} is remote, so ${server.mounts[0]!.source} would be that machine's path (set sandbox.sharedFilesystem: true if it shares this filesystem)`,
      );
    }
    return recheckMounts(server, policy);
  };
  const resolve = async (server: ServerConfig): Promise<LaunchSpec> => {
    const mounts = check(server);
    const { env, args } = await secrets.resolve(server);
    return { env, args, mounts };
  };
  return {
    resolve,
    check: async (server) => {
      try {
        check(server);
        return await secrets.check(server);
      } catch (err) {
        if (err instanceof McpgwError && err.code === 'server_unavailable') return err.message;
        throw err;
      }
    },
  };
}

function recheckMounts(server: ServerConfig, policy: HostPathPolicy): ServerConfig['mounts'] {
  return server.mounts.map((m) => {
    const check = checkHostPath(m.source, policy);
    if (!check.ok) throw new McpgwError('server_unavailable', `server "${server.name}" cannot start: refused mount: ${check.reason}`);
    return { ...m, source: check.real };
  });
}
