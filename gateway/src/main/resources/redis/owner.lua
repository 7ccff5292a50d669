-- Shared guard, prepended to every owner-only script: the record is in flight and this attempt
-- (owner and fence, ARGV[1] and ARGV[2]) still holds it. An owner that lost its key to a takeover can
-- never write; a record of format 1 or 2 (a hash: claimed by an earlier release) is never this attempt's.
-- A refused complete also drops the body it staged (KEYS[2], a hash, given only by a complete with a
-- chunked body; a release's KEYS[2] is its fence tombstone, a string, and is kept).
local key = KEYS[1]
local function n(x) return string.format('%.0f', x) end
local record = redis.pcall('GET', key)
local fence, created, lease_until, unknown_ttl, watched, fp, owner
if type(record) == 'string' then
  fence, created, lease_until, unknown_ttl, watched, fp, owner =
    string.match(record, '^3 I (%d+) (%d+) (%d+) (%d+) (%d) (%S+) (%S+)\n')
end
if owner ~= ARGV[1] or fence ~= ARGV[2] then
  if KEYS[2] and redis.call('TYPE', KEYS[2]).ok == 'hash' then
    redis.call('DEL', KEYS[2])
  end
  return 0
end
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- A waiter marked the record (in-flight.lua): only then is a state change published, so a first request
-- nobody waits for costs Redis no PUBLISH and each gateway no pub/sub message.
watched = watched == '1'
