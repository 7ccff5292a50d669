-- Shared guard, prepended to every owner-only script: the record is in flight and this attempt
-- (owner and fence) still holds it. An owner that lost its key to a takeover can never write; a refused
-- complete also drops the body it staged (KEYS[2], a hash, given only by a complete with a chunked body;
-- a release's KEYS[2] is its fence tombstone, a string, and is kept).
local key = KEYS[1]
local function n(x) return string.format('%.0f', x) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local held = redis.call('HMGET', key, 'state', 'owner', 'fence', 'watched')
if held[1] ~= 'inflight' or held[2] ~= ARGV[1] or held[3] ~= ARGV[2] then
  if KEYS[2] and redis.call('TYPE', KEYS[2]).ok == 'hash' then
    redis.call('DEL', KEYS[2])
  end
  return 0
end
-- A waiter marked the record ('watched', in-flight.lua): only then is a state change published, so a
-- first request nobody waits for costs Redis no PUBLISH and each gateway no pub/sub message.
local watched = held[4] == '1'
