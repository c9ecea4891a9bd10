-- wrk script for benchmarks/profile_pages.py: requests paths read from a file, uniformly at
-- random (PAGES_PATHS), or the first PAGES_HOT of them over and over; Accept from PAGES_ACCEPT.
local paths = {}
local accept = os.getenv("PAGES_ACCEPT") or "text/html"
local hot = tonumber(os.getenv("PAGES_HOT") or "0")

function init(args)
  for line in io.lines(os.getenv("PAGES_PATHS")) do paths[#paths + 1] = line end
  if hot > 0 and hot < #paths then
    local some = {}
    for i = 1, hot do some[i] = paths[i] end
    paths = some
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], {Accept = accept})
end
