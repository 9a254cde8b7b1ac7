import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stateFile } from '../src/paths.js';
import type { Catalog } from '../src/config/catalog.js';
import type { DaemonStatus } from '../src/protocol/session.js';
import { VERSION } from '../src/version.js';
import { createGeminiModelClient, type ModelClient } from './agent/model/index.js';
import { routes } from './api/routes.js';
import { startApiServer, type ApiServer } from './api/server.js';
import { loosenedBy } from '../src/config/describe.js';
import { createLaunchResolver } from './config/launch.js';
import { testEgressWarning } from './egress/test-override.js';
import { ImageBuilder } from './images/builder.js';
import type { Logger } from './logger.js';
import { loadPolicySpec } from './policies.js';
import type { ContainerEngine } from './sandbox/engine.js';
import { engineSummary, limitsLoosening, mountsRefusedBy, openEngine } from './sandbox/open-engine.js';
import { buildServices, type EgressTestSettings, type Services } from './services.js';
import { Janitor } from './sessions/janitor.js';
import { recoverSessions } from './sessions/recovery.js';
import { acquireLock, type DaemonInfo } from './state/lock.js';
import { Credentials } from './state/credentials.js';
import { writePrivateFile } from './state/private-files.js';
import { statusReporter } from './status.js';
import { connectRedis } from './store/connect.js';
import { Store } from './store/store.js';

/** Everything mcpd is made of that a test may want to replace; the rest is built here (the composition root). */
export interface DaemonDeps {
  stateDir: string;
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
  /** The egress gateway's way out, its resolvers and private ranges it may reach: tests only (their targets). */
  egress?: EgressTestSettings;
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

/**
 * Builds and starts mcpd, in order: the lock and tokens, storage, Docker, the services, recovery from the previous
 * daemon, the API, the janitor and warm pool, the info file. On any start failure everything already started is
 * stopped again, newest first.
 */
export async function startDaemon(deps: DaemonDeps): Promise<Daemon> {
  const { catalog, log, stateDir } = deps;
  const settings = catalog.settings.daemon;
  const stack = new ShutdownStack(log);
  try {
    const lock = await acquireLock(stateDir);
    stack.push(lock.release);
    const credentials = await Credentials.open(stateDir);
    stack.push(async () => credentials.close());

    const connection = await connectRedis({
      redisUrl: deps.redisUrl ?? settings.redisUrl,
      stateDir,
      fsync: settings.redisFsync,
      maxMemory: settings.redisMaxMemory,
      log,
    });
    stack.push(() => connection.close());
    const store = new Store(connection.redis, settings.redisPrefix, {
      maxBytes: settings.sessionLogSize,
      maxEventBytes: settings.maxEventSize,
    });

    const engine = deps.engine ?? openEngine(catalog.sandbox);
    const dockerOk = await pingDocker(engine, log);

    const builder = new ImageBuilder({
      engine,
      instanceId: lock.instance,
      baseImage: catalog.sandbox.baseImage,
      pythonBaseImage: catalog.sandbox.pythonBaseImage,
      build: catalog.sandbox.build,
    });
    const services = buildServices({
      store,
      engine,
      builder,
      model: deps.model ?? createGeminiModelClient({ apiKey: catalog.settings.gemini.apiKey, baseUrl: catalog.settings.gemini.baseUrl }),
      launch: createLaunchResolver({
        env: deps.env ?? process.env,
        secretsFile: catalog.secretsFile,
        stateDir,
        remoteEngine: mountsRefusedBy(engine.endpoint, catalog.sandbox)?.display,
      }),
      catalog,
      defaultPolicy: await loadPolicySpec(catalog.settings.policy),
      instanceId: lock.instance,
      owner: credentials.tokens.list().find((t) => t.owner)?.user,
      log,
      ...(deps.egress ? { egress: deps.egress } : {}),
    });
    stack.push(() => services.runtime.closeAll());
    stack.push(() => Promise.resolve(services.notices.close()));
    stack.push(() => services.agent.shutdown());

    const ids = await recoverSessions({ store, runtime: services.runtime, dockerOk, log });
    const repaired = await services.agent.recover(ids);
    if (repaired) log.info('closed calls interrupted by the previous daemon', { sessions: repaired });

    const startedAt = Date.now();
    const status = statusReporter({
      store,
      runtime: services.runtime,
      connection,
      startedAt,
      engine: engineSummary(engine),
      engineLoosened: limitsLoosening(engine, catalog.sandbox.allowUnenforcedLimits),
      ...(deps.egress ? { loosened: [testEgressWarning(deps.egress)] } : {}),
    });
    const api = await serveApi(deps, services, { credentials, status, store });
    stack.push(() => api.close());

    const janitor = startHousekeeping(deps, services, store);
    stack.push(() => janitor.stop());
    // A standby for each server whose image is built, so that even a server's first start skips `create`
    // (sandbox.standby); never a build, and those nobody takes go with the idle timeout.
    if (catalog.sandbox.standby && dockerOk) {
      const servers = [...catalog.servers.values()].filter((s) => !s.disabled);
      void services.runtime.primeStandbys(servers, (s) => builder.imageFor(s, { build: false }).catch(() => undefined));
    }
    const info: DaemonInfo = { pid: process.pid, instance: lock.instance, url: api.url, version: VERSION, startedAt };
    stack.push(writeDaemonInfo(stateDir, info));
    log.info('mcpd started', { url: api.url, pid: process.pid, version: VERSION, sessions: ids.length });
    // Every server whose config loosens the sandbox is named at start, so loosening is never quiet.
    for (const server of catalog.servers.values()) {
      const loosened = loosenedBy(server);
      if (loosened.length > 0) log.warn('server runs with a loosened sandbox', { server: server.name, loosened });
    }

    let stopping: Promise<void> | undefined;
    return {
      url: api.url,
      port: api.port,
      instance: lock.instance,
      status: (user) => status(user, api.url),
      sweep: (now) => janitor.sweep(now),
      stop: () => (stopping ??= stack.unwind().then(() => log.info('mcpd stopped'))),
    };
  } catch (err) {
    await stack.unwind();
    throw err;
  }
}

/** Starts the Socket.io API over the services. */
function serveApi(
  deps: DaemonDeps,
  services: Services,
  extra: { credentials: Credentials; status: ReturnType<typeof statusReporter>; store: Store },
): Promise<ApiServer> {
  const { catalog, log } = deps;
  const host = deps.host ?? catalog.settings.daemon.host;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    log.warn('mcpd is listening beyond loopback: anyone who can reach it and has a token can run tools', { host });
  }
  return startApiServer({
    host,
    port: deps.port ?? catalog.settings.daemon.port,
    fallbackToFreePort: deps.port === undefined,
    credentials: extra.credentials,
    handlers: routes({ ...services, audit: extra.store, status: extra.status, credentials: extra.credentials }),
    feed: services.feed,
    log,
    webRoot: deps.webRoot ?? defaultWebRoot(),
  });
}

/** The janitor (idle containers, expired sessions) and the warm pool, started. */
function startHousekeeping(deps: DaemonDeps, services: Services, store: Store): Janitor {
  const settings = deps.catalog.settings.daemon;
  const janitor = new Janitor({
    runtime: services.runtime,
    sessions: services.sessions,
    turns: services.turns,
    store,
    log: deps.log,
    idleMs: settings.idleTimeout,
    retentionMs: settings.retention,
    ...(deps.janitorIntervalMs ? { intervalMs: deps.janitorIntervalMs } : {}),
  });
  janitor.start();
  for (const [name, size] of Object.entries(settings.warmPool)) {
    const server = deps.catalog.servers.get(name);
    if (server?.disabled) deps.log.warn('warm pool skips a disabled server', { server: name });
    else if (server && size > 0) services.runtime.warm(server, size);
  }
  return janitor;
}

/** Writes `daemon.json` (how clients find this daemon); returns its removal. */
function writeDaemonInfo(stateDir: string, info: DaemonInfo): () => Promise<void> {
  const file = stateFile(stateDir, 'daemonInfo');
  writePrivateFile(file, JSON.stringify(info, null, 2));
  return () => rm(file, { force: true });
}

/** Whether Docker answers; mcpd starts without it (tool calls fail until it is up). */
async function pingDocker(engine: ContainerEngine, log: Logger): Promise<boolean> {
  try {
    await engine.ping();
  } catch (err) {
    log.warn('docker engine unavailable; tool calls will fail until it is up', { message: (err as Error).message });
    return false;
  }
  try {
    // Every start is refused there (or, with sandbox.allowUnenforcedLimits, runs without limits): said once, loudly.
    const reason = (await engine.describe()).limitsUnenforced;
    if (reason) log.warn('the engine cannot enforce sandbox limits', { reason });
  } catch {
    // describing is best effort; the engine answered the ping
  }
  return true;
}

/** Undo steps for what has started, run newest first (each failure is logged, and the rest still run). */
class ShutdownStack {
  private readonly steps: Array<() => Promise<unknown>> = [];

  constructor(private readonly log: Logger) {}

  push(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  async unwind(): Promise<void> {
    for (const step of this.steps.splice(0).reverse())
      await step().catch((err: unknown) => this.log.error('shutdown step failed', { err }));
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
