-- A mix of page views and feedback posts for wrk, run by scripts/loadtest.py.
--
-- Each wrk thread counts what it sent and what the site answered. Feedback posts stop at a
-- given time, before wrk does, so that every post is answered: a post still in flight when
-- wrk stops could be stored without wrk knowing. The thread stops early once it has sent
-- its share of requests and has its answers. done() prints the totals on one line.

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

local function split(text)
  local items = {}
  for item in string.gmatch(text, "[^,]+") do
    table.insert(items, item)
  end
  return items
end

function init(args)
  pages = split(args[1])
  page_ids = split(args[2])
  feedback_share = tonumber(args[3])
  max_requests = tonumber(args[4])
  posts_until = tonumber(args[5]) -- Unix time after which no feedback is posted
  math.randomseed(thread_number * 7919)
  tokens = {}
  sent = 0
  -- wrk calls request() once on its first thread before the run, to check the script, and
  -- never sends that request: it must not be counted.
  check_call = thread_number == 1
  pending_posts = 0
  -- Answers received in each second (Unix time), for throughput before and after an outage.
  by_second = {}
  count = {
    page = 0, page_ok = 0, answer = 0, answer_ok = 0, comment = 0, comment_ok = 0, unexpected = 0,
  }
end

-- "Lasttest: jag saknade datum för nästa möte." A comment without personal data.
local COMMENT = "Lasttest%3A+jag+saknade+datum+f%C3%B6r+n%C3%A4sta+m%C3%B6te."

local function post(kind, body)
  pending_posts = pending_posts + 1
  count[kind] = count[kind] + 1
  return wrk.format("POST", "/feedback/", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
    ["X-Request-ID"] = string.format("load-%s-%d-%d", kind, thread_number, sent),
  }, body)
end

function request()
  if check_call then
    check_call = false
    return wrk.format("GET", pages[1])
  end
  sent = sent + 1
  local may_post = sent <= max_requests and os.time() < posts_until
  if may_post and #tokens > 0 then
    return post("comment", "language=sv&comment=" .. COMMENT .. "&token=" .. table.remove(tokens))
  end
  if may_post and math.random() < feedback_share then
    local answer = math.random() < 0.5 and "yes" or "no"
    local page = page_ids[math.random(#page_ids)]
    return post("answer", "language=sv&answer=" .. answer .. "&page=" .. page)
  end
  count.page = count.page + 1
  return wrk.format("GET", pages[math.random(#pages)], {
    ["Accept-Encoding"] = "gzip",
    ["X-Request-ID"] = string.format("load-page-%d-%d", thread_number, sent),
  })
end

function response(status, headers, body)
  local second = os.time()
  by_second[second] = (by_second[second] or 0) + 1
  local kind = string.match(headers["X-Request-ID"] or "", "^load%-(%a+)%-")
  if kind == "page" then
    if status == 200 then
      count.page_ok = count.page_ok + 1
    else
      count.unexpected = count.unexpected + 1
    end
  elseif kind == "answer" or kind == "comment" then
    pending_posts = pending_posts - 1
    if status == 200 and string.find(body, '"ok": true', 1, true) then
      count[kind .. "_ok"] = count[kind .. "_ok"] + 1
      -- After a "no", the answer holds the token for a comment (JSON-escaped HTML).
      local token = string.match(body, 'name=\\"token\\" value=\\"([^\\"]+)')
      if token then
        table.insert(tokens, token)
      end
    else
      count.unexpected = count.unexpected + 1
    end
  else
    count.unexpected = count.unexpected + 1
  end
  if sent >= max_requests and pending_posts == 0 then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local total = { pending_posts = 0 }
  local seconds = {}
  for _, thread in ipairs(threads) do
    for key, value in pairs(thread:get("count")) do
      total[key] = (total[key] or 0) + value
    end
    total.pending_posts = total.pending_posts + thread:get("pending_posts")
    for second, answered in pairs(thread:get("by_second")) do
      seconds[second] = (seconds[second] or 0) + answered
    end
  end
  local per_second = {}
  for second, answered in pairs(seconds) do
    table.insert(per_second, string.format("%d:%d", second, answered))
  end
  io.write("LOADTEST_SECONDS " .. table.concat(per_second, ",") .. "\n")
  local e = summary.errors
  io.write(string.format(
    "LOADTEST requests=%d seconds=%.2f page=%d page_ok=%d answer=%d answer_ok=%d comment=%d "
      .. "comment_ok=%d unexpected=%d unanswered_posts=%d connect=%d read=%d write=%d "
      .. "status=%d timeout=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    summary.requests, summary.duration / 1e6, total.page, total.page_ok, total.answer,
    total.answer_ok, total.comment, total.comment_ok, total.unexpected, total.pending_posts,
    e.connect, e.read, e.write, e.status, e.timeout, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000
  ))
end
