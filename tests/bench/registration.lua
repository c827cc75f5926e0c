-- wrk script for tests/bench/registration.sh: every request is a new visitor with a phone of its own.
-- Names and phones are synthetic ("Bench Visitor n", 0812 + a number), never real people.
-- The first script argument is a two-digit run number, so two runs never reuse a phone.
dofile("tests/bench/wrk_common.lua")
local counter = 0
local run = "10"

function init(args)
  run = args[1] or run
end

function request()
  counter = counter + 1
  local n = string.format("%s%d%06d", run, thread_number, counter % 1000000)
  local body = '{"name":"Bench Visitor ' .. n .. '","phone":"0812' .. n .. '","visitor_type":"public",' ..
               '"origin_region":"3579","consent":true}'
  return wrk.format("POST", "/v1/visitors", {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  report("registrations", summary)
end
