-- Replays: one key, the same payload: after the first, every request is answered from the store.
wrk.method = "POST"
wrk.body = '{"sku":"tea","qty":1,"note":"benchmark"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Idempotency-Key"] = "bench-replay-" .. tostring(os.time())
