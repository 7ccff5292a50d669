-- Claim an idempotency key. KEYS[1] the record (or the key's fence tombstone, '3 T fence'), KEYS[2] the fence
-- tombstone the previous release kept in a key of its own; ARGV: fingerprint,
-- owner, lease ms, takeover (1/0), unknown ttl ms, channel, id. Times come from the server clock so
-- gateway clocks never matter. Answers {'claimed', fence, tookOver}, {'existing', record} or, for a record
-- of format 1 or 2 (a hash, written by an earlier release), {'legacy', field, value, ...}.
-- Record format 3 (one string, header line first): docs/store-format.md.
local key = KEYS[1]
local fp, owner, lease, takeover, unknown_ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1', tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function n(x) return string.format('%.0f', x) end

-- Fences grow strictly across takeovers, releases and purges: past the record's own fence, past the
-- tombstone a release or purge left (in KEYS[1]; the previous release's in KEYS[2]), and never below the server clock in microseconds, so they
-- keep growing after a tombstone expired too. ~1.7e15 today: exact in a Lua double (2^53 ~ 9.0e15).
local function next_fence(previous)
  local floor = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local last = tonumber(redis.call('GET', KEYS[2]) or '0')
  return math.max(floor, math.max(previous, last) + 1)
end

-- A gateway that dies mid-request leaves no key behind forever: past its lease the record would be
-- outcome-unknown for unknown_ttl, so it may vanish then. Waiters of an attempt taken over keep waiting
-- for this one: 'watched' is carried over.
local function own(fence, took_over, watched)
  redis.call('SET', key, '3 I ' .. n(fence) .. ' ' .. n(now) .. ' ' .. n(now + lease) .. ' ' .. n(unknown_ttl)
    .. ' ' .. watched .. ' ' .. fp .. ' ' .. owner .. '\n', 'PX', lease + unknown_ttl)
  return {'claimed', n(fence), took_over and '1' or '0'}
end

local record = redis.pcall('GET', key)
if not record then
  return own(next_fence(0), false, '0')
end
local legacy = type(record) == 'table'
if legacy and not string.find(record.err, 'WRONGTYPE', 1, true) then
  return record
end
local state, fence, created, lease_until, watched, held_fp
if legacy then
  -- Format 1 or 2: read as before; rewritten in format 3 only if this claim changes it.
  local h = redis.call('HMGET', key, 'state', 'fence', 'created', 'lease_until', 'watched', 'fp')
  state = h[1] == 'inflight' and 'I' or h[1] == 'unknown' and 'U' or 'C'
  fence, created, lease_until, watched, held_fp = h[2], h[3], h[4], h[5] == '1' and '1' or '0', h[6]
elseif string.sub(record, 1, 2) ~= '3 ' then
  return redis.error_reply('ERR unsupported record format')
else
  state = string.sub(record, 3, 3)
  if state == 'C' then
    return {'existing', record}
  elseif state == 'T' then
    -- Released or purged: no record, but its fence stays the floor.
    return own(next_fence(tonumber(string.match(record, '^3 T (%d+)'))), false, '0')
  elseif state == 'I' then
    fence, created, lease_until, watched, held_fp = string.match(record, '^3 I (%d+) (%d+) (%d+) %d+ (%d) (%S+)')
  else
    fence, created, held_fp = string.match(record, '^3 U (%d+) (%d+) %d+ %d+ (%S+)')
  end
end

local same = held_fp == fp
if state == 'I' and tonumber(lease_until) <= now then
  if same and takeover then
    return own(next_fence(tonumber(fence)), true, watched)
  end
  record = '3 U ' .. fence .. ' ' .. created .. ' ' .. n(now) .. ' ' .. n(now + unknown_ttl) .. ' ' .. held_fp
    .. '\nlease expired'
  redis.call('SET', key, record, 'PX', unknown_ttl)
  if watched == '1' then
    redis.call('PUBLISH', ARGV[6], ARGV[7])
  end
  return {'existing', record}
elseif state == 'U' and same and takeover then
  return own(next_fence(tonumber(fence)), true, '0')
end
if legacy then
  local reply = redis.call('HGETALL', key)
  table.insert(reply, 1, 'legacy')
  return reply
end
return {'existing', record}
