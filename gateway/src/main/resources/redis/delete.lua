-- Operator purge. KEYS[2] the fence tombstone the previous release kept in a key of its own; ARGV: channel,
-- id, tombstone ttl ms. Answers 1 if there was a record. A chunked body's key (same hash tag, so the same
-- Cluster slot) goes with it; the highest fence known stays behind as the tombstone in the record's key.
local record = redis.pcall('GET', KEYS[1])
local body_key, fence, existed
if type(record) == 'table' then
  -- Format 1 or 2 (a hash).
  local held = redis.call('HMGET', KEYS[1], 'body_key', 'fence')
  body_key, fence, existed = held[1], held[2], 1
elseif record then
  fence = string.match(record, '^3 %u (%d+)')
  local state = string.sub(record, 3, 3)
  existed = state ~= 'T' and 1 or 0
  if state == 'C' then
    body_key = string.match(record, '^[^\n]* (%S+)\n')
  end
end
if body_key and body_key ~= '-' then
  redis.call('DEL', body_key)
end
local legacy = redis.call('GET', KEYS[2])
if legacy then
  redis.call('DEL', KEYS[2])
  if not fence or tonumber(legacy) > tonumber(fence) then
    fence = legacy
  end
end
if fence then
  redis.call('SET', KEYS[1], '3 T ' .. fence .. '\n', 'PX', tonumber(ARGV[3]))
elseif record then
  redis.call('DEL', KEYS[1])
end
redis.call('PUBLISH', ARGV[1], ARGV[2])
return existed or 0
