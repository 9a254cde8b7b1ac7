import type { Catalog, ServerConfig } from '../../src/config/catalog.js';
import type { RuntimeSetting } from '../../src/config/sandbox-runtime.js';
import { loosenedBy } from '../../src/config/describe.js';
import { assertServerAllowed, assertUnderQuota, serverRefusal, type UserLimits } from '../../src/config/user-limits.js';
import { McpgwError, errorMessage } from '../../src/errors.js';
import { assessPolicy, type Policy, type PolicyAssessment } from '../../src/policy/index.js';
import type { SessionCreateRequest } from '../../src/protocol/requests.js';
import type { ContainerState, SessionInfo } from '../../src/protocol/session.js';
import type { TurnControl } from '../agent/turns.js';
import type { SandboxProvider } from '../calls/ports.js';
import { serverStates, type ServerState } from '../config/availability.js';
import type { LaunchResolver } from '../config/launch.js';
import type { Logger } from '../logger.js';
import { discardQuestions } from '../questions/discard.js';
import type { Sandbox, SandboxExit } from '../sandbox/sandbox.js';
import type { SandboxRuntime } from '../sandbox/runtime.js';
import type { AuditLog, ContainerLedger, QuestionStore, SessionRecord, SessionRecords } from '../store/ports.js';
import type { EventSink } from './event-log.js';
import { newId } from './ids.js';
import { notice } from './notices.js';

/** What a new session gets when the request does not say: the configured model and policy. */
export interface SessionDefaults {
  model: string;
  /** Resolves the request's policy to a name and a JSON document; throws `bad_request` for a bad one. */
  resolvePolicy: (request: SessionCreateRequest['policy']) => { name: string; policy: string };
}

export interface SessionServiceOptions {
  store: SessionRecords & ContainerLedger & QuestionStore & AuditLog;
  runtime: SandboxRuntime;
  catalog: Catalog;
  /** Tells whether a server can start now (secrets present, mounts allowed); presence only. */
  launch: Pick<LaunchResolver, 'check'>;
  events: EventSink;
  /** Whether a turn runs in a session (for `busy`), and stopping it (kill). */
  turns: TurnControl;
  log: Logger;
  instanceId: string;
  defaults: SessionDefaults;
  /** A user's server allowlist and quotas (daemon.users / daemon.userDefaults). */
  limits: (user: string) => UserLimits;
}

const key = (sessionId: string, server: string): string => `${sessionId}\u0000${server}`;

/**
 * Sessions: who owns them, which servers they use, the state of their sandboxes. Every read or change checks the
 * caller owns the session; a session of another user is "not found", never "forbidden", so ids do not leak.
 */
export class SessionService implements SandboxProvider {
  private readonly crashed = new Set<string>();
  /** Who owns each session that has used a sandbox here: containers are counted per user. */
  private readonly owners = new Map<string, string>();
  /** Session creates in flight per user (the session quota counts them). */
  private readonly creating = new Map<string, number>();

  constructor(private readonly opts: SessionServiceOptions) {}

  /**
   * Every configured server, runnable or not (with why), in config order. For a user, the servers outside their
   * allowlist are shown as unavailable with the config key that keeps them out.
   */
  /** `sandbox.runtime`: the container runtime of servers that do not name their own. */
  get runtimeSetting(): RuntimeSetting {
    return this.opts.catalog.sandbox.runtime;
  }

  async serverStates(user?: string): Promise<ServerState[]> {
    const states = await serverStates(this.opts.catalog, this.opts.launch);
    if (user === undefined) return states;
    const limits = this.opts.limits(user);
    return states.map((s): ServerState => {
      const why = serverRefusal(limits, s.name);
      return why ? { name: s.name, available: false, reason: why, ...(s.server ? { server: s.server } : {}) } : s;
    });
  }

  async create(owner: string, request: SessionCreateRequest): Promise<SessionInfo> {
    const limits = this.opts.limits(owner);
    // Creates in flight count against the quota too, so concurrent requests cannot all pass the check.
    const inFlight = this.creating.get(owner) ?? 0;
    this.creating.set(owner, inFlight + 1);
    try {
      const open = (await this.opts.store.listSessions(owner)).filter((r) => r.status !== 'ended').length;
      assertUnderQuota(limits, 'sessions', open + inFlight);
      return await this.createChecked(owner, limits, request);
    } finally {
      const n = (this.creating.get(owner) ?? 1) - 1;
      if (n > 0) this.creating.set(owner, n);
      else this.creating.delete(owner);
    }
  }

  private async createChecked(owner: string, limits: UserLimits, request: SessionCreateRequest): Promise<SessionInfo> {
    const states = await this.serverStates(owner);
    // The default is every server the user may use that can run now and is not disabled; naming one that cannot is an error.
    const servers = request.servers ?? states.filter((s) => s.available && !s.server.disabled).map((s) => s.name);
    for (const name of request.servers ?? []) {
      assertServerAllowed(limits, name);
      const state = states.find((s) => s.name === name);
      if (state && !state.available) throw new McpgwError('bad_request', `server "${name}" is unavailable: ${state.reason}`);
      assertEnabled(this.server(name));
    }
    const { name: policyName, policy } = this.opts.defaults.resolvePolicy(request.policy);
    const now = Date.now();
    const rec: SessionRecord = {
      id: newId('s'),
      owner,
      title: request.title ?? '',
      status: 'active',
      model: request.model ?? this.opts.defaults.model,
      policyName,
      policy,
      servers,
      createdAt: now,
      lastActive: now,
      seq: 0,
    };
    await this.opts.store.createSession(rec);
    await this.opts.store.audit({
      ts: now,
      sessionId: rec.id,
      user: owner,
      kind: 'session',
      action: 'create',
      servers,
      policy: policyName,
    });
    this.opts.log.info('session created', { sessionId: rec.id, owner, servers });
    const info = await this.publishUpdate(rec.id);
    if (this.opts.catalog.settings.daemon.prestart) this.prestart(rec);
    return info;
  }

  /** Starts the session's sandboxes in the background (`daemon.prestart`); a failure waits for the first real use. */
  private prestart(rec: SessionRecord): void {
    for (const name of rec.servers) {
      void this.sandbox(rec, name).catch((err: unknown) =>
        this.opts.log.info('prestart failed; the first call starts it again', {
          sessionId: rec.id,
          server: name,
          message: errorMessage(err),
        }),
      );
    }
  }

  /** The caller's sessions, newest first. */
  async list(owner: string): Promise<SessionInfo[]> {
    const records = await this.opts.store.listSessions(owner);
    const questions = await this.opts.store.countQuestions(records.map((r) => r.id));
    return records.map((rec, i) => this.describe(rec, questions[i] ?? 0));
  }

  /** A session the caller owns, by id or unique prefix; anything else is `not_found`. */
  async owned(owner: string, idOrPrefix: string): Promise<SessionRecord> {
    const rec = await this.opts.store.findOwnedSession(owner, idOrPrefix);
    if (rec === 'ambiguous') throw new McpgwError('bad_request', `"${idOrPrefix}" matches several sessions; give more of the id`);
    if (!rec || rec.owner !== owner) throw new McpgwError('not_found', `no session "${idOrPrefix}"`);
    return rec;
  }

  /** Like `owned`, but refuses ended sessions. */
  async ownedLive(owner: string, idOrPrefix: string): Promise<SessionRecord> {
    const rec = await this.owned(owner, idOrPrefix);
    if (rec.status === 'ended') throw new McpgwError('conflict', `session ${rec.id} has ended`);
    return rec;
  }

  async info(sessionId: string): Promise<SessionInfo> {
    const rec = await this.opts.store.getSession(sessionId);
    if (!rec) throw new McpgwError('not_found', `no session "${sessionId}"`);
    const [pending = 0] = await this.opts.store.countQuestions([sessionId]);
    return this.describe(rec, pending);
  }

  private describe(rec: SessionRecord, pendingApprovals: number): SessionInfo {
    return {
      id: rec.id,
      owner: rec.owner,
      title: rec.title,
      status: rec.status,
      model: rec.model,
      policy: rec.policyName,
      policyAssessment: assessStored(rec.policy),
      servers: rec.servers.map((name) => {
        const sandbox = this.opts.runtime.get(rec.id, name);
        const containerId = sandbox?.containerId;
        const server = this.opts.catalog.servers.get(name);
        const loosened = server ? loosenedBy(server) : [];
        return {
          name,
          state: this.containerState(rec.id, name),
          ...(containerId ? { containerId } : {}),
          ...(sandbox ? { runtime: sandbox.runtime } : {}),
          ...(loosened.length > 0 ? { loosened } : {}),
        };
      }),
      createdAt: rec.createdAt,
      lastActive: rec.lastActive,
      pendingApprovals,
      busy: this.opts.turns.isBusy(rec.id),
      lastSeq: rec.seq,
    };
  }

  private containerState(sessionId: string, server: string): ContainerState {
    if (this.opts.runtime.get(sessionId, server)) return 'running';
    if (this.opts.runtime.isStarting(sessionId, server)) return 'starting';
    return this.crashed.has(key(sessionId, server)) ? 'crashed' : 'stopped';
  }

  /** Emits `session:updated` with the current state; returns that state. */
  async publishUpdate(sessionId: string): Promise<SessionInfo> {
    const info = await this.info(sessionId);
    await this.opts.events.emit(sessionId, 'session:updated', { session: info });
    return info;
  }

  /** Ends a session: cancels its turn, removes its containers and pending questions. */
  async kill(owner: string, idOrPrefix: string, reason = 'killed by its owner'): Promise<SessionInfo> {
    const rec = await this.owned(owner, idOrPrefix);
    if (rec.status !== 'ended') {
      await this.opts.turns.cancel(rec.id);
      await this.opts.runtime.release(rec.id);
      this.owners.delete(rec.id);
      await this.opts.store.updateSession(rec.id, { status: 'ended' });
      await discardQuestions(this.opts.store, rec.id);
      await this.opts.store.audit({ ts: Date.now(), sessionId: rec.id, user: owner, kind: 'session', action: 'kill', reason });
      await this.opts.events.emit(rec.id, 'session:ended', { reason });
      this.opts.log.info('session ended', { sessionId: rec.id, reason });
    }
    return this.publishUpdate(rec.id);
  }

  /** The catalog entry for a server; `server_unavailable` (with why) for one that cannot run, else `not_found`. */
  server(name: string): ServerConfig {
    const { servers, unavailable } = this.opts.catalog;
    const server = servers.get(name);
    if (server) return server;
    const why = unavailable.get(name);
    if (why) throw new McpgwError('server_unavailable', `server "${name}" is unavailable: ${why.reason}`);
    throw new McpgwError('not_found', `no server named "${name}" (configured: ${[...servers.keys()].join(', ') || 'none'})`);
  }

  /** The session's sandbox for a server, started lazily; the session is marked active again. */
  async sandbox(rec: SessionRecord, serverName: string, signal?: AbortSignal): Promise<Sandbox> {
    if (!rec.servers.includes(serverName)) {
      throw new McpgwError('not_found', `session ${rec.id} does not use server "${serverName}" (it uses: ${rec.servers.join(', ')})`);
    }
    const running = this.opts.runtime.get(rec.id, serverName);
    if (running) return running;
    const server = assertEnabled(this.server(serverName));
    // Re-checked at every start, not only at create: the config may have changed since the session began.
    const limits = this.opts.limits(rec.owner);
    assertServerAllowed(limits, serverName);
    // No await between the count and acquire(): acquire registers the start synchronously, so two calls cannot
    // both pass the check with one slot left.
    if (!this.opts.runtime.isStarting(rec.id, serverName)) assertUnderQuota(limits, 'containers', this.containersOf(rec));
    this.crashed.delete(key(rec.id, serverName));
    const starting = this.opts.runtime.acquire(rec.id, server, signal);
    if (rec.status === 'idle') await this.opts.store.updateSession(rec.id, { status: 'active' });
    await this.publishUpdate(rec.id);
    try {
      return await starting;
    } finally {
      await this.publishUpdate(rec.id);
    }
  }

  /** Containers running or starting for the sessions of `rec`'s owner (`rec` is noted as theirs). */
  private containersOf(rec: SessionRecord): number {
    // Sessions deleted by the janitor leave entries behind: past a bound, keep only those with a sandbox.
    if (this.owners.size > 1000) {
      const inUse = new Set<string>();
      this.opts.runtime.countFor((id) => (inUse.add(id), false));
      for (const id of this.owners.keys()) if (!inUse.has(id)) this.owners.delete(id);
    }
    this.owners.set(rec.id, rec.owner);
    return this.opts.runtime.countFor((id) => this.owners.get(id) === rec.owner);
  }

  /** Runtime hook: a sandbox is up for a session. */
  async onSandboxStarted(sessionId: string, server: string, containerId: string): Promise<void> {
    await this.opts.store.setContainer(sessionId, server, containerId, this.opts.instanceId);
  }

  /** Runtime hook: a sandbox exited (crash or close); a crash is shown to the session. */
  async onSandboxExit(sessionId: string, server: string, exit: SandboxExit, containerId: string): Promise<void> {
    await this.opts.store.clearContainer(sessionId, server, containerId);
    if (exit.expected) return;
    this.crashed.add(key(sessionId, server));
    const why = exit.oomKilled ? 'was OOM-killed' : `exited with code ${exit.exitCode}`;
    await notice(this.opts.events, sessionId, server, `sandbox "${server}" ${why}; it restarts on next use`);
    await this.publishUpdate(sessionId);
  }
}

/** The server, unless the config disables it (`disabled: true` holds for every path: lists, calls, the warm pool). */
function assertEnabled(server: ServerConfig): ServerConfig {
  if (server.disabled) throw new McpgwError('server_unavailable', `server "${server.name}" is disabled in the config`);
  return server;
}

const assessments = new Map<string, PolicyAssessment>();

/** The assessment of a session's stored policy (JSON), memoised: sessions are described on every update. */
function assessStored(policy: string): PolicyAssessment {
  let assessment = assessments.get(policy);
  if (!assessment) {
    try {
      assessment = assessPolicy(JSON.parse(policy) as Policy);
    } catch {
      // Stored by mcpd itself, so this means corruption: show the worst rather than vouch for what cannot be read.
      return { level: 'dangerous', reasons: ['the stored policy cannot be read'] };
    }
    if (assessments.size >= 100) assessments.clear();
    assessments.set(policy, assessment);
  }
  return assessment;
}
