-- LuaSec (OpenSSL 3) and sectrans (BoringSSL) in one Lua state: each
-- connects to `openssl s_server -rev` on PORT, and each talks to the other
-- in-process (a LuaSec server with a sectrans client, and the reverse).
local socket = require "socket"
local ssl = require "ssl"
local sectrans = require "sectrans"
local T = require "testlib"

local ca, cert, key = T.env("CA_FILE"), T.env("CERT_FILE"), T.env("KEY_FILE")
local luasec_client =
  { mode = "client", protocol = "any", cafile = ca, verify = "peer" }
local luasec_server =
  { mode = "server", protocol = "any", certificate = cert, key = key }

-- Both against openssl s_server (which serves one connection at a time).
local function exchange(conn, line)
  conn:settimeout(10)
  T.eq(conn:send(line .. "\n"), #line + 1, "send " .. line)
  T.eq(conn:receive("*l"), line:reverse(), "reply to " .. line)
end

local port = T.env("PORT")
local lconn = assert(ssl.wrap(T.connect(port), luasec_client))
lconn:settimeout(10)
T.eq(lconn:dohandshake(), true, "LuaSec connects")
exchange(lconn, "luasec first")
lconn:close()
local sconn = assert(sectrans.wrap(T.connect(port), T.client_params()))
sconn:sni("localhost")
sconn:settimeout(10)
T.eq(sconn:dohandshake(), true, "sectrans connects")
exchange(sconn, "sectrans second")
T.eq(sconn:info("group"), "X25519", "sectrans negotiated")
sconn:close()

-- Each against the other, in this process, interleaved without blocking.
local function handshake_both(a, b)
  a:settimeout(0)
  b:settimeout(0)
  for _ = 1, 200 do
    local a_ok, a_err = a:dohandshake()
    local b_ok, b_err = b:dohandshake()
    if a_ok and b_ok then
      return true
    end
    if
      (not a_ok and not a_err:match("^want") and a_err ~= "timeout")
      or (not b_ok and not b_err:match("^want") and b_err ~= "timeout")
    then
      return false, tostring(a_err) .. " / " .. tostring(b_err)
    end
    socket.select({ a, b }, nil, 1)
  end
  return false, "no progress"
end

local listener, lport = T.listen()
-- With a LuaSec client, both ends' info() must agree on LuaSec's fields.
for _, pair in ipairs {
  { "sectrans client, LuaSec server", true, "any" },
  { "LuaSec client, sectrans server", false, "any" },
  { "LuaSec TLS 1.2 client, sectrans server", false, "tlsv1_2" },
} do
  local name, sectrans_client = pair[1], pair[2]
  luasec_client.protocol = pair[3]
  local a, b = T.tcp_pair(listener, lport)
  local client, server
  if sectrans_client then
    client = assert(sectrans.wrap(a, T.client_params()))
    client:sni("localhost")
    server = assert(ssl.wrap(b, luasec_server))
  else
    client = assert(ssl.wrap(a, luasec_client))
    server = assert(sectrans.wrap(b, T.server_params()))
  end
  T.ok(handshake_both(client, server), name .. ": handshake")
  if not sectrans_client then
    local theirs, ours = client:info(), server:info()
    for _, field in ipairs {
      "protocol",
      "cipher",
      "bits",
      "algbits",
      "key",
      "authentication",
      "encryption",
      "mac",
      "export",
    } do
      T.eq(
        ours[field],
        theirs[field],
        name .. ": info()." .. field .. " as LuaSec's"
      )
    end
  end
  client:settimeout(10)
  server:settimeout(10)
  T.eq(client:send("ping from client\n"), 17, name .. ": client sends")
  T.eq(server:receive("*l"), "ping from client", name .. ": server reads")
  T.eq(server:send("pong\n"), 5, name .. ": server sends")
  T.eq(client:receive("*l"), "pong", name .. ": client reads")
  client:close()
  server:close()
end
T.done()
