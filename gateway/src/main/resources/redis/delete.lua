-- Operator purge. ARGV: channel, id. Answers 1 if there was a record. A v2 record's body key (same hash
-- tag, so the same Cluster slot) goes with it.
local body = redis.call('HGET', KEYS[1], 'body_key')
if body then
  redis.call('DEL', body)
end
local existed = redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return existed
