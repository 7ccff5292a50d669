-- ARGV: owner, fence, ttl ms, the record's tail after its fingerprint (status, omitted, headers length,
-- chunks, length, body key or '-', newline, headers, inline body: built by the gateway), 'completed expires'
-- (ms, from the gateway's estimate of this server's clock; '' without one: then TIME), and with a body key:
-- chunk count, body key ttl ms. KEYS[2], when given, is the body this attempt staged chunk by chunk (a hash of
-- chunk index -> bytes): the record names it as it is (no copy); without it the body is inline. Few
-- arguments: each costs Redis a Lua string (the channel and the id are derived from the key, when watched).
local ttl = tonumber(ARGV[3])
local staged = KEYS[2]
if staged and redis.call('HLEN', staged) ~= tonumber(ARGV[6]) then
  -- A chunk write failed or the staging key expired: never complete with a body that is not whole.
  redis.call('DEL', staged)
  return redis.error_reply('ERR staged body incomplete')
end
-- The stamps come ready from the gateway: a TIME and two number formats are a fifth of this script's cost.
local stamps = ARGV[5]
if stamps == '' then
  local now = clock()
  stamps = n(now) .. ' ' .. n(now + ttl)
end
redis.call('SET', key, '3 C ' .. fence .. ' ' .. created .. ' ' .. stamps .. ' ' .. fp .. ' ' .. ARGV[4], 'PX', ttl)
if staged then
  -- The body outlives its record a little, so a replay that began just before expiry can finish.
  redis.call('PEXPIRE', staged, tonumber(ARGV[7]))
end
if watched then
  -- <prefix>{<id>}: published on <prefix>events, as every script does.
  local prefix, id = string.match(key, '^(.*){([^{}]*)}$')
  redis.call('PUBLISH', prefix .. 'events', id)
end
return 1
