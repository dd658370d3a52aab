-- wrk script: GET /api/v1/lookup for every query of
-- tests/fixtures/queries.csv in turn (listed names, legal and English
-- names, typos, pairs, names the registry lacks), so that no one answer
-- dominates the figure. Run from the repository's root:
--   wrk -t2 -c64 -d10s --latency -s benches/wrk/lookups.lua http://127.0.0.1:8733

local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local paths = {}
local first = true
for line in io.lines("tests/fixtures/queries.csv") do
  if first then
    first = false
  else
    local q
    if line:sub(1, 1) == '"' then
      q = line:match('^"(.-)",')
    else
      q = line:match("^([^,]*),")
    end
    if q and #q > 0 then
      paths[#paths + 1] = "/api/v1/lookup?q=" .. encode(q)
    end
  end
end

local counter = 0
function setup(thread)
  thread:set("counter", counter)
  counter = counter + 1
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
