import { createHash } from 'node:crypto';

/** A Lua script and its SHA-1, for EVALSHA with an EVAL fallback. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

// Versions and fencing tokens come from per-prefix counters, so they only grow and are never reused,
// even after a delete or a TTL reclaim (no ABA). Entry expiry is decided by the caller's clock (ARGV now);
// the key's native TTL only reclaims space after the entry is dead.

// A key that carries a fencing token is kept at least until ARGV "fenceKeepAt", even when the entry written is
// already dead (a dropped token is written with an expiry in the past): the fence must outlive the entry it
// guards, or a stale holder's write conditioned on "no entry" would pass.

/** KEYS: data, version counter. ARGV: value, expiresAt, reclaimAt, fenceKeepAt. */
export const SET = script(`
local v = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'value', ARGV[1], 'exp', ARGV[2], 'ver', v)
local reclaim = tonumber(ARGV[3])
if redis.call('HEXISTS', KEYS[1], 'fence') == 1 then reclaim = math.max(reclaim, tonumber(ARGV[4])) end
redis.call('PEXPIREAT', KEYS[1], reclaim)
return v
`);

/**
 * KEYS: data, version counter. ARGV: value, expiresAt, reclaimAt, expected version ('' = absent),
 * fencing token ('' = none), now, fenceKeepAt. Returns the version written, or 0 when refused.
 */
export const COMPARE_AND_SET = script(`
local cur = redis.call('HMGET', KEYS[1], 'ver', 'exp', 'fence')
local current = ''
if cur[1] and cur[2] and tonumber(cur[2]) > tonumber(ARGV[6]) then current = cur[1] end
if current ~= ARGV[4] then return 0 end
if ARGV[5] ~= '' then
  if cur[3] and tonumber(cur[3]) > tonumber(ARGV[5]) then return 0 end
  redis.call('HSET', KEYS[1], 'fence', ARGV[5])
end
local v = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'value', ARGV[1], 'exp', ARGV[2], 'ver', v)
local reclaim = tonumber(ARGV[3])
if redis.call('HEXISTS', KEYS[1], 'fence') == 1 then reclaim = math.max(reclaim, tonumber(ARGV[7])) end
redis.call('PEXPIREAT', KEYS[1], reclaim)
return v
`);

/** KEYS: data. ARGV: how long a tombstone keeps the last fencing token (ms). */
export const DELETE = script(`
if redis.call('HEXISTS', KEYS[1], 'fence') == 1 then
  redis.call('HDEL', KEYS[1], 'value', 'exp', 'ver')
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
else
  redis.call('DEL', KEYS[1])
end
return 1
`);

/** KEYS: lease, fence counter. ARGV: holder id, ttl ms. Returns the fencing token, or 0 when held. */
export const LOCK = script(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local f = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return f
`);

/** KEYS: lease. ARGV: holder id. Deletes only the caller's own lease. */
export const RELEASE = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** KEYS: lease. ARGV: holder id, ttl ms. Extends only the caller's own lease. */
export const EXTEND = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);
