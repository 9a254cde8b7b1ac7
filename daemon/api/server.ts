import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { McpgwError } from '../../src/errors.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/protocol/events.js';
import type { Logger } from '../logger.js';
import type { Credentials, Principal } from '../state/credentials.js';
import { serveAuth } from './auth-http.js';
import { RequestGuard } from './guards.js';
import { bindHandlers, type Handlers } from './handlers.js';
import { RefusalLog } from './refusal-log.js';
import { serveStatic } from './static.js';

/** What mcpd keeps on each socket: its user, and the credential it connected with (re-checked on revocation). */
export interface SocketData {
  user: string;
  principal: Principal;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface ApiServerOptions {
  host: string;
  port: number;
  /** When the configured port is taken, listen on a free one instead of failing (default port only). */
  fallbackToFreePort: boolean;
  credentials: Credentials;
  handlers: Handlers;
  log: Logger;
  webRoot?: string | undefined;
  onDisconnect?: (user: string) => void;
}

export interface ApiServer {
  io: IoServer;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The room a socket joins to receive one session's events. */
export const sessionRoom = (sessionId: string): string => `session:${sessionId}`;

/**
 * HTTP + Socket.io on loopback: `Host`/`Origin` are checked before anything else, every connection must present a
 * credential, and each socket acts as the credential's user until it is revoked.
 */
export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  let guard = new RequestGuard(opts.port);
  let port = opts.port;
  const refusals = new RefusalLog(opts.log);
  const http: HttpServer = createServer((req, res) => {
    const refused = guard.check(req);
    if (refused) {
      res.writeHead(refused.status, { 'Content-Type': 'text/plain' }).end(`${refused.reason}\n`);
      return;
    }
    void serveAuth({ credentials: opts.credentials, port: () => port, refusals }, req, res)
      .then((served) => (served ? undefined : serveStatic(opts.webRoot, req, res)))
      .catch(() => res.writeHead(500).end());
  });
  const io: IoServer = new Server(http, {
    serveClient: false,
    maxHttpBufferSize: 1024 * 1024,
    connectTimeout: 10_000,
    allowRequest: (req, callback) => {
      const refused = guard.check(req);
      callback(refused ? refused.reason : null, !refused);
    },
  });
  io.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const principal = opts.credentials.authenticate(auth?.token);
    if (!principal) {
      refusals.note('refused a connection with a missing or wrong token', { address: socket.handshake.address });
      next(new Error('unauthorized: a valid mcpgw token is required'));
      return;
    }
    socket.data.user = principal.user;
    socket.data.principal = principal;
    next();
  });
  io.on('connection', (socket) => {
    const user = socket.data.user;
    bindHandlers(socket, user, opts.handlers, opts.log);
    socket.on('disconnect', () => opts.onDisconnect?.(user));
  });

  port = await listen(http, opts.host, opts.port).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE' && opts.fallbackToFreePort) {
      opts.log.warn('default port in use; listening on a free port', { port: opts.port });
      return listen(http, opts.host, 0);
    }
    throw new McpgwError('conflict', `cannot listen on ${opts.host}:${opts.port}: ${err.message}`);
  });
  // A revoked token (or an expired browser credential) loses its live sockets at once, not at their next connection.
  const unwatch = opts.credentials.onChange(() => {
    for (const socket of io.of('/').sockets.values()) {
      if (opts.credentials.isValid(socket.data.principal)) continue;
      opts.log.info('disconnected a socket whose credential was revoked or expired', { user: socket.data.user });
      socket.disconnect(true);
    }
  });
  guard = new RequestGuard(port, opts.host === '127.0.0.1' || opts.host === 'localhost' ? [] : [opts.host]);
  const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
  return {
    io,
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        unwatch();
        refusals.flush();
        io.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

function listen(http: HttpServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      http.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      http.off('error', onError);
      resolve((http.address() as AddressInfo).port);
    };
    http.once('error', onError);
    http.once('listening', onListening);
    http.listen(port, host);
  });
}
