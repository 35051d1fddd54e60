-- A sectrans server (wrap over an accepted LuaSocket connection) that
-- Python's ssl client talks to. Prints "listening <port>", serves one
-- connection, exits. CLIENT_AUTH=1 requires a client certificate.
local T = require "testlib"
local sectrans = require "sectrans"

local client_auth = os.getenv("CLIENT_AUTH") == "1"
local server, port = T.listen()
print("listening " .. port)
io.stdout:flush()

local params = T.server_params { alpn = { "h2", "http/1.1" } }
if client_auth then
  params.cafile = T.env("CA_FILE")
  params.verify = { "peer", "fail_if_no_peer_cert" }
end
local conn = assert(sectrans.wrap(assert(server:accept()), params))
conn:settimeout(10)
T.eq(conn:dohandshake(), true, "handshake with Python's ssl client")
T.eq(conn:getsniname(), "localhost", "getsniname()")
T.eq(conn:getalpn(), "http/1.1", "the server picks the client's protocol")
T.eq(conn:info("protocol"), "TLSv1.3", "protocol")
if client_auth then
  local cert = T.ok(conn:getpeercertificate(), "the client's certificate")
  local _, text = cert:subject()
  T.match(text, "CN=sectrans test client", "the client's subject")
  T.eq(conn:getpeerverification(), true, "the client's chain verified")
else
  T.eq(conn:getpeercertificate(), nil, "no client certificate")
end

local line = conn:receive("*l")
T.eq(line, "hello from python", "a line from the client")
T.eq(conn:send(line:upper() .. "\n"), #line + 1, "the answer")
T.eq(conn:receive("*a"), "bye\n", "*a reads up to the client's close_notify")
conn:close()
T.done()
