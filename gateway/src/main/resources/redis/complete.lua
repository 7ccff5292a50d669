-- ARGV: owner, fence, ttl ms, channel, id, status, headers (JSON), body, body omitted (1/0).
local ttl = tonumber(ARGV[3])
redis.call('HDEL', key, 'owner', 'lease_until', 'unknown_ttl')
redis.call('HSET', key, 'state', 'completed', 'status', ARGV[6], 'headers', ARGV[7], 'body', ARGV[8],
  'omitted', ARGV[9], 'completed', n(now), 'expires', n(now + ttl))
redis.call('PEXPIRE', key, ttl)
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
