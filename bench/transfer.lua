-- wrk script: authenticated transfers with a fresh Idempotency-Key each, as a real client sends them.
-- Reads "token source destination" lines from the file named by BENCH_CLIENTS.
local lines = {}
local counter = 0

function init(args)
  for line in io.lines(os.getenv("BENCH_CLIENTS")) do
    local token, source, destination = line:match("(%S+) (%S+) (%S+)")
    table.insert(lines, { token = token, source = source, destination = destination })
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  thread_id = math.random(1, 1000000000)
end

function request()
  counter = counter + 1
  local pick = lines[math.random(#lines)]
  local body = string.format(
    '{"source_account":"%s","destination_account":"%s","amount":"%d.%02d","description":"bench"}',
    pick.source, pick.destination, math.random(1, 99), math.random(0, 99))
  return wrk.format("POST", "/api/v1/transfers/", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. pick.token,
    ["Idempotency-Key"] = string.format("bench-%d-%d", thread_id, counter),
  }, body)
end

function done(summary, latency, requests)
  io.write(string.format("LATENCY_US p50=%d p95=%d p99=%d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
  io.write(string.format("REQUESTS total=%d errors=%d\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
