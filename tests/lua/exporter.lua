-- conn:exportkeyingmaterial(label, len [, context]) (1.1): against
-- `openssl s_server -keymatexport` on PORT (the script prints what it
-- exported, the test compares it with what the server printed), then a
-- memory pair (both sides agree) and the bad inputs.
-- TLS_VERSION: the version the server is pinned to ("TLSv1.2"/"TLSv1.3").
local T = require "testlib"
local sectrans = require "sectrans"

local LABEL = T.env("LABEL")
local version = T.env("TLS_VERSION")
local protocol = version == "TLSv1.2" and "tlsv1_2" or "any"

local function hex(s)
  return (
    s:gsub(".", function(c)
      return string.format("%02X", c:byte())
    end)
  )
end

local sock = T.connect(T.env("PORT"))
local conn =
  assert(sectrans.wrap(sock, T.client_params { protocol = protocol }))
conn:sni("localhost")
conn:settimeout(10)
T.eq(conn:dohandshake(), true, "handshake with openssl s_server")
T.eq(conn:info("protocol"), version, "the pinned version")
local km = conn:exportkeyingmaterial(LABEL, 40)
T.eq(#km, 40, "40 bytes exported")
print("exported " .. hex(km))
conn:close()
local none, err = conn:exportkeyingmaterial(LABEL, 40)
T.eq(none, nil, "nothing once closed")
T.eq(err, "closed", "closed")

-- A memory pair at the same version: both sides export the same bytes.
local client =
  assert(sectrans.newsession(T.client_params { protocol = protocol }))
local server = assert(sectrans.newsession(T.server_params()))
client:sni("localhost")
local early, early_err = client:exportkeyingmaterial(LABEL, 32)
T.eq(early, nil, "nothing before the handshake")
T.match(early_err, "not connected", "before the handshake: why")
local c_ok, c_err, s_ok, s_err = T.handshake_pair(client, server)
T.need(c_ok and s_ok, "memory handshake", c_err, s_err)
for _, args in ipairs {
  { LABEL, 32 },
  { LABEL, 32, "" },
  { LABEL, 64, "context" },
  { "", 0 },
  { string.rep("l", 249), 8160 },
} do
  local a = client:exportkeyingmaterial(table.unpack(args))
  T.eq(a, server:exportkeyingmaterial(table.unpack(args)), "both sides agree")
  T.eq(#a, args[2], "the length asked for")
end
local no_context = client:exportkeyingmaterial(LABEL, 32)
local empty = client:exportkeyingmaterial(LABEL, 32, "")
T.eq(no_context == empty, version == "TLSv1.3", "nil and empty context")

local function refused(part, ...)
  local v, why = client:exportkeyingmaterial(...)
  T.eq(v, nil, "refused: " .. part)
  T.match(why, part, "the message names the " .. part)
end
refused("label", string.rep("l", 250), 32)
refused("length", LABEL, 8161)
refused("length", LABEL, math.maxinteger)
refused("context", LABEL, 32, string.rep("c", 65536))
T.raises("negative length", client.exportkeyingmaterial, client, LABEL, -1)
T.raises("string expected", client.exportkeyingmaterial, client, nil, 1)
T.eq(#client:exportkeyingmaterial(LABEL, 16), 16, "still usable")
client:close()
server:close()
T.done()
