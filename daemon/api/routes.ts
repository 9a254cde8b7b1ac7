import type { Catalog } from '../../src/config/catalog.js';
import { describeNetwork } from '../../src/config/egress.js';
import type { DaemonStatus, ServerSummary } from '../../src/protocol/session.js';
import type { AgentService } from '../agent/service.js';
import type { SessionService } from '../sessions/service.js';
import type { ToolRunner } from '../sessions/tool-runner.js';
import type { Handlers } from './handlers.js';
import { sessionRoom } from './server.js';

export interface RouteDeps {
  sessions: SessionService;
  tools: ToolRunner;
  agent: AgentService;
  catalog: Catalog;
  status: (user: string) => Promise<DaemonStatus>;
}

/** What each request does; ownership checks live in the services, validation in bindHandlers. */
export function routes({ sessions, tools, agent, catalog, status }: RouteDeps): Handlers {
  return {
    'session:create': ({ user }, request) => sessions.create(user, request),
    'session:attach': async ({ user, socket }, { sessionId, sinceSeq }) => {
      const rec = await sessions.owned(user, sessionId);
      const { replayed, truncated } = await sessions.events.replay(
        rec.id,
        sinceSeq ?? 0,
        (event) => socket.emit(event.type, event as never),
        () => void socket.join(sessionRoom(rec.id)),
      );
      return { session: await sessions.info(rec.id), replayed, truncated };
    },
    'session:detach': async ({ user, socket }, { sessionId }) => {
      const rec = await sessions.owned(user, sessionId);
      await socket.leave(sessionRoom(rec.id));
      return null;
    },
    'session:list': ({ user }) => sessions.list(user),
    'session:get': async ({ user }, { sessionId }) => sessions.info((await sessions.owned(user, sessionId)).id),
    'session:kill': ({ user }, { sessionId }) => sessions.kill(user, sessionId),
    message: async ({ user }, { sessionId, text, headless }) =>
      agent.sendMessage(user, await sessions.ownedLive(user, sessionId), text, headless),
    'tool:approval': ({ user }, request) => agent.answerApproval(user, request),
    'agent:cancel': async ({ user }, { sessionId }) => ({ cancelled: await agent.cancel((await sessions.owned(user, sessionId)).id) }),
    'servers:list': async () =>
      [...catalog.servers.values()].map((s): ServerSummary => ({
        name: s.name,
        image: s.image ?? (s.build ? `build: ${s.build.npm.join(' ')}` : 'node base'),
        network: describeNetwork(s.network),
        disabled: s.disabled,
      })),
    'tools:list': async ({ user }, { sessionId, servers }) => tools.listTools(await sessions.ownedLive(user, sessionId), servers),
    'tools:call': async ({ user }, { sessionId, server, tool, args }) =>
      tools.callDirect(user, await sessions.ownedLive(user, sessionId), server, tool, args),
    'daemon:status': ({ user }) => status(user),
    'audit:list': async ({ user }, { sessionId, count }) => {
      // Only the caller's sessions: the audit stream is shared, its entries are not.
      const own = sessionId ? [(await sessions.owned(user, sessionId)).id] : (await sessions.list(user)).map((s) => s.id);
      return sessions.store.readAudit({ sessionIds: new Set(own), count });
    },
  };
}
