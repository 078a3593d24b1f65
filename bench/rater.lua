-- wrk script for bench/loadrun.sh: raters answering their questionnaires, and the minimal view.
--
-- MODE=get      each request opens one section page of one rater's link
-- MODE=mix      a rater's visit: open section n, then save it as a draft (POST), in turn
-- MODE=healthz  GET /healthz (one SELECT 1): a minimal view that reaches the database
-- MODE=bare     GET /loadrun/bare (no database; mounted by LOADRUN_BARE_VIEW=on): the
--               framework's own ceiling on this server
--
-- LOAD_DIR holds tokens.txt (one rater link token a line) and sections.txt (one URL-encoded
-- draft save a line, section 1 first), written by `manage.py benchmark --build-only LOAD_DIR`.
-- Requests carry Django's CSRF cookie as a rater's browser does once it has opened a page (a
-- rater answers page after page); draft saves send the cookie's 32-character secret back in
-- the form too (an unmasked token is valid).

local mode = os.getenv("MODE") or "mix"
local dir = os.getenv("LOAD_DIR") or "."
local csrf = "loadrunCSRFsecret0123456789abcde"
local tokens, bodies = {}, {}
local step = 0
local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  if mode ~= "healthz" and mode ~= "bare" then
    for line in io.lines(dir .. "/tokens.txt") do tokens[#tokens + 1] = line end
    for line in io.lines(dir .. "/sections.txt") do bodies[#bodies + 1] = line end
  end
  -- threads start far apart in the list of raters, so no two answer as the same rater at once
  step = (thread_number or 0) * 2 * 104729
end

local post_headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Cookie"] = "csrftoken=" .. csrf,
}
local get_headers = { ["Cookie"] = "csrftoken=" .. csrf }

function request()
  step = step + 1
  if mode == "healthz" then
    return wrk.format("GET", "/healthz")
  end
  if mode == "bare" then
    return wrk.format("GET", "/loadrun/bare")
  end
  local visit = step
  if mode == "mix" then visit = math.floor(step / 2) end
  local token = tokens[visit % #tokens + 1]
  local section = visit % #bodies + 1
  local path = "/r/" .. token .. "/section/" .. section .. "/"
  if mode == "mix" and step % 2 == 1 then
    return wrk.format("POST", path, post_headers,
      bodies[section] .. "&csrfmiddlewaretoken=" .. csrf)
  end
  return wrk.format("GET", path, get_headers)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1000000
  local e = summary.errors
  io.write(string.format(
    "RESULT mode=%s requests=%d seconds=%.1f rps=%.1f p50_ms=%.1f p95_ms=%.1f p99_ms=%.1f "
      .. "socket_errors=%d bad_status=%d\n",
    mode, summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
