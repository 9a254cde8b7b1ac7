import { describe, expect, it } from 'vitest';
import { contentRoutes } from '../../../daemon/api/content-routes.js';
import type { RequestContext } from '../../../daemon/api/handlers.js';
import type { ServerContent } from '../../../daemon/content/service.js';
import type { SessionRecord } from '../../../daemon/store/ports.js';
import { McpgwError } from '../../../src/errors.js';

describe('content routes', () => {
  it('every request is for a live session the caller owns: another user’s is not found, and the server is never asked', async () => {
    const touched: string[] = [];
    const content = new Proxy({}, { get: (_, method: string) => () => (touched.push(method), Promise.resolve(null)) }) as ServerContent;
    const sessions = {
      ownedLive: (user: string, id: string): Promise<SessionRecord> =>
        user === 'alice' ? Promise.resolve({ id } as SessionRecord) : Promise.reject(new McpgwError('not_found', `no session "${id}"`)),
    };
    const routes = contentRoutes({ sessions, content });
    const as = (user: string) => ({ user }) as RequestContext;
    const base = { sessionId: 's1', server: 'srv' };
    const requests = {
      'resources:list': base,
      'resources:templates': base,
      'resources:read': { ...base, uri: 'x://1' },
      'resources:subscribe': { ...base, uri: 'x://1', subscribe: true },
      'prompts:list': base,
      'prompts:get': { ...base, name: 'p', args: {} },
      'completion:complete': { ...base, ref: { type: 'prompt' as const, name: 'p' }, argument: { name: 'a', value: '' } },
      'context:attach': { ...base, source: { kind: 'resource' as const, uri: 'x://1' } },
      'logging:setLevel': { ...base, level: 'error' as const },
    };
    for (const [name, request] of Object.entries(requests)) {
      const handler = routes[name as keyof typeof requests] as (ctx: RequestContext, r: unknown) => Promise<unknown>;
      await expect(handler(as('bob'), request)).rejects.toMatchObject({ code: 'not_found' });
    }
    expect(touched).toEqual([]);
    for (const [name, request] of Object.entries(requests)) {
      const handler = routes[name as keyof typeof requests] as (ctx: RequestContext, r: unknown) => Promise<unknown>;
      await handler(as('alice'), request);
    }
    expect(touched).toHaveLength(Object.keys(requests).length);
  });
});
