-- ARGV: owner, fence, ttl ms, channel, id, reason.
local ttl = tonumber(ARGV[3])
redis.call('HDEL', key, 'owner', 'lease_until', 'unknown_ttl')
redis.call('HSET', key, 'state', 'unknown', 'reason', ARGV[6], 'since', n(now), 'expires', n(now + ttl))
redis.call('PEXPIRE', key, ttl)
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
