import type { Redis } from 'ioredis';
import { refusedWhenFull } from './full.js';
import type { Keys } from './keys.js';

/**
 * The resources each session follows, one sorted set per session (`session:{id}:subscriptions`): a member is the JSON
 * `[server, uri]` (unambiguous whatever either holds), its score when it was first followed, so reads are oldest first.
 */
export class RedisSubscriptions {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
  ) {}

  /** Records that the session follows `uri` on `server`, or no longer does. */
  async set(sessionId: string, server: string, uri: string, on: boolean): Promise<void> {
    const key = this.k.subscriptions(sessionId);
    const member = JSON.stringify([server, uri]);
    // NX: following it again keeps its place (and the count) as it was.
    if (on) await this.redis.zadd(key, 'NX', Date.now(), member).catch(refusedWhenFull('a resource subscription'));
    else await this.redis.zrem(key, member);
  }

  /** The URIs the session follows on a server, oldest first. */
  async of(sessionId: string, server: string): Promise<string[]> {
    const members = await this.redis.zrange(this.k.subscriptions(sessionId), 0, -1);
    return members.flatMap((m) => {
      const [s, uri] = JSON.parse(m) as [string, string];
      return s === server ? [uri] : [];
    });
  }

  /** Forgets everything the session follows. */
  async clear(sessionId: string): Promise<void> {
    await this.redis.del(this.k.subscriptions(sessionId));
  }
}
