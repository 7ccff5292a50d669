-- ARGV: owner, fence, channel, id.
redis.call('DEL', key)
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
