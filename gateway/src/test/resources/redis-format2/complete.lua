-- ARGV: owner, fence, ttl ms, channel, id, status, headers (JSON), body, body omitted (1/0),
-- chunk count, body length, body key ttl ms. KEYS[2], when given, is the body this attempt staged chunk
-- by chunk (a hash of chunk index -> bytes): it becomes the record's body key as it is (no copy) and the
-- record moves to format v2; without it the body is inline and the record stays v1.
local ttl = tonumber(ARGV[3])
local staged = KEYS[2]
if staged and redis.call('HLEN', staged) ~= tonumber(ARGV[10]) then
  -- A chunk write failed or the staging key expired: never complete with a body that is not whole.
  redis.call('DEL', staged)
  return redis.error_reply('ERR staged body incomplete')
end
redis.call('HDEL', key, 'owner', 'lease_until', 'unknown_ttl', 'watched')
if staged then
  redis.call('HSET', key, 'v', '2', 'body_key', staged, 'chunks', ARGV[10], 'length', ARGV[11])
  -- The body outlives its record a little, so a replay that began just before expiry can finish.
  redis.call('PEXPIRE', staged, tonumber(ARGV[12]))
else
  redis.call('HSET', key, 'body', ARGV[8])
end
redis.call('HSET', key, 'state', 'completed', 'status', ARGV[6], 'headers', ARGV[7], 'omitted', ARGV[9],
  'completed', n(now), 'expires', n(now + ttl))
redis.call('PEXPIRE', key, ttl)
if watched then
  redis.call('PUBLISH', ARGV[4], ARGV[5])
end
return 1
