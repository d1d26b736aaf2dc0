-- wrk script of bench/serve for GET runs: the requests are wrk's own
-- (the URL given); done() prints the `wrk:` line that bench/serve reads.
function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("wrk: requests %d non2xx %d socket_errors %d duration_us %d p50_us %d p99_us %d\n",
		summary.requests, e.status, e.connect + e.read + e.write + e.timeout, summary.duration,
		latency:percentile(50), latency:percentile(99)))
end
