import { McpgwError } from '../../src/errors.js';
import type { DaemonStatus } from '../../src/protocol/session.js';
import { serverSummary } from '../config/availability.js';
import type { AgentService } from '../agent/service.js';
import type { MediaCache } from '../calls/media-cache.js';
import type { ToolCalls } from '../calls/tool-call.js';
import type { ServerContent } from '../content/service.js';
import type { ToolPins } from '../pins/service.js';
import type { QuestionService } from '../questions/service.js';
import type { SessionEventLog } from '../sessions/event-log.js';
import type { SessionService } from '../sessions/service.js';
import { listSessionTools } from '../sessions/tool-list.js';
import type { Credentials } from '../state/credentials.js';
import type { AuditLog } from '../store/ports.js';
import { contentRoutes } from './content-routes.js';
import { drained } from './drain.js';
import type { Handlers } from './handlers.js';
import { sessionRoom, type SocketData } from './server.js';

export interface RouteDeps {
  sessions: SessionService;
  events: Pick<SessionEventLog, 'replay'>;
  agent: Pick<AgentService, 'sendMessage' | 'cancel'>;
  calls: Pick<ToolCalls, 'callDirect'>;
  questions: Pick<QuestionService, 'answer'>;
  audit: Pick<AuditLog, 'readAudit'>;
  pins: Pick<ToolPins, 'summaries'>;
  media: Pick<MediaCache, 'get'>;
  /** The daemon's status as `user` sees it; `url` is where this API listens. */
  status: (user: string, url: string) => Promise<DaemonStatus>;
  credentials: Credentials;
  content: ServerContent;
}

/** What each request does; ownership checks live in the services, validation in bindHandlers. */
export function routes({
  sessions,
  events,
  agent,
  calls,
  questions,
  audit,
  pins,
  media,
  status,
  credentials,
  content,
}: RouteDeps): Handlers {
  return {
    ...contentRoutes({ sessions, content }),
    'session:create': ({ user }, request) => sessions.create(user, request),
    'session:attach': async ({ user, socket }, { sessionId, sinceSeq }) => {
      const rec = await sessions.owned(user, sessionId);
      const { replayed, truncated } = await events.replay(rec.id, sinceSeq ?? 0, {
        deliver: (event) => socket.emit(event.type, event as never),
        gap: (fromSeq, toSeq) => socket.emit('session:gap', { sessionId: rec.id, fromSeq, toSeq }),
        subscribe: () => void socket.join(sessionRoom(rec.id)),
        ready: () => drained(socket),
      });
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
    'question:answer': ({ user }, request) => questions.answer(user, request),
    'agent:cancel': async ({ user }, { sessionId }) => ({ cancelled: await agent.cancel((await sessions.owned(user, sessionId)).id) }),
    'servers:list': async ({ user }) => (await sessions.serverStates(user)).map((s) => serverSummary(s, sessions.runtimeSetting)),
    'tools:list': async ({ user }, { sessionId, servers }) =>
      listSessionTools(sessions, await sessions.ownedLive(user, sessionId), servers),
    'tools:call': async ({ user }, { sessionId, server, tool, args }) =>
      calls.callDirect(user, await sessions.ownedLive(user, sessionId), server, tool, args),
    'tools:pins': async ({ user }, { sessionId }) => pins.summaries((await sessions.owned(user, sessionId)).id),
    'tools:media': async ({ user }, { sessionId, callId, item }) => {
      const held = media.get((await sessions.owned(user, sessionId)).id, callId, item);
      if (!held)
        throw new McpgwError('not_found', 'mcpd no longer holds this attachment (it keeps recent ones in memory, until it restarts)');
      return held;
    },
    'daemon:status': ({ user, url }) => status(user, url),
    'audit:list': async ({ user }, { sessionId, count }) => {
      // Only the caller's sessions: read from the session's or the caller's own audit index, never the shared stream.
      const own = sessionId ? (await sessions.owned(user, sessionId)).id : undefined;
      return audit.readAudit({ owner: user, sessionId: own, count });
    },
    'web:code': async ({ socket }) => credentials.issueCode((socket.data as SocketData).principal),
  };
}
