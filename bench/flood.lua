-- wrk script for bench/flood.sh: every request names an object nobody has asked for before, with a long CJK path
-- (320 characters) and a long CJK ?filename= (200 characters), both percent-encoded (9 bytes a character): the
-- request a hostile client makes to fill the gateway's URL cache. Each thread stops after its share of FLOOD_KEYS
-- responses, and writes its running count to a file about once a second for the sampler.
-- Environment: FLOOD_KEYS (total), FLOOD_THREADS, FLOOD_PREFIX ("/" proxy site, "/r/" redirect site), FLOOD_COUNT_DIR.

local total = tonumber(os.getenv("FLOOD_KEYS") or "1000000")
local nthreads = tonumber(os.getenv("FLOOD_THREADS") or "2")
local prefix = os.getenv("FLOOD_PREFIX") or "/"
local count_dir = os.getenv("FLOOD_COUNT_DIR")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

-- UTF-8 of U+4E00 + n, percent-encoded.
local function cjk(n)
  local cp = 0x4E00 + n
  local b1 = 0xE0 + math.floor(cp / 4096)
  local b2 = 0x80 + math.floor(cp / 64) % 64
  local b3 = 0x80 + cp % 64
  return string.format("%%%02X%%%02X%%%02X", b1, b2, b3)
end

local function name(length, seed)
  local parts = {}
  for i = 1, length do parts[i] = cjk((seed * 131 + i * 7) % 20000) end
  return table.concat(parts)
end

local share, done_count, seq, last = 0, 0, 0, 0
local counter_path
local paths, files = {}, {}

function init(args)
  share = math.ceil(total / nthreads)
  if count_dir then counter_path = string.format("%s/count-%d", count_dir, tid or 0) end
  -- 64 long names per thread, rotated; the sequence number makes every key distinct.
  for i = 1, 64 do
    paths[i] = name(320, (tid or 0) * 64 + i)
    files[i] = name(200, (tid or 0) * 64 + i + 7) .. ".txt"
  end
end

local function flush()
  local f = io.open(counter_path .. ".tmp", "w")
  if f then
    f:write(done_count, "\n")
    f:close()
    os.rename(counter_path .. ".tmp", counter_path)
  end
end

function request()
  seq = seq + 1
  local i = seq % 64 + 1
  return wrk.format("GET", string.format("%sflood/%d-%d/%s?filename=%s", prefix, tid or 0, seq, paths[i], files[i]))
end

function response(status, headers, body)
  done_count = done_count + 1
  if counter_path then
    local now = os.time()
    if now ~= last or done_count >= share then
      last = now
      flush()
    end
  end
  if done_count >= share then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%.0f duration_us=%.0f p50_us=%.0f p99_us=%.0f connect=%.0f read=%.0f write=%.0f status=%.0f timeout=%.0f\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
