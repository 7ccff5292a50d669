-- ARGV: owner, fence, channel, id, tombstone ttl ms.
-- The record goes, so a retry executes again; its fence stays behind in the record's key (the tombstone, one
-- SET), so that retry's fence is higher and a claim by SET NX cannot take the key without a script.
redis.call('SET', key, '3 T ' .. ARGV[2] .. '\n', 'PX', tonumber(ARGV[5]))
if watched then
  redis.call('PUBLISH', ARGV[3], ARGV[4])
end
return 1
