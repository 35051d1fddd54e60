-- Lifetimes: COUNT (default 10000) wrapped LuaSocket connections, dropped
-- in every way (left to the collector, close(), <close>, close() and then
-- the collector, close() twice), with no growth in Lua's heap
-- (collectgarbage("count")) or the process's resident memory. Every
-- HANDSHAKE_EVERY-th pair runs a handshake and exchanges a line, so
-- sessions with BoringSSL state are dropped too. Run under valgrind with a
-- small COUNT.
local sectrans = require "sectrans"
local T = require "testlib"

local COUNT = tonumber(os.getenv("COUNT") or "10000")
local HANDSHAKE_EVERY = tonumber(os.getenv("HANDSHAKE_EVERY") or "10")
local listener, port = T.listen()
local client_ctx = assert(sectrans.newcontext(T.client_params()))
local server_ctx = assert(sectrans.newcontext(T.server_params()))

local function resident_kb()
  local f = io.open("/proc/self/statm")
  if not f then
    return 0
  end
  local pages = f:read("*n") and f:read("*n")
  f:close()
  return pages * 4
end

-- Runs both handshakes of two non-blocking wrapped sockets to the end.
local function handshake(c, s)
  for _ = 1, 1000 do
    local c_ok, c_err = c:dohandshake()
    local s_ok, s_err = s:dohandshake()
    if c_ok and s_ok then
      return
    end
    T.ok(
      (c_ok or c_err:match("^want")) and (s_ok or s_err:match("^want")),
      "handshake in progress",
      c_err,
      s_err
    )
    require("socket").select({ c, s }, nil, 1)
  end
  error("handshake did not finish")
end

local function one(i)
  local a, b = T.tcp_pair(listener, port)
  local c = assert(sectrans.wrap(a, client_ctx))
  local s <close> = assert(sectrans.wrap(b, server_ctx)) -- closed at scope end
  c:sni("localhost")
  if i % HANDSHAKE_EVERY == 0 then
    c:settimeout(0)
    s:settimeout(0)
    handshake(c, s)
    c:settimeout(10)
    s:settimeout(10)
    assert(c:send("ping\n"))
    assert(s:receive("*l") == "ping")
  end
  local way = i % 4
  if way == 1 then
    c:close()
  elseif way == 2 then
    c:close()
    c:close() -- twice
  elseif way == 3 then
    local closing <close> = c -- __close, then __gc later
  end -- way 0: left to the collector
end

local function batch(n, start)
  for i = start, start + n - 1 do
    one(i)
    if i % 100 == 0 then
      collectgarbage()
    end -- keeps dropped fds in bounds
  end
  collectgarbage()
  collectgarbage()
end

-- The sockets this process (the shell's parent) has open, as a count and
-- "fd -> socket:[inode]" lines, so that a failure names what stayed open.
local function open_sockets()
  local p =
    assert(io.popen("ls -l /proc/$PPID/fd | grep -o '[0-9]* -> socket:.*'"))
  local listing = p:read("a")
  p:close()
  local _, count = listing:gsub("\n", "")
  return count, listing
end

local warmup = math.min(1000, COUNT // 10 + 1)
batch(warmup, 1)
local lua_before, rss_before, fds_before, listing_before =
  collectgarbage("count"), resident_kb(), open_sockets()
batch(COUNT - warmup, warmup + 1)
local lua_after, rss_after, fds_after, listing_after =
  collectgarbage("count"), resident_kb(), open_sockets()
print(
  string.format(
    "lua heap %.0f KB -> %.0f KB, resident %d KB -> %d KB",
    lua_before,
    lua_after,
    rss_before,
    rss_after
  )
)
-- A leaked connection costs over 16 KB of Lua heap (its buffer) and more
-- of BoringSSL state: thousands would show as tens of megabytes.
T.ok(
  lua_after - lua_before < 256,
  "Lua heap does not grow",
  lua_before,
  lua_after
)
if COUNT >= 1000 then -- valgrind's own descriptors and memory would blur these
  T.ok(
    fds_after == fds_before,
    "every socket was closed (by close, __close or __gc)",
    listing_before,
    listing_after
  )
  T.ok(
    rss_after - rss_before < 8192,
    "resident memory does not grow",
    rss_before,
    rss_after
  )
end

-- Any order, any number of times: __gc after close, close after __close,
-- methods on closed objects answer instead of crashing.
local a, b = T.tcp_pair(listener, port)
local c = assert(sectrans.wrap(a, client_ctx))
do
  local closing <close> = c
end
T.eq(c:close(), 1, "close() after __close")
local _, err = c:send("x")
T.eq(err, "closed", "send on a closed connection")
_, err = c:dohandshake()
T.eq(err, "closed", "dohandshake on a closed connection")
T.eq(c:info(), nil, "info() on a closed connection")
T.eq(c:getpeercertificate(), nil, "no certificate on a closed connection")
T.eq(c:dirty(), false, "dirty() on a closed connection")
T.eq(tostring(c):match("closed") ~= nil, true, "__tostring says closed")
local mt = getmetatable(c)
mt.__gc(c) -- the collector's turn, explicitly
mt.__gc(c)
T.eq(c:close(), 1, "close() after __gc")
b:close()
T.done()
