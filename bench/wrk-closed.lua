-- Closed-loop run (wrk's own scheduling: every connection sends its next request as soon
-- as the previous response is in). Prints one machine-readable line for bench/run.
-- Latencies are wrk's own, in microseconds, from the first byte written to the last byte read.

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH rps=%.1f p50_us=%d p99_us=%d requests=%d errors=%d status_errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    summary.requests,
    e.connect + e.read + e.write + e.timeout, e.status))
end
