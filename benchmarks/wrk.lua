-- wrk script for benchmarks/load.py: the same requests as Workload.request_text (see its
-- docstring), read from the workload file load.py writes; prints one JSON line at the end.
--   wrk -tT -cC -dDs -s benchmarks/wrk.lua URL -- WORKLOAD_FILE START THREADS SHARE
-- SHARE > 0: each thread stops once SHARE answers came back (a fixed amount of work; -d is then
-- the cap) and says so on stdout, so that load.py can interrupt wrk's main thread; throughput
-- is over the time from the first request sent to the last answer received.

local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *t);
]]

local function now()
  local t = ffi.new("bench_timespec")
  ffi.C.clock_gettime(1, t) -- CLOCK_MONOTONIC
  return tonumber(t.tv_sec) + tonumber(t.tv_nsec) / 1e9
end

local all_threads = {}

function setup(thread)
  thread:set("tid", #all_threads)
  all_threads[#all_threads + 1] = thread
end

local function split(s, sep)
  local out, pos = {}, 1
  while true do
    local i = string.find(s, sep, pos, true)
    if not i then
      out[#out + 1] = string.sub(s, pos)
      return out
    end
    out[#out + 1] = string.sub(s, pos, i - 1)
    pos = i + #sep
  end
end

local function replace(s, key, value)
  local i, j = string.find(s, key, 1, true)
  while i do
    s = string.sub(s, 1, i - 1) .. value .. string.sub(s, j + 1)
    i, j = string.find(s, key, i + #value, true)
  end
  return s
end

local method, path, unseen, headers, templates, start, threads, share
issued, answered, first, last = 0, 0, 0, 0

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local entries = split(file:read("*a"), "\0")
  file:close()
  local head = split(entries[1], "\n")
  method, path, unseen = head[1], head[2], head[3] == "unseen"
  headers = {}
  for k = 4, #head do
    local name, value = string.match(head[k], "^([^:]+): (.*)$")
    headers[name] = value
  end
  templates = {}
  for k = 2, #entries do
    local parts = split(entries[k], "\1")
    local values = {}
    for v = 3, #parts do values[#values + 1] = parts[v] end
    templates[#templates + 1] = { limit = tonumber(parts[1]), text = parts[2], values = values }
  end
  start, threads, share = tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
end

function request()
  if issued == 0 then first = now() end
  local n = start + tid + threads * issued
  issued = issued + 1
  local t = templates[(n % #templates) + 1]
  local value, limit = t.values[1], t.limit
  if unseen then
    local r = math.floor(n / #templates)
    value = t.values[(r % #t.values) + 1]
    limit = t.limit + 1 + math.floor(r / #t.values)
  end
  local text = replace(replace(t.text, "{{value}}", value), "{{limit}}", string.format("%d", limit))
  local h = {}
  for name, v in pairs(headers) do h[name] = v end
  if method == "GET" then
    return wrk.format("GET", text, h, nil)
  end
  return wrk.format(method, path, h, text)
end

function response(status, headers, body)
  answered = answered + 1
  last = now()
  if share > 0 and answered == share then
    wrk.thread:stop()
    io.write("WRK-THREAD-DONE\n")
    io.flush()
  end
end

function done(summary, latency, requests)
  local began, ended, issued_most = math.huge, 0, 0
  for _, thread in ipairs(all_threads) do
    if thread:get("issued") > 0 then began = math.min(began, thread:get("first")) end
    ended = math.max(ended, thread:get("last"))
    issued_most = math.max(issued_most, thread:get("issued"))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests": %d, "seconds": %.6f, "p50_ms": %.3f, "p99_ms": %.3f, ' ..
    '"status_errors": %d, "socket_errors": %d, "issued_most": %d}\n',
    summary.requests, ended > began and ended - began or summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status,
    e.connect + e.read + e.write + e.timeout, issued_most))
end
