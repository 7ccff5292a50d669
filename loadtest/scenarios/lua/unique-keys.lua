-- First requests: every request carries a new Idempotency-Key, so each one claims, executes and completes.
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local n = 0
local run = tostring(os.time())
request = function()
  n = n + 1
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "bench-" .. run .. "-" .. tid .. "-" .. n,
  }, '{"sku":"tea","qty":1,"note":"benchmark"}')
end
