/**
 * Where the container engine is and how to reach it: `sandbox.engine` in the config, else DOCKER_HOST (with
 * DOCKER_TLS_VERIFY / DOCKER_CERT_PATH), else the first local socket that exists (Docker, rootless Docker, Podman).
 * Resolution is pure (fs and env are injected) so precedence is unit-testable; `engineConnection` reads the files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DockerOptions } from 'dockerode';
import { McpgwError } from '../../src/errors.js';

export interface EngineTls {
  /** Verify the engine's certificate against `ca` (DOCKER_TLS_VERIFY); without it TLS still runs, unverified. */
  verify: boolean;
  ca: string;
  cert: string;
  key: string;
}

/** A resolved engine endpoint. `display` never holds credentials (no user info, no key material). */
export type EngineEndpoint =
  | { kind: 'unix'; socketPath: string; display: string; source: EndpointSource; remote: false }
  | { kind: 'tcp'; host: string; port: number; tls?: EngineTls; display: string; source: EndpointSource; remote: true }
  | { kind: 'ssh'; host: string; port: number; username?: string; display: string; source: EndpointSource; remote: true };

export type EndpointSource = 'config' | 'DOCKER_HOST' | 'default';

export interface EndpointInputs {
  /** `sandbox.engine`: a URL (unix://, tcp://, ssh://) or `docker` / `podman` for that engine's usual sockets. */
  setting?: string;
  env: NodeJS.ProcessEnv;
  exists: (path: string) => boolean;
  home: string;
}

/** The Docker sockets, most usual first: system-wide, then rootless Docker's. */
function dockerSockets(env: NodeJS.ProcessEnv): string[] {
  const xdg = env.XDG_RUNTIME_DIR;
  return ['/var/run/docker.sock', ...(xdg ? [join(xdg, 'docker.sock')] : [])];
}

/** Podman's API sockets: the user's (rootless) first, then the system service's. */
function podmanSockets(env: NodeJS.ProcessEnv): string[] {
  const xdg = env.XDG_RUNTIME_DIR;
  return [...(xdg ? [join(xdg, 'podman', 'podman.sock')] : []), '/run/podman/podman.sock'];
}

/** Resolves the engine endpoint by precedence: config, DOCKER_HOST, then the first local socket that exists. */
export function resolveEngineEndpoint(inputs: EndpointInputs): EngineEndpoint {
  const setting = inputs.setting?.trim();
  if (setting) {
    if (setting === 'docker' || setting === 'podman') {
      const candidates = setting === 'docker' ? dockerSockets(inputs.env) : podmanSockets(inputs.env);
      const found = candidates.find((p) => inputs.exists(p));
      if (!found) {
        throw new McpgwError(
          'docker_unavailable',
          `sandbox.engine is "${setting}" but none of its sockets exists (${candidates.join(', ')}); is the ${setting === 'docker' ? 'Docker daemon' : 'Podman API service'} running?`,
        );
      }
      return unixEndpoint(found, 'config');
    }
    return parseEngineUrl(setting, 'config', inputs);
  }
  const dockerHost = inputs.env.DOCKER_HOST?.trim();
  if (dockerHost) return parseEngineUrl(dockerHost, 'DOCKER_HOST', inputs);
  const candidates = [...dockerSockets(inputs.env), ...podmanSockets(inputs.env)];
  const found = candidates.find((p) => inputs.exists(p));
  // Nothing exists: name the usual socket, so the connection error says where mcpgw looked first.
  return unixEndpoint(found ?? candidates[0]!, 'default');
}

function unixEndpoint(socketPath: string, source: EndpointSource): EngineEndpoint {
  return { kind: 'unix', socketPath, display: `unix://${socketPath}`, source, remote: false };
}

function parseEngineUrl(value: string, source: EndpointSource, inputs: EndpointInputs): EngineEndpoint {
  const where = source === 'config' ? 'sandbox.engine' : 'DOCKER_HOST';
  if (value.startsWith('unix://')) {
    const path = value.slice('unix://'.length);
    if (!path.startsWith('/'))
      throw new McpgwError('config_invalid', `${where} "${value}": a unix:// engine needs an absolute socket path`);
    return unixEndpoint(path, source);
  }
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `tcp://${value}`);
  } catch {
    throw new McpgwError(
      'config_invalid',
      `${where} "${value}" is not an engine address (unix:///path, tcp://host:port or ssh://user@host)`,
    );
  }
  const host = url.hostname;
  if (!host) throw new McpgwError('config_invalid', `${where} "${value}" names no host`);
  if (url.protocol === 'ssh:') {
    const port = url.port ? Number(url.port) : 22;
    return {
      kind: 'ssh',
      host,
      port,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      // user@ is not a secret but the display stays credential-free in any case
      display: `ssh://${host}${url.port ? `:${url.port}` : ''}`,
      source,
      remote: true,
    };
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new McpgwError('config_invalid', `${where} "${value}": unsupported scheme ${url.protocol} (use unix://, tcp:// or ssh://)`);
  }
  const env = inputs.env;
  const port = url.port ? Number(url.port) : env.DOCKER_TLS_VERIFY === '1' ? 2376 : 2375;
  // Docker's rules: DOCKER_TLS_VERIFY turns on verified TLS, DOCKER_CERT_PATH (default ~/.docker) holds the files.
  const useTls = (env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '') || port === 2376 || url.protocol === 'https:';
  const certDir = env.DOCKER_CERT_PATH || join(inputs.home, '.docker');
  const tls: EngineTls | undefined = useTls
    ? {
        verify: env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0',
        ca: join(certDir, 'ca.pem'),
        cert: join(certDir, 'cert.pem'),
        key: join(certDir, 'key.pem'),
      }
    : undefined;
  return {
    kind: 'tcp',
    host,
    port,
    ...(tls ? { tls } : {}),
    display: `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`,
    source,
    // Even on loopback a TCP port may be a tunnel to another machine, which mcpgw cannot tell: every TCP/SSH engine
    // counts as remote, and `sandbox.sharedFilesystem: true` is how a user says the host paths are the same.
    remote: true,
  };
}

/** dockerode options for an endpoint; reads the TLS files (a missing one is a clear error, not a stack trace). */
export function dockerOptions(endpoint: EngineEndpoint, readFile: (path: string) => Buffer = readFileSync): DockerOptions {
  switch (endpoint.kind) {
    case 'unix':
      return { socketPath: endpoint.socketPath };
    case 'ssh':
      return {
        protocol: 'ssh',
        host: endpoint.host,
        port: endpoint.port,
        ...(endpoint.username ? { username: endpoint.username } : {}),
        ...(process.env.SSH_AUTH_SOCK ? { sshOptions: { agent: process.env.SSH_AUTH_SOCK } } : {}),
      };
    case 'tcp': {
      if (!endpoint.tls) return { protocol: 'http', host: endpoint.host, port: endpoint.port };
      const read = (p: string, what: string): Buffer => {
        try {
          return readFile(p);
        } catch (err) {
          throw new McpgwError(
            'docker_unavailable',
            `cannot read the engine's TLS ${what} ${p}: ${(err as NodeJS.ErrnoException).code ?? String(err)}; check DOCKER_CERT_PATH`,
            { cause: err },
          );
        }
      };
      const { tls } = endpoint;
      return {
        protocol: 'https',
        host: endpoint.host,
        port: endpoint.port,
        ...(tls.verify ? { ca: read(tls.ca, 'CA certificate') } : {}),
        cert: read(tls.cert, 'client certificate'),
        key: read(tls.key, 'client key'),
        // Without DOCKER_TLS_VERIFY Docker's own client skips verification too; keep that meaning.
        ...(tls.verify ? {} : ({ rejectUnauthorized: false } as Record<string, unknown>)),
      } as DockerOptions;
    }
  }
}

/** The endpoint for this process: the config's setting, its environment, its filesystem. */
export function currentEndpoint(setting: string | undefined, env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  return resolveEngineEndpoint({ setting, env, exists: existsSync, home: env.HOME || homedir() });
}

const TLS_CODES = new Set(['EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN']);
const DROP_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * Maps a failure to reach the engine to one clear `docker_unavailable` line that names the endpoint and what to do;
 * undefined when the error is not about the connection (an API error the engine answered with).
 */
export function connectionError(err: unknown, action: string, endpoint: EngineEndpoint | undefined): McpgwError | undefined {
  const e = err as (NodeJS.ErrnoException & { reason?: string; library?: string }) | undefined;
  const code = e?.code ?? '';
  const message = e?.message ?? String(err);
  const at = endpoint?.display ?? 'the Docker socket';
  const make = (text: string): McpgwError => new McpgwError('docker_unavailable', text, { cause: err });
  const isTls =
    TLS_CODES.has(code) ||
    code.startsWith('ERR_SSL') ||
    code.startsWith('ERR_TLS') ||
    code.startsWith('UNABLE_TO') ||
    code.startsWith('CERT_') ||
    /ssl|tls|certificate|handshake/i.test(message);
  if (isTls && endpoint?.kind === 'tcp') {
    const reason = (e?.reason ?? message).replace(/\s+/g, ' ').trim();
    return make(`TLS handshake with the engine at ${at} failed (${action}): ${reason}; check DOCKER_CERT_PATH and DOCKER_TLS_VERIFY`);
  }
  if (code === 'ENOENT' || code === 'ECONNREFUSED') {
    const hint = endpoint?.kind === 'unix' || endpoint === undefined ? 'is dockerd running?' : 'is the engine listening there?';
    return make(`cannot reach the engine at ${at} to ${action}: connection refused; ${hint}`);
  }
  if (code === 'EACCES') {
    return make(`cannot reach the engine at ${at} to ${action}: permission denied on the socket (is your user in the "docker" group?)`);
  }
  if (DROP_CODES.has(code) || /socket hang up|connection (was )?(closed|reset)|aborted/i.test(message)) {
    return make(
      `the connection to the engine at ${at} failed while trying to ${action}: ${code || message}; check the engine and anything between (proxy, tunnel)`,
    );
  }
  if (isTls) return make(`TLS error talking to the engine at ${at} (${action}): ${message}`);
  return undefined;
}

/** The property a tagged error carries its endpoint in, so `dockerError` can name where the engine is. */
const ENDPOINT = Symbol.for('mcpgw.engineEndpoint');

/** The endpoint a connection error was tagged with by `tagConnectionErrors`, if any. */
export function endpointOf(err: unknown): EngineEndpoint | undefined {
  return typeof err === 'object' && err !== null ? (err as { [ENDPOINT]?: EngineEndpoint })[ENDPOINT] : undefined;
}

interface DialingModem {
  dial(options: unknown, callback: (err: unknown, data?: unknown) => void): unknown;
}

/**
 * Tags every error dockerode's modem reports with the endpoint, so the engine's error mapping can say "the engine at
 * tcp://…" without each call site passing it along.
 */
export function tagConnectionErrors(modem: unknown, endpoint: EngineEndpoint): void {
  const m = modem as DialingModem;
  const dial = m.dial.bind(m);
  m.dial = (options, callback) =>
    dial(options, (err, data) => {
      if (typeof err === 'object' && err !== null) (err as { [ENDPOINT]?: EngineEndpoint })[ENDPOINT] = endpoint;
      callback(err, data);
    });
}
