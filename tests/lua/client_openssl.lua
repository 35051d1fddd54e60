-- A sectrans client (wrap over a LuaSocket TCP object) against
-- `openssl s_server -rev` on PORT, verifying with the test CA.
-- TLS_VERSION: the version the server is pinned to ("TLSv1.2"/"TLSv1.3").
local T = require "testlib"
local sectrans = require "sectrans"

local version = T.env("TLS_VERSION")
local protocol = version == "TLSv1.2" and "tlsv1_2" or "any"
local sock = T.connect(T.env("PORT"))
local conn =
  assert(sectrans.wrap(sock, T.client_params { protocol = protocol }))
T.eq(sock:getfd(), -1, "wrap takes the descriptor over (as LuaSec does)")
T.ok(conn:getfd() >= 0, "the connection owns it")
conn:sni("localhost")
conn:settimeout(10)
T.eq(conn:dohandshake(), true, "handshake with openssl s_server")
T.eq(conn:dohandshake(), true, "dohandshake after success is a no-op")

local info = conn:info()
T.eq(info.protocol, version, "info().protocol")
T.match(
  info.cipher,
  version == "TLSv1.2" and "^ECDHE%-ECDSA%-" or "^TLS_",
  "info().cipher uses LuaSec's (OpenSSL's) names"
)
T.ok(info.bits >= 128, "info().bits", info.bits)
T.eq(info.group, "X25519", "info().group")
T.eq(info.resumed, false, "info().resumed")
T.eq(conn:info("protocol"), version, "info(field)")
T.eq(conn:getpeerverification(), true, "getpeerverification()")
T.eq(conn:getalpn(), nil, "no ALPN offered")

-- -rev answers each line reversed.
T.eq(conn:send("hello sectrans\n"), 15, "send returns the last index")
T.eq(conn:receive("*l"), "snartces olleh", "receive *l")
T.eq(conn:send("xxabcdef\nxx", 3, 9), 9, "send(data, i, j)")
T.eq(conn:receive(7, "<"), "<fedcba", "receive(n, prefix)")
T.eq(conn:receive(1), "\n", "the rest of the line")
local long = string.rep("0123456789", 800)
T.eq(conn:send(long .. "\n"), #long + 1, "an 8 KB line")
T.eq(conn:receive("*l"), long:reverse(), "the 8 KB line reversed")

T.eq(conn:close(), 1, "close()")
T.eq(conn:getfd(), -1, "no descriptor after close")
local data, err, partial = conn:receive()
T.eq(err, "closed", "receive after close")
T.eq(partial, "", "nothing partial")
T.done()
