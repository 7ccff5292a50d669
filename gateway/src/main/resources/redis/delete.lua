-- Operator purge. KEYS[2] the key's fence tombstone; ARGV: channel, id, tombstone ttl ms. Answers 1 if
-- there was a record. A v2 record's body key (same hash tag, so the same Cluster slot) goes with it; the
-- record's fence stays behind (if higher than a tombstone already there), so the next claim's is higher.
local held = redis.call('HMGET', KEYS[1], 'body_key', 'fence')
if held[1] then
  redis.call('DEL', held[1])
end
if held[2] and tonumber(held[2]) > tonumber(redis.call('GET', KEYS[2]) or '0') then
  redis.call('SET', KEYS[2], held[2], 'PX', tonumber(ARGV[3]))
end
local existed = redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return existed
