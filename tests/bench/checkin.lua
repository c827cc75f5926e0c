-- wrk script for tests/bench/checkin.sh: tablets posting scans over kept-alive connections. Each
-- request scans a badge not scanned before (from the token file), so each is a new check-in.
-- Arguments: TOKENS_FILE DEVICE_KEY RATE THREADS (RATE: requests/s for the whole run, 0 unpaced).
dofile("tests/bench/wrk_common.lua")
local tokens = {}
local next_token = 0
local key = ""
local counter = 0

function init(args)
  key = args[2]
  local threads = tonumber(args[4] or "1")
  delay = paced_delay(tonumber(args[3] or "0") / threads)
  tokens = thread_lines(args[1], threads)
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
  report("checkins", summary)
end
