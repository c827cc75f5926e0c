-- Shared by the benchmarks' wrk scripts (loaded with dofile from the repository root, where the bench
-- scripts run): thread numbering, lines of a file shared out between threads, pacing at a fixed rate,
-- and the closing summary line the shell scripts read.

-- thread_number is a global each thread's state receives from setup().
local next_thread = 0
function setup(thread)
  thread:set("thread_number", next_thread)
  next_thread = next_thread + 1
end

-- The lines of `path` this thread takes: every threads-th, so no two threads use the same line.
function thread_lines(path, threads, pick)
  local lines = {}
  local i = 0
  for line in io.lines(path) do
    if i % threads == thread_number then table.insert(lines, pick and pick(line) or line) end
    i = i + 1
  end
  return lines
end

-- A delay() that paces this thread at `rate` requests a second (0: as fast as the connections go):
-- requests get evenly spaced slots, whatever each one's latency, so the run holds the rate as long as
-- there are enough connections.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_usec; } bench_timeval;
  int gettimeofday(bench_timeval* tv, void* tz);
]]
local tv = ffi.new("bench_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end

function paced_delay(rate)
  if rate <= 0 then return function() return 0 end end
  local interval = 1000 / rate
  local next_at = nil
  return function()
    local now = now_ms()
    -- A thread that fell behind does not burst to catch up on more than a second of slots.
    if next_at == nil or next_at < now - 1000 then next_at = now end
    local wait = next_at - now
    next_at = next_at + interval
    return math.max(0, math.floor(wait))
  end
end

-- The closing line: "<what>: N answered 2xx, M other, R/s".
function report(what, summary)
  local seconds = summary.duration / 1e6
  local ok = summary.requests - summary.errors.status
  io.write(string.format("%s: %d answered 2xx, %d other, %.0f/s\n", what, ok, summary.errors.status, ok / seconds))
end
