-- wrk script for bench/soak.sh: a mix of object sizes, a share of never-seen keys (cache misses, each one a signing)
-- and a share of redirect-mode requests. Each thread counts the requests it sends and writes the running count to a
-- file about once a second, so the soak's sampler sees the request rate while wrk runs; done() prints exact totals
-- and errors. There is deliberately no response() hook: with one, wrk buffers every body into Lua, growing its
-- buffer 1 KiB at a time, which makes wrk itself the bottleneck on large objects.
-- Environment: SOAK_MISS_PCT, SOAK_REDIRECT_PCT (percent), SOAK_COUNT_DIR, SOAK_RUN_ID.

local sizes = { { "1k.bin", 55 }, { "64k.bin", 30 }, { "1m.bin", 13 }, { "16m.bin", 2 } }   -- object, weight (%)
local miss_pct = tonumber(os.getenv("SOAK_MISS_PCT") or "10")
local redirect_pct = tonumber(os.getenv("SOAK_REDIRECT_PCT") or "5")
local count_dir = os.getenv("SOAK_COUNT_DIR")
local run_id = tonumber(os.getenv("SOAK_RUN_ID") or "0")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local sent, last = 0, 0
local counter_path

local function flush()
  -- Write aside, then rename: the sampler never reads a half-written file.
  local f = io.open(counter_path .. ".tmp", "w")
  if f then
    f:write(sent, "\n")
    f:close()
    os.rename(counter_path .. ".tmp", counter_path)
  end
end

function init(args)
  math.randomseed(os.time() + 7919 * (tid or 0) + 104729 * run_id)
  math.random(); math.random()
  if count_dir then counter_path = string.format("%s/count-%d-%d", count_dir, run_id, tid or 0) end
end

local function pick_file()
  local r, acc = math.random(100), 0
  for _, s in ipairs(sizes) do
    acc = acc + s[2]
    if r <= acc then return s[1] end
  end
  return sizes[1][1]
end

function request()
  sent = sent + 1
  if counter_path then
    local now = os.time()
    if now ~= last then
      last = now
      flush()
    end
  end
  local file = pick_file()
  local prefix = (math.random(100) <= redirect_pct) and "/r/" or "/"
  local key = file
  if math.random(100) <= miss_pct then
    -- u/<random>/<file>: a key the gateway has never signed; the upstream serves <file> for it.
    key = string.format("u/%d-%d-%d/%s", run_id, tid or 0, math.random(0, 999999999), file)
  end
  return wrk.format("GET", prefix .. key)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%.0f duration_us=%.0f bytes=%.0f p50_us=%.0f p99_us=%.0f connect=%.0f read=%.0f write=%.0f status=%.0f timeout=%.0f\n",
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
