-- KEYS[2] the key's fence tombstone; ARGV: owner, fence, channel, id, tombstone ttl ms.
-- The record goes, so a retry executes again; its fence stays behind, so that retry's fence is higher.
redis.call('DEL', key)
redis.call('SET', KEYS[2], ARGV[2], 'PX', tonumber(ARGV[5]))
if watched then
  redis.call('PUBLISH', ARGV[3], ARGV[4])
end
return 1
