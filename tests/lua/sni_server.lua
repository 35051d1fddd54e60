-- A server's sni table (LuaSec's conn:sni({name = ctx}, strict)): the
-- certificate follows the name the client asks for. Over in-process
-- memory pairs; CERT_FILE/KEY_FILE is the default (localhost) identity,
-- OTHER_CERT_FILE/OTHER_KEY_FILE one for other.example.
local sectrans = require "sectrans"
local T = require "testlib"

local default_ctx = assert(sectrans.newcontext(T.server_params()))
local other_ctx = assert(sectrans.newcontext(T.server_params {
  certificate = T.env("OTHER_CERT_FILE"),
  key = T.env("OTHER_KEY_FILE"),
}))
local client_ctx = assert(sectrans.newcontext(T.client_params()))
local names = { ["other.example"] = other_ctx, localhost = default_ctx }

-- A handshake of a client asking for name with a server using names.
local function connect(name, strict)
  local client = assert(sectrans.newsession(client_ctx))
  local server = assert(sectrans.newsession(default_ctx))
  client:sni(name)
  server:sni(names, strict)
  local c_ok, c_err, s_ok, s_err = T.handshake_pair(client, server)
  return client, server, c_ok and s_ok, c_err, s_err
end

local client, server, ok, c_err, s_err = connect("other.example")
T.ok(ok, "other.example", c_err, s_err)
T.eq(server:getsniname(), "other.example", "the server saw the name")
T.eq(
  client:getpeercertificate():extensions()["2.5.29.17"].dNSName[1],
  "other.example",
  "and presented other.example's certificate"
)

client, server, ok, c_err, s_err = connect("localhost", true)
T.ok(ok, "localhost, strict", c_err, s_err)
T.eq(
  client:getpeercertificate():extensions()["2.5.29.17"].dNSName[1],
  "localhost",
  "localhost's certificate"
)

client, server, ok, c_err, s_err = connect("unknown.example")
T.eq(ok, false, "a name not in the table gets the default certificate")
T.match(c_err, "^errSSLHostNameMismatch", "which the client refuses")

client, server, ok, c_err, s_err = connect("unknown.example", true)
T.eq(ok, false, "strict: a name not in the table")
T.match(
  s_err,
  "^errSSLUnrecognizedName %(%-9865%)",
  "ends the server's handshake"
)
T.match(select(2, server:dohandshake()), "%-9865", "for good")

-- Programming errors raise.
client, server = connect("localhost")
T.raises("sni must be called before the handshake", server.sni, server, names)
T.raises(
  "sni must be called before the handshake",
  client.sni,
  client,
  "localhost"
)
local s = assert(sectrans.newsession(default_ctx))
T.raises(
  "expected {name = server context",
  s.sni,
  s,
  { localhost = client_ctx }
)
T.raises("expected {name = server context", s.sni, s, { "localhost" })
T.raises("table expected", s.sni, s, "localhost")
T.done()
