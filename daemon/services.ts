import type { Catalog } from '../src/config/catalog.js';
import { limitsFor, type UserLimits } from '../src/config/user-limits.js';
import { AgentService } from './agent/service.js';
import type { ModelClient } from './agent/model/index.js';
import { ToolCatalog } from './agent/toolset.js';
import { TurnRegistry } from './agent/turns.js';
import { MediaCache } from './calls/media-cache.js';
import { CallOutput } from './calls/output.js';
import { RunningCalls } from './calls/running.js';
import { ServerContent } from './content/service.js';
import { ToolCalls } from './calls/tool-call.js';
import type { LaunchResolver } from './config/launch.js';
import type { EgressRule } from '../src/config/egress.js';
import type { Policy } from '../src/policy/index.js';
import { GrantBroker } from './egress/grants.js';
import { openEgress } from './egress/open.js';
import { egressReporter } from './egress/report.js';
import type { ImageBuilder } from './images/builder.js';
import type { Logger } from './logger.js';
import type { NamedPolicy } from './policies.js';
import { sessionPolicyResolver } from './policies.js';
import { PeerBounds } from './peer/bounds.js';
import type { ElicitationDeps } from './peer/elicitation.js';
import { ServerNotices } from './peer/notices.js';
import { Sampler } from './peer/sampling.js';
import { serverRequests } from './peer/service.js';
import { ToolPins } from './pins/service.js';
import { QuestionService } from './questions/service.js';
import type { ContainerEngine } from './sandbox/engine.js';
import { SandboxPlacement, withRuntimeCheck } from './sandbox/runtime-choice.js';
import { POOL_SESSION, SandboxRuntime } from './sandbox/runtime.js';
import { SandboxSignals } from './sandbox/signals.js';
import { SessionEventLog } from './sessions/event-log.js';
import { LiveFeed } from './sessions/live-feed.js';
import { notice } from './sessions/notices.js';
import { SessionService } from './sessions/service.js';
import type { SessionStore } from './store/ports.js';

const SYSTEM_INSTRUCTION =
  'You are the assistant of mcpgw. You can call tools provided by MCP servers; each runs in a locked-down sandbox and ' +
  'a human may approve or deny every call. If a call is denied, do not retry it unchanged: explain or ask. Be concise.';

/** What the model reads of one tool's output, or of one resource or prompt the user attached. */
const TOOL_OUTPUT_CHARS = 20_000;

export interface ServiceOptions {
  store: SessionStore;
  engine: ContainerEngine;
  builder: ImageBuilder;
  /** How a server is launched (secrets resolved at container start, host mounts checked). */
  launch: LaunchResolver;
  model: ModelClient;
  catalog: Catalog;
  defaultPolicy: NamedPolicy;
  instanceId: string;
  /** The daemon owner's user name (the state dir's token): no per-user limits unless `daemon.users` lists them. */
  owner?: string | undefined;
  log: Logger;
  egress?: EgressTestSettings;
}

/** Where the egress gateway goes out and resolves, and private ranges it may reach: for tests and their targets. */
export interface EgressTestSettings {
  networks?: string[];
  resolvers?: string[];
  exempt?: string[];
}

/** mcpd's services, wired: each is built once, after everything it needs, and gets exactly the ports it uses. */
export interface Services {
  feed: LiveFeed;
  events: SessionEventLog;
  turns: TurnRegistry;
  runtime: SandboxRuntime;
  sessions: SessionService;
  questions: QuestionService;
  calls: ToolCalls;
  agent: AgentService;
  pins: ToolPins;
  /** Result media too large for their events, held for clients in memory. */
  media: MediaCache;
  content: ServerContent;
  notices: ServerNotices;
}

/**
 * Builds the service graph in dependency order. The one loop (sandboxes report to the services that own them) is
 * closed by subscribing to SandboxSignals at the end, not by reaching forward.
 */
export function buildServices(o: ServiceOptions): Services {
  const { store, catalog, log } = o;
  const settings = catalog.settings.daemon;
  const limits = (user: string): UserLimits => limitsFor(settings, user, o.owner);
  const feed = new LiveFeed();
  const events = new SessionEventLog(store, feed.publish, (message, fields) => log.warn(message, fields));
  const turns = new TurnRegistry();
  const output = new CallOutput(events);
  // Made once the questions exist (below); the gateway reports refusals only after sandboxes run, long after.
  let grants: GrantBroker | undefined;
  // Servers with a network allowlist go out through one egress gateway; its decisions reach the log, the audit
  // stream and the tool's console.
  const egress = openEgress({
    engine: o.engine,
    builder: o.builder,
    instanceId: o.instanceId,
    ...(o.egress?.networks ? { egressNetworks: o.egress.networks } : {}),
    ...(o.egress?.resolvers ? { resolvers: o.egress.resolvers } : {}),
    ...(o.egress?.exempt ? { exemptDestinations: o.egress.exempt } : {}),
    log: (level, message, fields) => log[level](message, fields),
    onDecision: egressReporter({
      log,
      console: (sessionId, server, line) => output.onLog(sessionId, server, line),
      audit: (entry) => store.audit(entry),
      owner: async (sessionId) => (await store.getSession(sessionId))?.owner,
      isInternal: (sessionId) => sessionId === POOL_SESSION,
    }),
    onDenied: (denied) => (denied.sessionId === POOL_SESSION ? undefined : grants?.onDenied(denied)),
    loadGrants: async (sessionId, server) =>
      (await store.egressGrants(sessionId)).flatMap((g) => {
        const grant = g as { server: string; rule: EgressRule };
        return grant.server === server ? [grant.rule] : [];
      }),
  });
  const signals = new SandboxSignals();
  const placement = new SandboxPlacement(o.engine, { runtime: catalog.sandbox.runtime });
  placement.prime();
  // A server whose runtime the engine lacks is listed as unavailable, with the reason.
  const launch = withRuntimeCheck(o.launch, placement);
  // What servers ask of the client: bounded per (session, server), answered by the session's humans.
  const running = new RunningCalls();
  const say = (sessionId: string, server: string, text: string): Promise<unknown> =>
    notice(events, sessionId, server, text).catch(() => undefined);
  const elicitation: ElicitationDeps = {
    bounds: new PeerBounds(
      undefined,
      (who, reason) => void say(who.sessionId, who.server, `mcpgw refused a request of the server: ${reason}`),
    ),
    questions: () => questions,
    ownerOf: async (sessionId) => (await store.getSession(sessionId))?.owner,
    running,
    audit: (entry) => store.audit(entry),
    notice: say,
  };
  // List changes and resource updates reach the session's clients as rate-limited events.
  const notices = new ServerNotices(
    (id, change) => events.post(id, 'server:changed', change),
    undefined,
    (id) => id === POOL_SESSION,
  );
  const runtime = new SandboxRuntime({
    engine: o.engine,
    placement,
    instanceId: o.instanceId,
    networks: egress,
    peer: serverRequests({
      serverNamed: (name) => catalog.servers.get(name),
      notice: notices.notice,
      elicitation,
      // The sampler is built below (it needs questions and sessions); a server's request reaches it only later.
      sampler: { sample: (ctx, params) => sampler.sample(ctx, params) },
    }),
    resolveImage: (server, sessionId) =>
      o.builder.imageFor(server, {
        build: settings.autoBuild,
        onProgress: (p) => {
          log.info('image build', { ...p });
          // A first use can mean an npm install and a docker build: tell the session why it waits.
          if (sessionId !== POOL_SESSION) void notice(events, sessionId, server.name, `image: ${p.line}`).catch(() => undefined);
        },
      }),
    resolveLaunch: (server) => o.launch.resolve(server),
    maxContainers: catalog.sandbox.maxContainers,
    standby: catalog.sandbox.standby,
    maxConcurrentStarts: catalog.sandbox.maxConcurrentStarts,
    maxMessageBytes: catalog.sandbox.maxMessageSize,
    startTimeoutMs: catalog.sandbox.startTimeout,
    ...signals.hooks,
  });
  const sessions = new SessionService({
    store,
    runtime,
    catalog,
    launch,
    events,
    turns,
    log,
    instanceId: o.instanceId,
    defaults: { model: catalog.settings.gemini.model, resolvePolicy: sessionPolicyResolver(o.defaultPolicy) },
    limits,
  });
  const questions = new QuestionService({
    store,
    events,
    timeoutMs: settings.approvalTimeout,
    onChange: (id) => sessions.publishUpdate(id),
    limits,
  });
  const bounds = new PeerBounds(
    undefined,
    (who, reason) => void notice(events, who.sessionId, who.server, `refused a request of the server: ${reason}`).catch(() => undefined),
  );
  const sampler: Sampler = new Sampler({ store, questions, model: o.model, events, bounds, turns, running });
  const pins = new ToolPins(store);
  // Calls and the model's tool list share one catalog: it re-lists each sandbox it sees start and pins the tools.
  const toolCatalog = new ToolCatalog(sessions, pins);
  const media = new MediaCache();
  grants = new GrantBroker({
    egress,
    questions,
    session: async (sessionId) => {
      const rec = await store.getSession(sessionId);
      return rec && rec.status !== 'ended' ? { owner: rec.owner, policy: JSON.parse(rec.policy) as Policy } : undefined;
    },
    keep: (sessionId, grant) => store.addEgressGrant(sessionId, grant),
    audit: (entry) => store.audit(entry),
    console: (sessionId, server, line) => output.onLog(sessionId, server, line),
    running: (sessionId, server) => output.callsOf(sessionId, server),
    callOf: (sessionId, server) => output.attributableCall(sessionId, server),
    headless: (sessionId) => turns.isHeadless(sessionId),
    note: (sessionId, text) => store.pushNote(sessionId, text),
    log: (level, message, fields) => log[level](message, fields),
  });
  const broker = grants;
  output.onCallEnd((sessionId, server, callId) => broker.callEnded(sessionId, server, callId));
  feed.subscribe((event) => {
    if (event.type !== 'session:ended') return;
    broker.forgetSession(event.sessionId);
    egress.forgetSession(event.sessionId);
    void content
      .forgetSession(event.sessionId)
      .catch((err: unknown) => log.warn('could not forget the subscriptions of an ended session', { err }));
  });
  const calls = new ToolCalls({ events, store, questions, sandboxes: toolCatalog, output, pins, notes: broker, media, running });
  const agent = new AgentService({
    model: o.model,
    store,
    events,
    calls,
    catalog: toolCatalog,
    turns,
    questions,
    publishUpdate: (id) => sessions.publishUpdate(id),
    log,
    settings: {
      maxRounds: settings.maxRounds,
      systemInstruction: catalog.settings.gemini.systemInstruction ?? SYSTEM_INSTRUCTION,
      toolOutputChars: TOOL_OUTPUT_CHARS,
    },
  });
  const content = new ServerContent({
    sandboxes: sessions,
    live: (sessionId, server) => runtime.get(sessionId, server),
    notes: store,
    follows: store,
    events,
    modelChars: TOOL_OUTPUT_CHARS,
  });

  const failed = (err: unknown): void => log.error('container bookkeeping failed', { err });
  signals.observe({
    started: (sessionId, server, id) => {
      void sessions.onSandboxStarted(sessionId, server, id).catch(failed);
      // The server's subscriptions went with the old process: the new one is asked to follow them again.
      void content.sandboxStarted(sessionId, server).catch(failed);
    },
    exited: (sessionId, server, exit, id) => void sessions.onSandboxExit(sessionId, server, exit, id).catch(failed),
    // A pooled sandbox belongs to no session yet: what it writes goes to the daemon log only.
    log: (sessionId, server, line) =>
      sessionId === POOL_SESSION ? log.debug('warm-pool sandbox output', { server, line }) : output.onLog(sessionId, server, line),
  });
  return { feed, events, turns, runtime, sessions, questions, calls, agent, pins, content, notices, media };
}
