import type { ServerContent } from '../content/service.js';
import type { SessionService } from '../sessions/service.js';
import type { Handlers } from './handlers.js';

type ContentRequest =
  | 'resources:list'
  | 'resources:templates'
  | 'resources:read'
  | 'resources:subscribe'
  | 'prompts:list'
  | 'prompts:get'
  | 'completion:complete'
  | 'context:attach'
  | 'logging:setLevel';

export interface ContentRouteDeps {
  sessions: Pick<SessionService, 'ownedLive'>;
  content: ServerContent;
}

/** The resource, prompt, completion and log-level requests: each names a live session the caller owns. */
export function contentRoutes({ sessions, content }: ContentRouteDeps): Pick<Handlers, ContentRequest> {
  const live = (user: string, sessionId: string) => sessions.ownedLive(user, sessionId);
  return {
    'resources:list': async ({ user }, r) => content.listResources(await live(user, r.sessionId), r.server, r.cursor),
    'resources:templates': async ({ user }, r) => content.listTemplates(await live(user, r.sessionId), r.server, r.cursor),
    'resources:read': async ({ user }, r) => content.read(await live(user, r.sessionId), r.server, r.uri),
    'resources:subscribe': async ({ user }, r) => content.subscribe(await live(user, r.sessionId), r.server, r.uri, r.subscribe),
    'prompts:list': async ({ user }, r) => content.listPrompts(await live(user, r.sessionId), r.server, r.cursor),
    'prompts:get': async ({ user }, r) => content.getPrompt(await live(user, r.sessionId), r.server, r.name, r.args),
    'completion:complete': async ({ user }, { sessionId, ...rest }) => content.complete(await live(user, sessionId), rest),
    'context:attach': async ({ user }, { sessionId, ...rest }) => content.attach(await live(user, sessionId), rest),
    'logging:setLevel': async ({ user }, r) => content.setLogLevel(await live(user, r.sessionId), r.server, r.level),
  };
}
