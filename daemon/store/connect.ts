import { Redis } from 'ioredis';
import { stateFile } from '../../src/paths.js';
import { McpgwError } from '../../src/errors.js';
import type { Logger } from '../logger.js';
import { PrivateRedis } from './private-redis.js';

export interface RedisConnection {
  redis: Redis;
  /** Where it is, for status output (credentials redacted). */
  url: string;
  private: boolean;
  close(): Promise<void>;
}

/** Reconnect forever with capped backoff; commands wait in the offline queue meanwhile, so none is lost. */
const OPTIONS = {
  maxRetriesPerRequest: null,
  enableOfflineQueue: true,
  retryStrategy: (times: number) => Math.min(50 * 2 ** times, 2000),
} as const;

/** Connects to `redisUrl` (a URL or a unix socket path), or starts and connects to a private redis-server. */
export async function connectRedis(options: {
  redisUrl: string | undefined;
  stateDir: string;
  fsync: 'everysec' | 'always';
  /** The private Redis's memory cap, in bytes (a Redis of your own keeps its own settings). */
  maxMemory: number;
  log: Logger;
}): Promise<RedisConnection> {
  const { redisUrl, log } = options;
  const owned = redisUrl
    ? undefined
    : new PrivateRedis({ dir: stateFile(options.stateDir, 'redisDir'), fsync: options.fsync, maxMemory: options.maxMemory, log });
  await owned?.start();
  const redis = owned
    ? new Redis({ path: owned.socketPath, lazyConnect: true, ...OPTIONS })
    : new Redis(redisUrl!, { lazyConnect: true, ...OPTIONS });
  const url = owned ? owned.url : redactUrl(redisUrl!);
  redis.on('error', (err: Error) => log.warn('redis connection error', { message: err.message }));
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    await owned?.stop();
    throw new McpgwError('redis_unavailable', `cannot connect to Redis at ${url}: ${(err as Error).message}`);
  }
  if (!owned) await warnIfEvicting(redis, log);
  return {
    redis,
    url,
    private: owned !== undefined,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
      await owned?.stop();
    },
  };
}

/** A Redis that evicts any key at its cap may silently drop session state: say so once, at start. */
async function warnIfEvicting(redis: Redis, log: Logger): Promise<void> {
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    if (policy?.startsWith('allkeys-')) {
      log.warn('this Redis evicts any key when it is full (maxmemory-policy); sessions may lose state: prefer noeviction', { policy });
    }
  } catch {
    // CONFIG is often disabled on managed Redis: nothing to check then.
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
