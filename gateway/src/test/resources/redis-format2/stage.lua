-- One chunk of a body being stored: KEYS[1] the attempt's staging hash; ARGV: chunk index, bytes,
-- ttl ms. The TTL is set with every chunk, so a gateway that dies while staging leaves nothing for long.
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
