import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { SessionEvent } from '../../../src/protocol/events.js';
import type { SessionCreateRequest } from '../../../src/protocol/requests.js';
import type { ServerSummary, SessionInfo } from '../../../src/protocol/session.js';
import { useConnection } from './connection.js';

// Watching a session costs mcpd a socket room; the sidebar follows the newest live ones.
const MAX_WATCHED = 50;

/**
 * The user's sessions for the sidebar, kept live: every live session is attached from its newest event (nothing
 * is replayed), so its `session:updated` events arrive here as they happen.
 */
export const useSessions = defineStore('sessions', () => {
  const connection = useConnection();
  const byId = ref(new Map<string, SessionInfo>());
  const servers = ref<ServerSummary[]>([]);
  const loaded = ref(false);
  const error = ref<string>();

  const list = computed(() =>
    [...byId.value.values()].sort((a, b) => Number(a.status === 'ended') - Number(b.status === 'ended') || b.createdAt - a.createdAt),
  );

  connection.onConnected(() => refresh());
  connection.onEvent(onEvent);

  /** Reloads the list and the server catalog, and follows every live session. */
  async function refresh(): Promise<void> {
    try {
      const [sessions, catalog] = await Promise.all([connection.request('session:list', {}), connection.request('servers:list', {})]);
      byId.value = new Map(sessions.map((s) => [s.id, s]));
      servers.value = catalog;
      loaded.value = true;
      error.value = undefined;
      const live = sessions.filter((s) => s.status !== 'ended').sort((a, b) => b.lastActive - a.lastActive);
      await Promise.all(live.slice(0, MAX_WATCHED).map((s) => watch(s)));
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
    }
  }

  async function watch(info: SessionInfo): Promise<void> {
    const reply = await connection.request('session:attach', { sessionId: info.id, sinceSeq: info.lastSeq }).catch(() => undefined);
    if (reply) upsert(reply.session);
  }

  /** Creates a session and follows it; returns it. */
  async function create(request: SessionCreateRequest): Promise<SessionInfo> {
    const info = await connection.request('session:create', request);
    upsert(info);
    await watch(info);
    return info;
  }

  /** Ends a session (its containers are removed; its chat stays readable). */
  async function kill(sessionId: string): Promise<void> {
    upsert(await connection.request('session:kill', { sessionId }));
  }

  /** Takes newer facts about a session (from an attach, a `session:get`, an event). */
  function upsert(info: SessionInfo): void {
    const known = byId.value.get(info.id);
    if (known && known.lastSeq > info.lastSeq) return;
    const next = new Map(byId.value);
    next.set(info.id, info);
    byId.value = next;
  }

  function onEvent(event: SessionEvent): void {
    if (event.type === 'session:updated') return upsert(event.session);
    const known = byId.value.get(event.sessionId);
    if (!known) return;
    if (event.type === 'session:ended') return upsert({ ...known, status: 'ended', busy: false, pendingApprovals: 0, lastSeq: event.seq });
    // A question that comes or goes changes the pending count; ask for it instead of guessing it.
    if (event.type === 'question:asked' || event.type === 'question:answered') {
      void connection
        .request('session:get', { sessionId: event.sessionId })
        .then(upsert)
        .catch(() => undefined);
    }
  }

  return { list, servers, loaded, error, refresh, create, kill, upsert, get: (id: string) => byId.value.get(id) };
});
