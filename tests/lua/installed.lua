-- Run from an install prefix (LUA_CPATH only, LD_LIBRARY_PATH unset):
-- require "sectrans" loads, finds libsectrans and BoringSSL, and a
-- handshake over memory works.
local sectrans = require "sectrans"
local T = require "testlib"

T.match(
  package.searchpath("sectrans", package.cpath),
  "/lib/lua/5%.4/sectrans%.so$",
  "the module comes from the prefix"
)
T.eq(sectrans._VERSION, sectrans.version(), "_VERSION")
local client, server = T.session_pair(T.client_params(), T.server_params())
T.eq(
  client:info("protocol"),
  "TLSv1.3",
  "a handshake from the installed module"
)
T.done()
