import { EventEmitter } from 'node:events';
import { McpgwError } from '../../../src/errors.js';
import type { SessionEvent, SessionEventName, SessionEventPayloads } from '../../../src/protocol/events.js';
import type { SessionInfo } from '../../../src/protocol/session.js';
import type { ChatClient } from '../../../tui/chat/connection.js';

export interface RecordedRequest {
  name: string;
  payload: Record<string, unknown>;
}

/**
 * A stand-in for mcpd behind the chat's client interface: sessions with event logs, attach with replay, and a
 * record of every request, so UI tests can play the daemon's side event by event.
 */
export class FakeDaemon {
  readonly sessions: SessionInfo[] = [];
  readonly logs = new Map<string, SessionEvent[]>();
  readonly requests: RecordedRequest[] = [];
  readonly clients: FakeClient[] = [];
  startedAt = 1_000;
  down = false;
  /** What `daemon:status` says mcpd runs loosened (absent when unset, as from mcpd). */
  loosened: string[] | undefined;
  /** Answers for `question:answer` (default: applied). */
  approvalReply: { applied: boolean; by?: string } = { applied: true };
  private ts = Date.now() - 60_000;
  private nextId = 1;

  /** What the controller's `connect` calls. */
  connect = async (): Promise<ChatClient> => {
    if (this.down) throw new McpgwError('not_found', 'mcpd is not running (start it with: mcpgw daemon start)');
    const client = new FakeClient(this);
    this.clients.push(client);
    return client as unknown as ChatClient;
  };

  addSession(overrides: Partial<SessionInfo> = {}): SessionInfo {
    const info: SessionInfo = {
      id: `s_${this.nextId++}abc`,
      owner: 'alice',
      title: '',
      status: 'active',
      model: 'gemini-2.5-flash',
      policy: 'ask',
      policyAssessment: { level: 'safe', reasons: [] },
      servers: [{ name: 'testsrv', state: 'stopped' }],
      createdAt: this.ts,
      lastActive: this.ts,
      pendingApprovals: 0,
      busy: false,
      lastSeq: 0,
      ...overrides,
    };
    this.sessions.push(info);
    this.logs.set(info.id, []);
    return info;
  }

  /** Logs an event and sends it to every client attached to the session. */
  emit<K extends SessionEventName>(sessionId: string, type: K, payload: SessionEventPayloads[K]): SessionEvent {
    const log = this.logs.get(sessionId)!;
    const info = this.sessions.find((s) => s.id === sessionId)!;
    const event = { type, sessionId, seq: info.lastSeq + 1, ts: (this.ts += 100), ...payload } as unknown as SessionEvent;
    log.push(event);
    info.lastSeq = event.seq;
    if (type === 'session:updated') Object.assign(info, (payload as SessionEventPayloads['session:updated']).session);
    for (const client of this.clients) if (client.attached.has(sessionId)) client.socket.emit(type, event);
    return event;
  }

  /** Drops a session's oldest events, through `throughSeq`, as mcpd's capped log does. */
  trim(sessionId: string, throughSeq: number): void {
    this.logs.set(
      sessionId,
      this.logs.get(sessionId)!.filter((e) => e.seq > throughSeq),
    );
  }

  /** Every connected client loses its connection, as when mcpd stops. */
  dropAll(): void {
    for (const client of this.clients.splice(0)) client.socket.emit('disconnect', 'transport close');
  }

  requestsNamed(name: string): Array<Record<string, unknown>> {
    return this.requests.filter((r) => r.name === name).map((r) => r.payload);
  }

  handle(client: FakeClient, name: string, payload: Record<string, unknown>): unknown {
    this.requests.push({ name, payload });
    const find = (id: unknown): SessionInfo => {
      const found = this.sessions.filter((s) => s.id.startsWith(String(id)));
      if (found.length !== 1) throw new McpgwError('not_found', `no session "${String(id)}"`);
      return found[0]!;
    };
    switch (name) {
      case 'daemon:status':
        return {
          pid: 1,
          url: 'http://fake',
          version: 'test',
          startedAt: this.startedAt,
          uptimeSeconds: 1,
          user: 'alice',
          ...(this.loosened ? { loosened: this.loosened } : {}),
        };
      case 'session:list':
        return [...this.sessions];
      case 'session:get':
        return { ...find(payload.sessionId) };
      case 'session:create':
        return {
          ...this.addSession({
            ...(payload.servers ? { servers: (payload.servers as string[]).map((n) => ({ name: n, state: 'stopped' as const })) } : {}),
          }),
        };
      case 'session:attach': {
        const info = find(payload.sessionId);
        const since = Number(payload.sinceSeq ?? 0);
        const events = (this.logs.get(info.id) ?? []).filter((e) => e.seq > since);
        // Like mcpd: a trimmed stretch is announced before the first event after it.
        let after = since;
        for (const event of events) {
          if (event.seq > after + 1) client.socket.emit('session:gap', { sessionId: info.id, fromSeq: after + 1, toSeq: event.seq - 1 });
          client.socket.emit(event.type, event);
          after = event.seq;
        }
        client.attached.add(info.id);
        return { session: { ...info }, replayed: events.length, truncated: events.length > 0 && events[0]!.seq > since + 1 };
      }
      case 'session:detach':
        client.attached.delete(String(payload.sessionId));
        return null;
      case 'message':
        return { messageId: 'm_x', turnId: 't_x' };
      case 'question:answer':
        return this.approvalReply;
      case 'agent:cancel':
        return { cancelled: true };
      case 'servers:list':
        return [
          { name: 'testsrv', image: 'build: ./test-server', network: 'none', disabled: false, available: true },
          { name: 'memory', image: 'build: @modelcontextprotocol/server-memory', network: 'none', disabled: false, available: true },
          { name: 'git', image: '-', network: 'none', disabled: false, available: false, reason: 'secret GIT_TOKEN is not set' },
        ];
      case 'tools:call':
        return { callId: 'c_direct', ok: true, isError: false, text: 'echo: hi', durationMs: 3 };
      // What server-everything offers, as mcpd's content requests answer for it.
      case 'prompts:list':
        return {
          server: payload.server,
          supported: true,
          items: [
            {
              name: 'args-prompt',
              arguments: [
                { name: 'city', required: true },
                { name: 'state', required: false },
              ],
            },
            { name: 'simple-prompt', arguments: [] },
          ],
        };
      case 'completion:complete': {
        const { name: argument, value } = payload.argument as { name: string; value: string };
        const ref = payload.ref as { type: string };
        // A template's values: countries, then the cities of the country already filled in (one with a space and a slash).
        const cities: Record<string, string[]> = { France: ['Le Mans', 'Lyon'], Italy: ['Rome', 'Roma/Centro'] };
        const context = (payload.context ?? {}) as Record<string, string>;
        const values =
          ref.type !== 'resource'
            ? ['Lyon', 'Lisbon', 'London']
            : argument === 'country'
              ? Object.keys(cities)
              : (cities[context.country ?? ''] ?? []);
        return { values: values.filter((v) => v.startsWith(value)), hasMore: false };
      }
      case 'resources:list':
        return { server: payload.server, supported: true, items: [{ uri: 'demo://doc/1', name: 'doc one' }], nextCursor: 'c2' };
      case 'resources:templates':
        return { server: payload.server, supported: true, items: [{ uriTemplate: 'demo://city/{country}/{city}', name: 'city' }] };
      case 'resources:read':
        return { server: payload.server, uri: payload.uri, parts: [{ type: 'text', text: 'hello from the resource', truncated: false }] };
      case 'context:attach': {
        const source = payload.source as { kind: string; uri?: string; name?: string };
        return { server: payload.server, what: source.uri ?? source.name, chars: 42, truncated: false };
      }
      case 'logging:setLevel':
        return null;
      default:
        throw new McpgwError('bad_request', `the fake daemon does not know ${name}`);
    }
  }
}

export class FakeClient {
  readonly socket = new EventEmitter();
  readonly attached = new Set<string>();

  constructor(private readonly daemon: FakeDaemon) {}

  async request(name: string, payload: Record<string, unknown>): Promise<unknown> {
    return this.daemon.handle(this, name, payload);
  }

  close(): void {
    this.attached.clear();
  }
}
