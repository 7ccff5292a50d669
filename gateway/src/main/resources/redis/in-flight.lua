-- Whether a waiter should keep waiting: 1 while the record is in flight with a running lease. Then the
-- record is marked 'watched', so its next state change is published (a waiter registers before asking).
local held = redis.call('HMGET', KEYS[1], 'state', 'lease_until')
if held[1] ~= 'inflight' then
  return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if tonumber(held[2]) > now then
  redis.call('HSET', KEYS[1], 'watched', '1')
  return 1
end
return 0
