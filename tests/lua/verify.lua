-- Verification through the Lua binding, against `openssl s_server`s:
-- PORT_GOOD (valid leaf), PORT_WRONG_NAME, PORT_UNTRUSTED, PORT_EXPIRED.
-- A client verifies whenever it has a name and refuses to start without
-- one unless verify = "none".
local T = require "testlib"
local sectrans = require "sectrans"

local ctx = assert(sectrans.newcontext(T.client_params()))

local function handshake(port, name, context)
  local conn = assert(sectrans.wrap(T.connect(port), context or ctx))
  conn:settimeout(10)
  if name then
    conn:sni(name)
  end
  local ok, err = conn:dohandshake()
  return conn, ok, err
end

local failures = {
  { "PORT_WRONG_NAME", "errSSLHostNameMismatch", -9843 },
  { "PORT_UNTRUSTED", "errSSLUnknownRootCert", -9812 },
  { "PORT_EXPIRED", "errSSLCertExpired", -9814 },
}
for _, case in ipairs(failures) do
  local port, name, code = case[1], case[2], case[3]
  local conn, ok, err = handshake(T.env(port), "localhost")
  T.eq(ok, false, port .. ": the handshake fails")
  T.match(
    err,
    "^" .. name .. " %(%" .. code .. "%): .+",
    port .. ": the message names the status"
  )
  local verified, why = conn:getpeerverification()
  T.eq(verified, false, port .. ": getpeerverification")
  T.eq(why.name, name, port .. ": the reason's status name")
  T.eq(why.status, code, port .. ": the reason's status code")
  T.match(why[1], "%a", port .. ": the reason's text")
  ok, err = conn:dohandshake()
  T.match(err, "^" .. name, port .. ": a failed handshake stays failed")
  local data
  data, err = conn:send("x")
  T.match(err, "^" .. name, port .. ": send after the failure")
  conn:close()
end

-- No name: refused before a byte is sent.
local conn, ok, err = handshake(T.env("PORT_GOOD"), nil)
T.eq(ok, false, "a verifying client without a name")
T.match(err, "^errSSLBadConfiguration %(%-9848%)", "refused without a name")
conn:close()

-- servername in the params is the default name.
conn, ok, err = handshake(
  T.env("PORT_GOOD"),
  nil,
  assert(sectrans.newcontext(T.client_params { servername = "localhost" }))
)
T.ok(ok, "params.servername names the server", err)
T.eq(conn:getpeerverification(), true, "verified through servername")
conn:close()

-- verify = "none" is the one way to go without a name.
conn, ok, err = handshake(
  T.env("PORT_GOOD"),
  nil,
  assert(sectrans.newcontext { mode = "client", verify = "none" })
)
T.ok(ok, "verify = none connects without a name", err)
local verified, why = conn:getpeerverification()
T.eq(verified, false, "nothing was verified")
T.match(why[1], "not verified", "and getpeerverification says so")
conn:close()
T.done()
