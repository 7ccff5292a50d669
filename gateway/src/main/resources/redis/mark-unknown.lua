-- ARGV: owner, fence, ttl ms, channel, id, reason.
local ttl = tonumber(ARGV[3])
local now = clock()
redis.call('SET', key, '3 U ' .. fence .. ' ' .. created .. ' ' .. n(now) .. ' ' .. n(now + ttl) .. ' ' .. fp .. '\n'
  .. ARGV[6], 'PX', ttl)
if watched then
  redis.call('PUBLISH', ARGV[4], ARGV[5])
end
return 1
