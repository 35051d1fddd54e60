-- Three clients in coroutines, interleaved by a loop that passes the
-- wrapped connections to socket.select.
--   lua5.4 coroutines.lua [PORT]   (against `sectrans server --www --loop`)
local socket = require "socket"
local sectrans = require "sectrans"
local PORT = tonumber(arg[1]) or 4433

local ctx = assert(sectrans.newcontext { mode = "client", cafile = "cert.pem" })

-- Inside a coroutine: hand the connection to the loop until it is ready.
local function wait(conn, err)
  if err ~= "wantread" and err ~= "wantwrite" then
    error(err)
  end
  coroutine.yield(conn, err == "wantread" and "r" or "w")
end

local function fetch(id)
  local conn <close> =
    assert(sectrans.wrap(assert(socket.connect("127.0.0.1", PORT)), ctx))
  conn:sni("localhost")
  conn:settimeout(0) -- never block: answer "wantread" / "wantwrite"
  local ok, err = conn:dohandshake()
  while not ok do
    wait(conn, err)
    ok, err = conn:dohandshake()
  end
  local request, sent = "GET / HTTP/1.0\r\n\r\n", 0
  while sent < #request do
    local last, partial
    last, err, partial = conn:send(request, sent + 1)
    sent = last or partial
    if not last then
      wait(conn, err)
    end
  end
  local page, partial = nil, ""
  repeat
    page, err, partial = conn:receive("*a", partial)
    if not page then
      wait(conn, err)
    end
  until page
  print(id, page:match("^[^\r\n]*"))
end

-- The loop: socket.select over the wrapped connections themselves.
local waiting = { r = {}, w = {} }
local function resume(co)
  local ok, conn, direction = coroutine.resume(co)
  assert(ok, conn)
  if conn then
    waiting[direction][conn] = co
  end
end
for id = 1, 3 do
  resume(coroutine.create(function()
    fetch(id)
  end))
end
while next(waiting.r) or next(waiting.w) do
  local r, w = {}, {}
  for conn in pairs(waiting.r) do
    r[#r + 1] = conn
  end
  for conn in pairs(waiting.w) do
    w[#w + 1] = conn
  end
  local readable, writable = socket.select(r, w, 10)
  for _, list in ipairs { { readable, waiting.r }, { writable, waiting.w } } do
    for _, conn in ipairs(list[1]) do
      local co = list[2][conn]
      list[2][conn] = nil
      resume(co)
    end
  end
end
