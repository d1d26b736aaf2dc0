-- wrk script of bench/serve: every request sells one seat through
-- POST /tickets/adjust (BENCH_EVENT, BENCH_TYPE, BENCH_KEY from the
-- environment); done() prints one `wrk:` line that bench/serve reads.
local event, ty, key = os.getenv("BENCH_EVENT"), os.getenv("BENCH_TYPE"), os.getenv("BENCH_KEY")
wrk.method = "POST"
wrk.body = string.format('{"event":%s,"type":%s,"op":"sell","qty":1,"payment":"card"}', event, ty)
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. key

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("wrk: requests %d non2xx %d socket_errors %d duration_us %d p50_us %d p99_us %d\n",
		summary.requests, e.status, e.connect + e.read + e.write + e.timeout, summary.duration,
		latency:percentile(50), latency:percentile(99)))
end
