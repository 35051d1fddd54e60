-- A client: verifies the server's certificate against cert.pem and its
-- name ("localhost"), then sends an HTTP request.
--   lua5.4 client.lua [PORT]   (against `sectrans server --www`, port 4433)
local socket = require "socket"
local sectrans = require "sectrans"
local PORT = tonumber(arg[1]) or 4433

local ctx = assert(sectrans.newcontext {
  mode = "client",
  protocol = "any", -- TLS 1.2 and 1.3
  cafile = "cert.pem", -- leave out to trust the system's store
  verify = "peer",
  alpn = { "http/1.1" },
})
local conn <close> =
  assert(sectrans.wrap(assert(socket.connect("127.0.0.1", PORT)), ctx))
conn:sni("localhost") -- sent as SNI and checked against the certificate
conn:settimeout(10)
assert(conn:dohandshake())
local info = conn:info()
print(info.protocol, info.cipher, info.group, conn:getalpn())
print(conn:getpeercertificate():subject())
conn:send("GET / HTTP/1.0\r\n\r\n")
print(conn:receive("*l")) -- the status line
