-- ALPN: a client's list (string or table) against `openssl s_server -alpn
-- http/1.1` on PORT_ALPN, and the server side over an in-process pair.
local T = require "testlib"
local sectrans = require "sectrans"

local conn = assert(
  sectrans.wrap(
    T.connect(T.env("PORT_ALPN")),
    T.client_params { alpn = { "h2", "http/1.1" } }
  )
)
conn:sni("localhost")
conn:settimeout(10)
T.eq(conn:dohandshake(), true, "handshake offering ALPN")
T.eq(conn:getalpn(), "http/1.1", "openssl chose http/1.1")
conn:close()

local server_params = T.server_params { alpn = { "h2", "http/1.1" } }
local client, server =
  T.session_pair(T.client_params { alpn = { "http/1.1", "h2" } }, server_params)
T.eq(
  server:getalpn(),
  "h2",
  "the server picks its first protocol the client offers"
)
T.eq(client:getalpn(), "h2", "the client sees the same")

client, server =
  T.session_pair(T.client_params { alpn = "http/1.1" }, server_params)
T.eq(client:getalpn(), "http/1.1", "a client's alpn may be one string")

client, server =
  T.session_pair(T.client_params { alpn = { "spdy/3" } }, server_params)
T.eq(client:getalpn(), nil, "no common protocol: no ALPN, no failure")

local ctx, err = sectrans.newcontext(T.client_params { alpn = { "" } })
T.eq(ctx, nil, "an empty protocol name")
T.match(err, "invalid ALPN", "is refused with a message")
ctx, err = sectrans.newcontext(T.server_params {
  alpn = function()
    return "h2"
  end,
})
T.eq(ctx, nil, "a selection function")
T.match(
  err,
  "selection functions are not supported",
  "is refused with a message"
)
T.done()
