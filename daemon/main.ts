import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalog } from '../src/config/catalog.js';
import type { SessionEvent } from '../src/protocol/events.js';
import type { DaemonStatus } from '../src/protocol/session.js';
import { VERSION } from '../src/version.js';
import { ApprovalBroker } from './agent/approvals.js';
import { createGeminiModelClient, type ModelClient } from './agent/model/index.js';
import { AgentService } from './agent/service.js';
import { ToolCatalog } from './agent/toolset.js';
import { routes } from './api/routes.js';
import { sessionRoom, startApiServer, type ApiServer } from './api/server.js';
import { createLaunchResolver } from './config/launch.js';
import { openEgress } from './egress/open.js';
import { egressReporter } from './egress/report.js';
import { ImageBuilder } from './images/builder.js';
import type { Logger } from './logger.js';
import { loadPolicySpec, sessionPolicyResolver } from './policies.js';
import type { ContainerEngine } from './sandbox/engine.js';
import { engineSummary, mountsRefusedBy, openEngine } from './sandbox/open-engine.js';
import { POOL_SESSION, SandboxRuntime } from './sandbox/runtime.js';
import { SessionEventLog } from './sessions/event-log.js';
import { Janitor } from './sessions/janitor.js';
import { recoverSessions } from './sessions/recovery.js';
import { SessionService } from './sessions/service.js';
import { ToolRunner } from './sessions/tool-runner.js';
import { acquireLock, type DaemonInfo } from './state/lock.js';
import { Credentials } from './state/credentials.js';
import { writePrivateFile } from './state/private-files.js';
import { connectRedis } from './store/connect.js';
import { Store } from './store/store.js';

const SYSTEM_INSTRUCTION =
  'You are the assistant of mcpgw. You can call tools provided by MCP servers; each runs in a locked-down sandbox and ' +
  'a human may approve or deny every call. If a call is denied, do not retry it unchanged: explain or ask. Be concise.';

/** Everything mcpd is made of that a test may want to replace; the rest is built here (the composition root). */
export interface DaemonDeps {
  stateDir: string;
  cacheDir: string;
  catalog: Catalog;
  log: Logger;
  /** Where `${VAR}` secrets come from (with the secrets.env beside the config); default: mcpd's own environment. */
  env?: NodeJS.ProcessEnv;
  engine?: ContainerEngine;
  /** An existing Redis (REDIS_URL); unset starts a private redis-server in the state dir. */
  redisUrl?: string | undefined;
  model?: ModelClient;
  host?: string;
  port?: number;
  webRoot?: string | undefined;
  janitorIntervalMs?: number;
}

export interface Daemon {
  url: string;
  port: number;
  instance: string;
  status(user: string): Promise<DaemonStatus>;
  /** Runs one janitor pass now, as if the clock read `now` (tests). */
  sweep(now?: number): ReturnType<Janitor['sweep']>;
  stop(): Promise<void>;
}

/** Builds and starts mcpd; on any start failure everything already started is stopped again. */
export async function startDaemon(deps: DaemonDeps): Promise<Daemon> {
  const { catalog, log, stateDir } = deps;
  const settings = catalog.settings.daemon;
  const cleanup: Array<() => Promise<unknown>> = [];
  const undo = async (): Promise<void> => {
    for (const step of cleanup.reverse()) await step().catch((err: unknown) => log.error('shutdown step failed', { err }));
  };
  try {
    const lock = await acquireLock(stateDir);
    cleanup.push(lock.release);
    const credentials = await Credentials.open(stateDir);
    cleanup.push(async () => credentials.close());

    const connection = await connectRedis({
      redisUrl: deps.redisUrl ?? settings.redisUrl,
      stateDir,
      fsync: settings.redisFsync,
      maxMemory: settings.redisMaxMemory,
      log,
    });
    cleanup.push(() => connection.close());
    const { redis } = connection;
    const store = new Store(redis, settings.redisPrefix, { maxBytes: settings.sessionLogSize, maxEventBytes: settings.maxEventSize });

    const engine = deps.engine ?? openEngine(catalog.sandbox);
    const dockerOk = await engine.ping().then(
      () => true,
      (err: unknown) => (
        log.warn('docker engine unavailable; tool calls will fail until it is up', { message: (err as Error).message }),
        false
      ),
    );
    const builder = new ImageBuilder({ engine, cacheDir: deps.cacheDir, baseImage: catalog.sandbox.baseImage });
    const launch = createLaunchResolver({
      env: deps.env ?? process.env,
      secretsFile: catalog.secretsFile,
      stateDir,
      remoteEngine: mountsRefusedBy(engine.endpoint, catalog.sandbox)?.display,
    });
    let sessions: SessionService | undefined;
    let tools: ToolRunner | undefined;
    // Servers with a network allowlist go out through one egress gateway; its decisions reach the log, the audit
    // stream and the tool's console.
    const egress = openEgress({
      engine,
      builder,
      instanceId: lock.instance,
      log: (level, message, fields) => log[level](message, fields),
      onDecision: egressReporter({
        log,
        console: (sessionId, server, line) => tools?.onLog(sessionId, server, line),
        audit: (entry) => store.audit(entry),
        owner: async (sessionId) => (await store.getSession(sessionId))?.owner,
        isInternal: (sessionId) => sessionId === POOL_SESSION,
      }),
    });
    const runtime = new SandboxRuntime({
      engine,
      instanceId: lock.instance,
      networks: egress,
      resolveImage: (server, sessionId) =>
        builder.imageFor(server, {
          build: settings.autoBuild,
          onProgress: (p) => {
            log.info('image build', { ...p });
            // A first use can mean an npm install and a docker build: tell the session why it waits.
            if (sessionId !== POOL_SESSION)
              void sessions?.events
                .emit(sessionId, 'tool:output', { server: server.name, stream: 'notice', text: `image: ${p.line}` })
                .catch(() => undefined);
          },
        }),
      resolveLaunch: (server) => launch.resolve(server),
      maxContainers: catalog.sandbox.maxContainers,
      maxConcurrentStarts: catalog.sandbox.maxConcurrentStarts,
      maxMessageBytes: catalog.sandbox.maxMessageSize,
      startTimeoutMs: catalog.sandbox.startTimeout,
      // A pooled sandbox belongs to no session yet: what it writes goes to the daemon log only.
      onLog: (sessionId, server, line) =>
        sessionId === POOL_SESSION ? log.debug('warm-pool sandbox output', { server, line }) : tools?.onLog(sessionId, server, line),
      onStarted: (sessionId, server, id) =>
        void sessions?.onSandboxStarted(sessionId, server, id).catch((err: unknown) => log.error('container bookkeeping failed', { err })),
      onExit: (sessionId, server, exit, id) =>
        void sessions
          ?.onSandboxExit(sessionId, server, exit, id)
          .catch((err: unknown) => log.error('container bookkeeping failed', { err })),
    });
    cleanup.push(() => runtime.closeAll());

    let api: ApiServer | undefined;
    const publish = (event: SessionEvent): void => {
      // Socket.io encodes a packet even for an empty room; most events have no live listener (the log has them).
      const room = sessionRoom(event.sessionId);
      if (api?.io.sockets.adapter.rooms.get(room)?.size) api.io.to(room).emit(event.type, event as never);
    };
    const events = new SessionEventLog(store, publish, (message, fields) => log.warn(message, fields));
    const defaultPolicy = await loadPolicySpec(catalog.settings.policy);
    sessions = new SessionService({
      store,
      runtime,
      catalog,
      launch,
      events,
      log,
      instanceId: lock.instance,
      defaults: { model: catalog.settings.gemini.model, resolvePolicy: sessionPolicyResolver(defaultPolicy) },
    });
    tools = new ToolRunner(sessions);
    const approvals = new ApprovalBroker(store, events, settings.approvalTimeout, (id) => sessions.publishUpdate(id));
    const model =
      deps.model ?? createGeminiModelClient({ apiKey: catalog.settings.gemini.apiKey, baseUrl: catalog.settings.gemini.baseUrl });
    const agent = new AgentService({
      model,
      store,
      events,
      tools,
      catalog: new ToolCatalog(sessions),
      approvals,
      sessions,
      log,
      settings: {
        maxRounds: settings.maxRounds,
        systemInstruction: catalog.settings.gemini.systemInstruction ?? SYSTEM_INSTRUCTION,
        toolOutputChars: 20_000,
      },
    });
    cleanup.push(() => agent.shutdown());

    const ids = await recoverSessions({ store, runtime, dockerOk, log });
    const repaired = await agent.recover(ids);
    if (repaired) log.info('closed calls interrupted by the previous daemon', { sessions: repaired });

    const startedAt = Date.now();
    const engineNow = engineSummary(engine);
    const status = async (user: string): Promise<DaemonStatus> => {
      const mine = await store.listSessions(user);
      const count = (s: string): number => mine.filter((r) => r.status === s).length;
      const stats = runtime.stats();
      return {
        pid: process.pid,
        url: api?.url ?? '',
        version: VERSION,
        startedAt,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        sessions: { active: count('active'), idle: count('idle'), ended: count('ended') },
        containers: {
          running: stats.running + stats.pooled,
          starting: stats.starting,
          queued: stats.queued,
          capacity: stats.capacity,
          pooled: stats.pooled,
        },
        redis: { url: connection.url, private: connection.private, connected: redis.status === 'ready' },
        engine: await engineNow(),
        user,
      };
    };
    if (settings.host !== '127.0.0.1' && settings.host !== 'localhost' && settings.host !== '::1') {
      log.warn('mcpd is listening beyond loopback: anyone who can reach it and has a token can run tools', { host: settings.host });
    }
    api = await startApiServer({
      host: deps.host ?? settings.host,
      port: deps.port ?? settings.port,
      fallbackToFreePort: deps.port === undefined,
      credentials,
      handlers: routes({ sessions, tools, agent, status, credentials }),
      log,
      webRoot: deps.webRoot ?? defaultWebRoot(),
    });
    cleanup.push(() => api!.close());

    const janitor = new Janitor({
      runtime,
      sessions,
      store,
      log,
      idleMs: settings.idleTimeout,
      retentionMs: settings.retention,
      ...(deps.janitorIntervalMs ? { intervalMs: deps.janitorIntervalMs } : {}),
    });
    janitor.start();
    cleanup.push(() => janitor.stop());
    for (const [name, size] of Object.entries(settings.warmPool)) {
      const server = catalog.servers.get(name);
      if (server && size > 0) runtime.warm(server, size);
    }

    const info: DaemonInfo = { pid: process.pid, instance: lock.instance, url: api.url, version: VERSION, startedAt };
    const infoFile = path.join(stateDir, 'daemon.json');
    writePrivateFile(infoFile, JSON.stringify(info, null, 2));
    cleanup.push(() => rm(infoFile, { force: true }));
    log.info('mcpd started', { url: api.url, pid: process.pid, version: VERSION, sessions: ids.length });

    let stopping: Promise<void> | undefined;
    return {
      url: api.url,
      port: api.port,
      instance: lock.instance,
      status,
      sweep: (now) => janitor.sweep(now),
      stop: () => (stopping ??= undo().then(() => log.info('mcpd stopped'))),
    };
  } catch (err) {
    await undo();
    throw err;
  }
}

/** The built web client: next to the compiled daemon (dist/daemon → web/dist) or the sources (daemon → web/dist). */
function defaultWebRoot(): string | undefined {
  for (const relative of ['../../web/dist/', '../web/dist/']) {
    const root = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(path.join(root, 'index.html'))) return root;
  }
  return undefined;
}
