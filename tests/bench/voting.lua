-- wrk script for tests/bench/voting.sh: visitors voting from their phones over kept-alive connections.
-- Each visitor (a line "<visitor_id> <token>" of the file, checked in at the booth beforehand) casts
-- one vote for each of the booth's innovations, so every request is a new vote within the quota.
-- Arguments: VISITORS_FILE INNOVATIONS (comma-separated) RATE THREADS (RATE: votes/s in all, 0 unpaced).
dofile("tests/bench/wrk_common.lua")
local tokens = {}
local innovations = {}
local next_vote = 0

function init(args)
  for id in string.gmatch(args[2], "[^,]+") do table.insert(innovations, id) end
  local threads = tonumber(args[4] or "1")
  delay = paced_delay(tonumber(args[3] or "0") / threads)
  tokens = thread_lines(args[1], threads, function(line) return string.match(line, "%S+ (%S+)") end)
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
  report("votes", summary)
end
