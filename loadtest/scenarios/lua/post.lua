-- Pass-through: the same small JSON POST every time, no key.
wrk.method = "POST"
wrk.body = '{"sku":"tea","qty":1,"note":"benchmark"}'
wrk.headers["Content-Type"] = "application/json"
