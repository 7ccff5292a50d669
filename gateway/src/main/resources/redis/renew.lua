-- ARGV: owner, fence, lease ms.
local lease = tonumber(ARGV[3])
redis.call('HSET', key, 'lease_until', n(now + lease))
redis.call('PEXPIRE', key, lease + tonumber(redis.call('HGET', key, 'unknown_ttl')))
return 1
