-- Claim an idempotency key. KEYS[1] record hash, KEYS[2] the key's fence tombstone; ARGV: fingerprint,
-- owner, lease ms, takeover (1/0), unknown ttl ms, channel, id. Times come from the server clock so
-- gateway clocks never matter. Answers {'claimed', fence, tookOver} or {'existing', field, value, ...}.
local key = KEYS[1]
local fp, owner, lease, takeover, unknown_ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1', tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function n(x) return string.format('%.0f', x) end

-- Fences grow strictly across takeovers, releases and purges: past the record's own fence, past the
-- tombstone a release or purge left (KEYS[2]), and never below the server clock in microseconds, so they
-- keep growing after a tombstone expired too. ~1.7e15 today: exact in a Lua double (2^53 ~ 9.0e15).
local function next_fence(previous)
  local floor = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local last = tonumber(redis.call('GET', KEYS[2]) or '0')
  return math.max(floor, math.max(previous, last) + 1)
end

local function own(fence, took_over)
  -- Waiters of the attempt taken over keep waiting for this one: keep their mark.
  local watched = redis.call('HGET', key, 'watched')
  redis.call('DEL', key)
  redis.call('HSET', key, 'v', '1', 'state', 'inflight', 'fp', fp, 'fence', n(fence), 'owner', owner,
    'lease_until', n(now + lease), 'unknown_ttl', n(unknown_ttl), 'created', n(now))
  -- A gateway that dies mid-request leaves no key behind forever: past its lease the record would be
  -- outcome-unknown for unknown_ttl, so it may vanish then.
  if watched then
    redis.call('HSET', key, 'watched', watched)
  end
  redis.call('PEXPIRE', key, lease + unknown_ttl)
  return {'claimed', n(fence), took_over and '1' or '0'}
end

local state = redis.call('HGET', key, 'state')
if not state then
  return own(next_fence(0), false)
end
local same = redis.call('HGET', key, 'fp') == fp
local fence = tonumber(redis.call('HGET', key, 'fence'))
if state == 'inflight' and tonumber(redis.call('HGET', key, 'lease_until')) <= now then
  if same and takeover then
    return own(next_fence(fence), true)
  end
  local watched = redis.call('HGET', key, 'watched')
  redis.call('HDEL', key, 'owner', 'lease_until', 'unknown_ttl', 'watched')
  redis.call('HSET', key, 'state', 'unknown', 'reason', 'lease expired', 'since', n(now),
    'expires', n(now + unknown_ttl))
  redis.call('PEXPIRE', key, unknown_ttl)
  if watched then
    redis.call('PUBLISH', ARGV[6], ARGV[7])
  end
elseif state == 'unknown' and same and takeover then
  return own(next_fence(fence), true)
end
local reply = redis.call('HGETALL', key)
table.insert(reply, 1, 'existing')
return reply
