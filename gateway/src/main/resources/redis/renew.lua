-- ARGV: owner, fence, lease ms. The key lives for the new lease plus the record's unknown ttl.
local lease = tonumber(ARGV[3])
redis.call('SET', key, '3 I ' .. fence .. ' ' .. created .. ' ' .. n(clock() + lease) .. ' ' .. unknown_ttl .. ' '
  .. (watched and '1' or '0') .. ' ' .. fp .. ' ' .. owner .. '\n', 'PX', lease + tonumber(unknown_ttl))
return 1
