-- Open-loop run at a fixed request rate, for bench/run.
--
-- wrk is started with as many threads as connections (-t N -c N), so each thread drives
-- exactly one connection and this script, which runs once per thread, knows which request
-- a response belongs to. Each connection follows its own fixed schedule of RATE/N requests
-- per second (the N schedules are staggered evenly), whatever the server does.
--
-- Coordinated omission: when a response comes back after the next request was due, that
-- request is sent at once and its latency is counted from the time it was DUE, not from
-- when it could be sent, so a stall shows up in the latency of every request it held back
-- (as wrk2 does). When the connection was idle at the due time, the latency is counted
-- from the actual send (wrk's timers have millisecond resolution: the send may be up to
-- about a millisecond off schedule, which is the harness's jitter, not the server's).
--
-- Rate: environment variable BENCH_RATE (requests per second, all connections together).
-- Prints one line: OPENLOOP rate=... rps=... n=... p50_us=... p90_us=... p99_us=... p999_us=... max_us=... bad=...

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

-- main thread: number the threads, collect their samples at the end
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

-- per thread (one connection each)
local interval_us, next_due, due, start, last_done
lat = {}  -- latencies in microseconds (read by done() through thread:get)
bad = 0   -- responses other than 200

function init(args)
  local rate = tonumber(os.getenv("BENCH_RATE"))
  local nthreads = tonumber(os.getenv("BENCH_OPEN_CONNECTIONS"))
  assert(rate and rate > 0, "BENCH_RATE must be a positive number")
  assert(nthreads and nthreads > 0, "BENCH_OPEN_CONNECTIONS must be the -t/-c count")
  interval_us = 1e6 * nthreads / rate
  -- stagger the connections' schedules over one interval; start 10 ms from now
  next_due = now_us() + 10e3 + (tid - 1) * interval_us / nthreads
  last_done = -math.huge
end

function delay()
  local wait = next_due - now_us()
  if wait <= 0 then return 0 end
  return math.ceil(wait / 1000)
end

function request()
  local sent = now_us()
  due = next_due
  next_due = next_due + interval_us
  if last_done > due then
    start = due   -- the connection was still busy when this request was due
  else
    start = sent  -- on time (up to the timer's jitter)
  end
  return wrk.request()
end

function response(status, headers, body)
  local t = now_us()
  last_done = t
  lat[#lat + 1] = t - start
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local all, nbad = {}, 0
  for _, thread in ipairs(threads) do
    for _, v in ipairs(thread:get("lat")) do all[#all + 1] = v end
    nbad = nbad + thread:get("bad")
  end
  table.sort(all)
  local n = #all
  local function pct(p)
    if n == 0 then return 0 end
    return all[math.max(1, math.ceil(n * p / 100))]
  end
  local e = summary.errors
  io.write(string.format(
    "OPENLOOP rate=%s rps=%.1f n=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d bad=%d errors=%d\n",
    os.getenv("BENCH_RATE"), n / (summary.duration / 1e6), n,
    pct(50), pct(90), pct(99), pct(99.9), pct(100), nbad,
    e.connect + e.read + e.write + e.timeout))
end
