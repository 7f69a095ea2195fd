-- wrk script for bench/serve_bench.sh: POST /v1/check with the proposal in $PROPOSAL, every
-- 100th request malformed JSON; at the end, the count of answers other than 200 and 4xx.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  local f = assert(io.open(os.getenv("PROPOSAL"), "rb"))
  body = f:read("*a")
  f:close()
  n, ok, client_errors, other = 0, 0, 0, 0
end
function request()
  n = n + 1
  local b = body
  if n % 100 == 0 then b = '{"format": "fundcheck/allocation@1", "items": [' end
  return wrk.format("POST", "/v1/check", {["Content-Type"] = "application/json"}, b)
end
function response(status, headers, body)
  if status == 200 then ok = ok + 1
  elseif status >= 400 and status < 500 then client_errors = client_errors + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local o, c, x = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok"); c = c + t:get("client_errors"); x = x + t:get("other")
  end
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f ok=%d 4xx=%d other=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    o, c, x, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
