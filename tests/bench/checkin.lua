-- wrk script for tests/bench/checkin.sh: tablets posting scans over kept-alive connections. Each
-- request scans a badge not scanned before (from the token file), so each is a new check-in.
-- Arguments: TOKENS_FILE DEVICE_KEY DELAY_MS THREADS (a delay paces each connection for a fixed rate).
local tokens = {}
local next_token = 0
local key = ""
local delay_ms = 0
local counter = 0

-- thread_number is a global each thread's state receives from setup().
local next_thread = 0
function setup(thread)
  thread:set("thread_number", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  key = args[2]
  delay_ms = tonumber(args[3] or "0")
  local threads = tonumber(args[4] or "1")
  -- Each thread takes every threads-th token, so no two threads scan the same badge.
  local i = 0
  for line in io.lines(args[1]) do
    if i % threads == thread_number then table.insert(tokens, line) end
    i = i + 1
  end
end

function delay()
  return delay_ms
end

function request()
  next_token = next_token + 1
  counter = counter + 1
  local token = tokens[(next_token - 1) % #tokens + 1]
  local body = '{"badge":"' .. token .. '","client_event_id":"bench-' .. thread_number .. '-' .. counter .. '"}'
  return wrk.format("POST", "/v1/checkins",
                    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local ok = summary.requests - summary.errors.status
  io.write(string.format("checkins: %d answered 2xx, %d other, %.0f/s\n", ok, summary.errors.status, ok / seconds))
end
