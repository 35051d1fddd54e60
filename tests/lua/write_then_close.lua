-- A sectrans client that sends SIZE bytes to PORT and closes at once: the
-- server must read every byte and a clean end (conn:close() takes in the
-- session tickets that arrived unread, so the socket ends with a FIN, not
-- a reset that would drop what the server had not read yet).
local T = require "testlib"
local sectrans = require "sectrans"

local size = tonumber(T.env("SIZE"))
local conn = assert(sectrans.wrap(T.connect(T.env("PORT")), T.client_params {}))
conn:sni("localhost")
conn:settimeout(30)
T.eq(conn:dohandshake(), true, "handshake")
local block = {}
for i = 0, 255 do
  block[#block + 1] = string.char(i)
end
local chunk = string.rep(table.concat(block), 64) -- 16 KiB
for _ = 1, size // #chunk do
  T.eq(conn:send(chunk), #chunk, "send 16 KiB")
end
T.eq(conn:close(), 1, "close()")
T.done()
