-- ARGV: owner, fence, ttl ms, channel, id, reason.
local ttl = tonumber(ARGV[3])
redis.call('HDEL', key, 'owner', 'lease_until', 'unknown_ttl', 'watched')
redis.call('HSET', key, 'state', 'unknown', 'reason', ARGV[6], 'since', n(now), 'expires', n(now + ttl))
redis.call('PEXPIRE', key, ttl)
if watched then
  redis.call('PUBLISH', ARGV[4], ARGV[5])
end
return 1
