-- Whether a waiter should keep waiting: 1 while the record is in flight with a running lease. Then the
-- record is marked 'watched', so its next state change is published (a waiter registers before asking).
local record = redis.pcall('GET', KEYS[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if type(record) == 'table' then
  -- Format 1 or 2 (a hash).
  local held = redis.call('HMGET', KEYS[1], 'state', 'lease_until')
  if held[1] ~= 'inflight' or tonumber(held[2]) <= now then
    return 0
  end
  redis.call('HSET', KEYS[1], 'watched', '1')
  return 1
end
if not record then
  return 0
end
local head, lease_until, watched, rest = string.match(record, '^(3 I %d+ %d+ (%d+) %d+ )(%d)(.*)$')
if not head or tonumber(lease_until) <= now then
  return 0
end
if watched == '0' then
  redis.call('SET', KEYS[1], head .. '1' .. rest, 'KEEPTTL')
end
return 1
