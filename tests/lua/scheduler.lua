-- 20 TLS connections interleaved by a coroutine scheduler written in plain
-- Lua: every wrapped object runs with settimeout(0), every "wantread" /
-- "wantwrite" yields, and the scheduler hands the wrapped objects
-- themselves to socket.select. Clients and servers (an echo service) are
-- all coroutines of this one process.
local socket = require "socket"
local sectrans = require "sectrans"
local T = require "testlib"

local CONNECTIONS = 20
local LINES = 30

-- The scheduler -----------------------------------------------------------
local waiting = { r = {}, w = {} } -- object -> coroutine, per direction
local yields = 0

local function resume(co, ...)
  local ok, object, direction = coroutine.resume(co, ...)
  if not ok then
    error(debug.traceback(co, object), 0)
  end
  if coroutine.status(co) ~= "dead" then
    waiting[direction][object] = co
  end
end

local function keys(t)
  local list = {}
  for k in pairs(t) do
    list[#list + 1] = k
  end
  return list
end

local function run()
  while next(waiting.r) or next(waiting.w) do
    local readable, writable, err =
      socket.select(keys(waiting.r), keys(waiting.w), 10)
    assert(err ~= "timeout", "the scheduler stalled: nothing ready for 10 s")
    for _, list in ipairs { { readable, "r" }, { writable, "w" } } do
      for _, object in ipairs(list[1]) do
        local co = waiting[list[2]][object]
        if co then
          waiting[list[2]][object] = nil
          resume(co)
        end
      end
    end
  end
end

-- Yielding wrappers over the non-blocking calls ------------------------------
local function wait(object, err)
  T.ok(
    err == "wantread" or err == "wantwrite" or err == "timeout",
    "a network condition",
    err
  )
  yields = yields + 1
  coroutine.yield(object, err == "wantwrite" and "w" or "r")
end

local function handshake(conn)
  while true do
    local ok, err = conn:dohandshake()
    if ok then
      return
    end
    wait(conn, err)
  end
end

local function receive(conn, pattern)
  local partial = ""
  while true do
    local data, err
    data, err, partial = conn:receive(pattern, partial)
    if data then
      return data
    end
    if err == "closed" then
      return nil, partial
    end
    wait(conn, err)
  end
end

local function send(conn, data)
  local last = 0
  while true do
    local sent, err
    sent, err, last = conn:send(data, last + 1)
    if sent then
      return
    end
    wait(conn, err)
  end
end

-- Servers: echo each line until "quit" -------------------------------------
local listener, port = T.listen()
listener:settimeout(0)
local server_ctx = assert(sectrans.newcontext(T.server_params()))
local client_ctx = assert(sectrans.newcontext(T.client_params()))
local served, active, max_active = 0, 0, 0

local function serve(sock)
  local conn = assert(sectrans.wrap(sock, server_ctx))
  conn:settimeout(0)
  handshake(conn)
  while true do
    local line = receive(conn, "*l")
    if line == nil or line == "quit" then
      break
    end
    send(conn, line .. "\n")
  end
  conn:close()
  served = served + 1
end

local function accept_all()
  for _ = 1, CONNECTIONS do
    local sock, err = listener:accept()
    while not sock do
      T.eq(err, "timeout", "accept")
      coroutine.yield(listener, "r")
      sock, err = listener:accept()
    end
    resume(coroutine.create(serve), sock)
  end
end

-- Clients: handshake, then lines of growing size, checked ------------------
local function client(id)
  local conn = assert(sectrans.wrap(T.connect(port), client_ctx))
  conn:sni("localhost")
  conn:settimeout(0)
  handshake(conn)
  active = active + 1
  max_active = math.max(max_active, active)
  T.eq(conn:info("protocol"), "TLSv1.3", "client " .. id .. " protocol")
  for i = 1, LINES do
    local line = string.format("client %d line %d ", id, i)
      .. string.rep("x", i * 997)
    send(conn, line .. "\n")
    T.eq(receive(conn, "*l"), line, "client " .. id .. " echo " .. i)
  end
  send(conn, "quit\n")
  T.eq(receive(conn, "*a"), "", "client " .. id .. " sees the server close")
  conn:close()
  active = active - 1
end

resume(coroutine.create(accept_all))
for id = 1, CONNECTIONS do
  resume(coroutine.create(client), id)
end
run()
T.eq(served, CONNECTIONS, "every connection was served")
T.ok(max_active > 1, "connections ran interleaved", max_active)
T.ok(
  yields > CONNECTIONS,
  "calls returned wantread/wantwrite and yielded",
  yields
)

-- dirty(): plaintext already decrypted makes socket.select return at once.
local a, b = T.tcp_pair(listener, port)
listener:settimeout(10)
local c = assert(sectrans.wrap(a, client_ctx))
local s = assert(sectrans.wrap(b, server_ctx))
c:sni("localhost")
for _, conn in ipairs { c, s } do
  conn:settimeout(0)
end
for _ = 1, 10 do
  local c_ok = c:dohandshake()
  local s_ok = s:dohandshake()
  if c_ok and s_ok then
    break
  end
  socket.select({ c, s }, nil, 1)
end
T.eq(c:send("one\ntwo\n"), 8, "two lines in one record")
socket.select({ s }, nil, 10)
T.eq(s:receive("*l"), "one", "the first line")
T.eq(s:dirty(), true, "the second line is buffered")
local readable = socket.select({ s }, nil, 0)
T.eq(readable[1], s, "socket.select returns a dirty connection at once")
T.eq(s:receive("*l"), "two", "the buffered line")
T.eq(s:dirty(), false, "nothing left")
local data, err = s:receive("*l")
T.eq(err, "wantread", "settimeout(0): an empty socket answers wantread")
c:close()
s:close()
T.done()
