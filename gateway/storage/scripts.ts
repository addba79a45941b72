/**
 * Lua scripts run by Redis atomically (one round trip each). Time comes from Redis (`TIME`), not
 * from the gateways, so every gateway sharing a Redis counts against one clock.
 */

/**
 * Sliding-log rate limit. KEYS[1] the key; ARGV[1] window in ms, ARGV[2] limit, ARGV[3] a member
 * unique to this hit. Returns {allowed (0/1), count, reset ms}.
 */
export const SLIDING_WINDOW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local reset = 0
if oldest[2] then reset = tonumber(oldest[2]) + window - now end
return {allowed, count, reset}
`;

/**
 * Quota counter. KEYS[1] the key; ARGV[1] renewal period in ms (0: never renews). Returns
 * {count, remaining lifetime in ms or -1}.
 */
export const QUOTA_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
local renewal = tonumber(ARGV[1])
if renewal > 0 and ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], renewal)
  ttl = renewal
end
return {count, ttl}
`;

/** A SCAN MATCH pattern for keys starting with `prefix` (glob characters escaped). */
export const scanPattern = (prefix: string): string => `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
