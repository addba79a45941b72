/**
 * Lua scripts run by Redis atomically (one round trip each). Time comes from Redis (`TIME`), not
 * from the gateways, so every gateway sharing a Redis counts against one clock.
 */

/**
 * The sliding-log hit on `key` (window ms, limit, a member unique to this hit): leaves `allowed`
 * (0/1), `count` and `reset` (ms until the oldest recorded hit leaves the window) in locals.
 */
const slidingWindowLua = (key: string, windowArg: string, limitArg: string, memberArg: string): string => `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(${windowArg})
local limit = tonumber(${limitArg})
redis.call('ZREMRANGEBYSCORE', ${key}, '-inf', now - window)
local count = redis.call('ZCARD', ${key})
local allowed = 0
if count < limit then
  redis.call('ZADD', ${key}, now, ${memberArg})
  redis.call('PEXPIRE', ${key}, window)
  count = count + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', ${key}, 0, 0, 'WITHSCORES')
local reset = 0
if oldest[2] then reset = tonumber(oldest[2]) + window - now end
`;

/** The quota increment on `key` (renewal ms, 0: never): leaves `qcount` and `qttl` (ms, or -1) in locals. */
const quotaLua = (key: string, renewalArg: string): string => `
local qcount = redis.call('INCR', ${key})
local qttl = redis.call('PTTL', ${key})
local renewal = tonumber(${renewalArg})
if renewal > 0 and qttl < 0 then
  redis.call('PEXPIRE', ${key}, renewal)
  qttl = renewal
end
`;

/**
 * Sliding-log rate limit. KEYS[1] the key; ARGV[1] window in ms, ARGV[2] limit, ARGV[3] a member
 * unique to this hit. Returns {allowed (0/1), count, reset ms}.
 */
export const SLIDING_WINDOW_SCRIPT = `${slidingWindowLua('KEYS[1]', 'ARGV[1]', 'ARGV[2]', 'ARGV[3]')}return {allowed, count, reset}\n`;

/**
 * Quota counter. KEYS[1] the key; ARGV[1] renewal period in ms (0: never renews). Returns
 * {count, remaining lifetime in ms or -1}.
 */
export const QUOTA_SCRIPT = `${quotaLua('KEYS[1]', 'ARGV[1]')}return {qcount, qttl}\n`;

/**
 * The rate limit, then the quota, in one round trip, exactly as the two scripts above run one
 * after the other: the quota is counted only when the rate limit let the hit through. KEYS[1] the
 * rate-limit key, KEYS[2] the quota key; ARGV[1..3] as SLIDING_WINDOW_SCRIPT's, ARGV[4] as
 * QUOTA_SCRIPT's ARGV[1]. Returns {allowed, count, reset, quota count, quota ttl ms} (the quota
 * fields -1 when the hit was refused). Both keys on one node: single-node Redis only.
 */
export const LIMITS_SCRIPT = `${slidingWindowLua('KEYS[1]', 'ARGV[1]', 'ARGV[2]', 'ARGV[3]')}if allowed == 0 then return {0, count, reset, -1, -1} end
${quotaLua('KEYS[2]', 'ARGV[4]')}return {1, count, reset, qcount, qttl}
`;

/** A SCAN MATCH pattern for keys starting with `prefix` (glob characters escaped). */
export const scanPattern = (prefix: string): string => `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
