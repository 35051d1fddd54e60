-- Programming errors raise; network conditions and bad parameter values
-- return nil (or false), message. Timeouts follow LuaSocket.
local socket = require "socket"
local sectrans = require "sectrans"
local T = require "testlib"

local ctx = assert(sectrans.newcontext(T.client_params()))
local listener, port = T.listen()

-- Wrong types raise.
T.raises(
  "bad argument #1 to '[%w.]*newcontext' %(table expected",
  sectrans.newcontext,
  "client"
)
T.raises(
  "LuaSocket object or file descriptor expected",
  sectrans.wrap,
  true,
  ctx
)
T.raises("sectrans.Context expected", sectrans.wrap, T.connect(port), 42)
local conn = assert(sectrans.wrap(T.connect(port), ctx))
T.raises("invalid receive pattern", conn.receive, conn, "*x")
T.raises("invalid receive pattern", conn.receive, conn, -1)
T.raises("invalid receive pattern", conn.receive, conn, math.huge)
T.raises("invalid receive pattern", conn.receive, conn, 0 / 0)
T.raises("bad argument #2 .*%(string expected, got nil", conn.send, conn, nil)
T.raises("invalid timeout mode", conn.settimeout, conn, 1, "x")
T.raises("sectrans connection expected", conn.send, ctx, "x")
T.raises("sectrans.Session expected", sectrans.newsession(ctx).feed, conn, "x")
T.raises("not a valid host name", conn.sni, conn, string.rep("a", 300))
local server_conn = assert(sectrans.newsession(T.server_params()))
T.raises("table expected", server_conn.sni, server_conn, "localhost") -- a server takes {name = ctx}

-- Bad values return nil, message.
local function refused(params, pattern, what)
  local c, err = sectrans.newcontext(params)
  T.eq(c, nil, what)
  T.match(err, pattern, what .. ": message")
end
refused(
  T.server_params { certificate = "/nonexistent.pem" },
  "cannot read certificate file '/nonexistent.pem'",
  "a missing file"
)
refused(
  T.server_params { key = T.env("OTHER_KEY_FILE") },
  "^certificate and key: errSSLBadCert",
  "a key that does not match"
)
refused(
  T.server_params { key = T.env("KEY_ENCRYPTED_FILE"), password = "wrong" },
  "errSecAuthFailed",
  "a wrong password"
)
refused(
  T.client_params { cafile = "/nonexistent.pem" },
  "cafile '/nonexistent.pem'",
  "a missing cafile"
)
refused(
  T.client_params { verify = { "peer", "none" } },
  "contradicts",
  "verify peer and none"
)
refused(
  T.client_params { verify = "bogus" },
  "invalid verify option %(bogus%)",
  "an unknown verify flag"
)
refused(
  T.client_params { ciphersuites = "TLS_FAKE" },
  "invalid ciphersuite",
  "an unknown TLS 1.3 suite"
)
refused(
  T.client_params { curve = "brainpool" },
  "invalid curve",
  "an unknown curve"
)
refused(
  T.client_params { verifyext = "lsec_continue" },
  "verifyext is not supported",
  "verifyext"
)
refused(
  T.client_params { options = { "no_tlsv1_2", "no_tlsv1_3" } },
  "exclude every protocol",
  "no versions left"
)
T.ok(
  sectrans.newcontext(T.server_params {
    key = T.env("KEY_ENCRYPTED_FILE"),
    password = T.env("KEY_PASSWORD"),
  }),
  "an encrypted key with its password"
)
T.ok(
  sectrans.newcontext(T.server_params {
    key = T.env("KEY_ENCRYPTED_FILE"),
    password = function()
      return T.env("KEY_PASSWORD")
    end,
  }),
  "a password function (LuaSec)"
)
T.ok(
  sectrans.newcontext(T.client_params { capath = T.env("CA_DIR") }),
  "capath"
)
local s, err = sectrans.newsession({ mode = "neither" })
T.eq(s, nil, "newsession with bad params")
T.match(err, "invalid mode", "says why")

-- Timeouts against a server that never answers (the listener's backlog
-- completes the TCP handshake; nobody reads).
conn:sni("localhost")
conn:settimeout(0)
local ok
ok, err = conn:dohandshake()
T.eq(err, "wantread", "settimeout(0): wantread at once")
conn:settimeout(0.05)
ok, err = conn:dohandshake()
T.eq(err, "timeout", "a block timeout expires")
conn:settimeout(-1)
conn:settimeout(0.05, "t")
ok, err = conn:dohandshake()
T.eq(err, "timeout", "a total timeout expires")
conn:close()

-- The peer goes away in the middle of the handshake.
local fresh, fresh_port = T.listen() -- the first one has a backlog
local a, b = T.tcp_pair(fresh, fresh_port)
conn = assert(sectrans.wrap(a, ctx))
conn:sni("localhost")
b:close()
conn:settimeout(5)
ok, err = conn:dohandshake()
T.eq(err, "closed", "the peer closed the TCP connection")
local data, partial
data, err, partial = conn:receive(10)
T.eq(err, "closed", "receive after that")
conn:close()

-- A LuaSocket object that is already closed.
local closed = T.connect(port)
closed:close()
local none
none, err = sectrans.wrap(closed, ctx)
T.eq(none, nil, "wrap of a closed socket")
T.eq(err, "closed", "answers closed")

-- A plain descriptor is borrowed: the socket keeps it after close().
local sock = T.connect(port)
conn = assert(sectrans.wrap(sock:getfd(), ctx))
T.eq(conn:getfd(), sock:getfd(), "the same descriptor")
conn:close()
T.eq(sock:send("still open"), 10, "the LuaSocket object still owns its fd")
sock:close()
T.done()
