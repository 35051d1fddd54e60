-- A server: one connection, one line answered in upper case.
--   lua5.4 server.lua [PORT]   (port 0: any free port)
local socket = require "socket"
local sectrans = require "sectrans"

local ctx = assert(sectrans.newcontext {
  mode = "server",
  protocol = "any",
  certificate = "cert.pem", -- the chain, leaf first
  key = "key.pem",
  alpn = { "h2", "http/1.1" },
})
local listener = assert(socket.bind("127.0.0.1", tonumber(arg[1]) or 4433))
print("listening on port " .. select(2, listener:getsockname()))
io.stdout:flush()
local conn <close> = assert(sectrans.wrap(assert(listener:accept()), ctx))
conn:settimeout(10)
local ok, err = conn:dohandshake()
if not ok then
  error("handshake: " .. err)
end
print("client asked for", conn:getsniname(), conn:getalpn())
local line = assert(conn:receive("*l"))
conn:send(line:upper() .. "\n")
