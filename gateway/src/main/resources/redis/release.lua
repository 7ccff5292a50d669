-- ARGV: owner, fence, channel, id.
redis.call('DEL', key)
if watched then
  redis.call('PUBLISH', ARGV[3], ARGV[4])
end
return 1
