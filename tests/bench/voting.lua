-- wrk script for tests/bench/voting.sh: visitors voting from their phones over kept-alive connections.
-- Each visitor (a line "<visitor_id> <token>" of the file, checked in at the booth beforehand) casts
-- one vote for each of the booth's innovations, so every request is a new vote within the quota.
-- Arguments: VISITORS_FILE INNOVATIONS (comma-separated) DELAY_MS THREADS.
local tokens = {}
local innovations = {}
local next_vote = 0
local delay_ms = 0

local next_thread = 0
function setup(thread)
  thread:set("thread_number", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  for id in string.gmatch(args[2], "[^,]+") do table.insert(innovations, id) end
  delay_ms = tonumber(args[3] or "0")
  local threads = tonumber(args[4] or "1")
  -- Each thread takes every threads-th visitor, so no two threads vote as the same visitor.
  local i = 0
  for line in io.lines(args[1]) do
    if i % threads == thread_number then table.insert(tokens, string.match(line, "%S+ (%S+)")) end
    i = i + 1
  end
end

function delay()
  return delay_ms
end

function request()
  local n = next_vote
  next_vote = next_vote + 1
  local visitor = math.floor(n / #innovations) % #tokens + 1
  local innovation = innovations[n % #innovations + 1]
  local body = '{"badge":"' .. tokens[visitor] .. '","innovation_id":"' .. innovation ..
               '","client_event_id":"bench-' .. thread_number .. '-' .. n .. '"}'
  return wrk.format("POST", "/v1/votes", {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local ok = summary.requests - summary.errors.status
  io.write(string.format("votes: %d answered 2xx, %d other, %.0f/s\n", ok, summary.errors.status, ok / seconds))
end
