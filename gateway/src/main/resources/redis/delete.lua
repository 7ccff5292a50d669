-- Operator purge. KEYS[2] the key's fence tombstone; ARGV: channel, id, tombstone ttl ms. Answers 1 if
-- there was a record. A chunked body's key (same hash tag, so the same Cluster slot) goes with it; the
-- record's fence stays behind (if higher than a tombstone already there), so the next claim's is higher.
local record = redis.pcall('GET', KEYS[1])
local body_key, fence
if type(record) == 'table' then
  -- Format 1 or 2 (a hash).
  local held = redis.call('HMGET', KEYS[1], 'body_key', 'fence')
  body_key, fence = held[1], held[2]
elseif record then
  fence = string.match(record, '^3 %u (%d+)')
  if string.sub(record, 3, 3) == 'C' then
    body_key = string.match(record, '^[^\n]* (%S+)\n')
  end
end
if body_key and body_key ~= '-' then
  redis.call('DEL', body_key)
end
if fence and tonumber(fence) > tonumber(redis.call('GET', KEYS[2]) or '0') then
  redis.call('SET', KEYS[2], fence, 'PX', tonumber(ARGV[3]))
end
local existed = redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return existed
