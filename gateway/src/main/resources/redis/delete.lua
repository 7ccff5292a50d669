-- Operator purge. ARGV: channel, id. Answers 1 if there was a record.
local existed = redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return existed
