-- Whether a waiter should keep waiting: 1 while the record is in flight with a running lease.
local held = redis.call('HMGET', KEYS[1], 'state', 'lease_until')
if held[1] ~= 'inflight' then
  return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return tonumber(held[2]) > now and 1 or 0
