import type { Redis } from 'ioredis';

/**
 * Writes that are safe to send twice. When Redis restarts, ioredis resends the commands whose replies it never got;
 * a command Redis had already executed (and persisted) would run again and append a duplicate. Each script below
 * takes a one-time key (random, per write, kept an hour) and does nothing when it already exists.
 */

/**
 * Next seq, the event into the stream with the seq as its id, the session's activity: all or nothing. The log is
 * capped by count (ARGV[3]) and by bytes (ARGV[5], the sum of the bodies, kept in the session's `logBytes`): over
 * either cap, the oldest events go until both are at 90%, so trimming runs once per tenth of a log, not per append.
 * The newest event always stays. XDEL rather than XTRIM MINID keeps this working on Redis 6.0.
 */
const APPEND_EVENT = `
local prior = redis.call('GET', KEYS[4])
if prior then return tonumber(prior) end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('XADD', KEYS[2], seq .. '-1', 'e', ARGV[1])
local bytes = redis.call('HINCRBY', KEYS[1], 'logBytes', string.len(ARGV[1]))
redis.call('HSET', KEYS[1], 'lastActive', ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[4])
redis.call('SET', KEYS[4], seq, 'EX', 3600)
local count = redis.call('XLEN', KEYS[2])
local maxCount, maxBytes = tonumber(ARGV[3]), tonumber(ARGV[5])
if count > maxCount or bytes > maxBytes then
  local keepCount, keepBytes = math.floor(maxCount * 0.9), math.floor(maxBytes * 0.9)
  while (count > keepCount or bytes > keepBytes) and count > 1 do
    local ids = {}
    for _, entry in ipairs(redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 256)) do
      if (count <= keepCount and bytes <= keepBytes) or count <= 1 then break end
      ids[#ids + 1] = entry[1]
      bytes = bytes - string.len(entry[2][2])
      count = count - 1
    end
    if #ids == 0 then break end
    redis.call('XDEL', KEYS[2], unpack(ids))
  end
  if bytes < 0 then bytes = 0 end
  redis.call('HSET', KEYS[1], 'logBytes', bytes)
end
return seq
`;

const RPUSH_ONCE = `
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', 3600) then return 0 end
return redis.call('RPUSH', KEYS[1], unpack(ARGV))
`;

const XADD_ONCE = `
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', 3600) then return 0 end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', ARGV[2], ARGV[3])
return 1
`;

/** One audit entry into the shared stream, the session's and the owner's (each capped), all or nothing. */
const AUDIT_ONCE = `
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', 3600) then return 0 end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'a', ARGV[4])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[2], '*', 'a', ARGV[4])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[3], '*', 'a', ARGV[4])
return 1
`;

/** Removes a hash field and returns its value; a resend gets the same answer as the first run (first answer wins). */
const HTAKE_ONCE = `
local prior = redis.call('GET', KEYS[2])
if prior then return prior end
local value = redis.call('HGET', KEYS[1], ARGV[1])
if value then redis.call('HDEL', KEYS[1], ARGV[1]) else value = '' end
redis.call('SET', KEYS[2], value, 'EX', 3600)
return value
`;

/** Takes a whole list (returned as a JSON array); a resend gets the same list back instead of an empty one. */
const LTAKE_ONCE = `
local prior = redis.call('GET', KEYS[2])
if prior then return prior end
local items = cjson.encode(redis.call('LRANGE', KEYS[1], 0, -1))
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], items, 'EX', 3600)
return items
`;

export type ScriptedRedis = Redis & {
  mcpgwAppendEvent(
    session: string,
    events: string,
    active: string,
    once: string,
    body: string,
    ts: number,
    maxEvents: number,
    id: string,
    maxBytes: number,
  ): Promise<number>;
  mcpgwRpushOnce(list: string, once: string, ...items: string[]): Promise<number>;
  mcpgwXaddOnce(stream: string, once: string, cap: number, field: string, value: string): Promise<number>;
  mcpgwAuditOnce(
    stream: string,
    once: string,
    sessionStream: string,
    ownerStream: string,
    cap: number,
    sessionCap: number,
    ownerCap: number,
    entry: string,
  ): Promise<number>;
  mcpgwHtakeOnce(hash: string, once: string, field: string): Promise<string>;
  mcpgwLtakeOnce(list: string, once: string): Promise<string>;
};

/** Registers the scripts on a connection (ioredis sends EVALSHA, and EVAL after a restart emptied the cache). */
export function withScripts(redis: Redis): ScriptedRedis {
  redis.defineCommand('mcpgwAppendEvent', { numberOfKeys: 4, lua: APPEND_EVENT });
  redis.defineCommand('mcpgwRpushOnce', { numberOfKeys: 2, lua: RPUSH_ONCE });
  redis.defineCommand('mcpgwXaddOnce', { numberOfKeys: 2, lua: XADD_ONCE });
  redis.defineCommand('mcpgwAuditOnce', { numberOfKeys: 4, lua: AUDIT_ONCE });
  redis.defineCommand('mcpgwHtakeOnce', { numberOfKeys: 2, lua: HTAKE_ONCE });
  redis.defineCommand('mcpgwLtakeOnce', { numberOfKeys: 2, lua: LTAKE_ONCE });
  return redis as ScriptedRedis;
}
