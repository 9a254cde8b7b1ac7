import type { DaemonStatus } from '../src/protocol/session.js';
import { VERSION } from '../src/version.js';
import type { SandboxRuntime } from './sandbox/runtime.js';
import type { RedisConnection } from './store/connect.js';
import type { SessionRecords } from './store/ports.js';

/** `daemon:status` for one user: their sessions by state, this daemon's containers, its Redis. */
export function statusReporter(deps: {
  store: Pick<SessionRecords, 'listSessions'>;
  runtime: Pick<SandboxRuntime, 'stats'>;
  connection: Pick<RedisConnection, 'url' | 'private' | 'redis'>;
  startedAt: number;
  /** The engine's name, version and endpoint (asked once, again while it is unreachable). */
  engine: () => Promise<DaemonStatus['engine']>;
  /** Loosenings in force for the daemon's whole life (MCPGW_TEST_EGRESS), shown by every status display. */
  loosened?: string[];
  /** Loosenings that depend on what the engine says of itself (sandbox.allowUnenforcedLimits where limits fail). */
  engineLoosened?: () => Promise<string[]>;
}): (user: string, url: string) => Promise<DaemonStatus> {
  const { store, runtime, connection, startedAt, engine, engineLoosened } = deps;
  return async (user, url) => {
    const loosened = [...(engineLoosened ? await engineLoosened() : []), ...(deps.loosened ?? [])];
    const mine = await store.listSessions(user);
    const count = (s: string): number => mine.filter((r) => r.status === s).length;
    const stats = runtime.stats();
    return {
      pid: process.pid,
      url,
      version: VERSION,
      startedAt,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      sessions: { active: count('active'), idle: count('idle'), ended: count('ended') },
      containers: {
        running: stats.running + stats.pooled,
        starting: stats.starting,
        queued: stats.queued,
        capacity: stats.capacity,
        pooled: stats.pooled,
        standby: stats.standby,
        runtimes: stats.runtimes,
      },
      redis: { url: connection.url, private: connection.private, connected: connection.redis.status === 'ready' },
      engine: await engine(),
      ...(loosened.length > 0 ? { loosened } : {}),
      user,
    };
  };
}
