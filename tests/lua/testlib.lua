-- testlib.lua: what the Lua test scripts share. Run by pytest
-- (tests/test_lua_*.py) with LUA_CPATH pointing at <build>/lua and the
-- certificate files named in the environment (see tests/lua/luarun.py).
--
-- A script calls T.ok / T.eq / T.match for each check and T.done() at the
-- end, which prints "ok: <n> checks"; any failed check raises, so lua5.4
-- exits with status 1 and a traceback.

local socket = require "socket"
local sectrans = require "sectrans"

local T = {checks = 0}

--- The value of environment variable name; fails when it is unset.
function T.env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    error("environment variable " .. name .. " is not set", 2)
  end
  return value
end

--- Checks that value is truthy; returns it.
function T.ok(value, what, ...)
  T.checks = T.checks + 1
  if not value then
    error(string.format("check failed: %s (%s)", what,
                        table.concat({tostring(select(1, ...)), tostring(select(2, ...))}, ", ")), 2)
  end
  return value
end

--- Checks that got == want.
function T.eq(got, want, what)
  T.checks = T.checks + 1
  if got ~= want then
    error(string.format("%s: got %q, want %q", what, tostring(got), tostring(want)), 2)
  end
  return got
end

--- Checks that string s matches the Lua pattern.
function T.match(s, pattern, what)
  T.checks = T.checks + 1
  if type(s) ~= "string" or not s:match(pattern) then
    error(string.format("%s: %q does not match %q", what, tostring(s), pattern), 2)
  end
  return s
end

--- Checks that f(...) raises an error whose message matches pattern.
function T.raises(pattern, f, ...)
  T.checks = T.checks + 1
  local ok, err = pcall(f, ...)
  if ok or not tostring(err):match(pattern) then
    error(string.format("expected an error matching %q, got %s", pattern,
                        ok and "no error" or tostring(err)), 2)
  end
end

--- Prints the summary line pytest looks for.
function T.done()
  print(string.format("ok: %d checks", T.checks))
end

--- A TCP connection to 127.0.0.1:port (blocking, with a 10 s timeout).
function T.connect(port)
  local sock = assert(socket.tcp())
  sock:settimeout(10)
  assert(sock:connect("127.0.0.1", tonumber(port)))
  return sock
end

--- A listening LuaSocket server on 127.0.0.1 and its port.
function T.listen()
  local server = assert(socket.bind("127.0.0.1", 0))
  server:settimeout(10)
  local _, port = server:getsockname()
  return server, tonumber(port)
end

--- A connected pair (client socket, accepted server socket) over loopback.
function T.tcp_pair(server, port)
  local client = T.connect(port)
  local accepted = assert(server:accept())
  return client, accepted
end

--- Client parameters that trust the test CA (LuaSec's shape).
function T.client_params(extra)
  local params = {mode = "client", protocol = "any", cafile = T.env("CA_FILE"),
                  verify = "peer"}
  for k, v in pairs(extra or {}) do params[k] = v end
  return params
end

--- Server parameters presenting the leaf named by CERT_FILE / KEY_FILE.
function T.server_params(extra)
  local params = {mode = "server", protocol = "any",
                  certificate = T.env("CERT_FILE"), key = T.env("KEY_FILE")}
  for k, v in pairs(extra or {}) do params[k] = v end
  return params
end

--- Moves ciphertext between two memory sessions until neither has any;
--- returns the number of bytes moved.
function T.pump(a, b)
  local moved = 0
  repeat
    local ab, ba = a:take(), b:take()
    if #ab > 0 then assert(b:feed(ab)) end
    if #ba > 0 then assert(a:feed(ba)) end
    moved = moved + #ab + #ba
  until #ab == 0 and #ba == 0
  return moved
end

--- Runs both handshakes of a memory pair; returns the results of the
--- client's and the server's last dohandshake().
function T.handshake_pair(client, server)
  local c_ok, c_err, s_ok, s_err
  for _ = 1, 20 do
    c_ok, c_err = client:dohandshake()
    s_ok, s_err = server:dohandshake()
    local moved = T.pump(client, server)
    if c_ok and s_ok then break end
    if moved == 0 and not (c_err == "wantread" or s_err == "wantread") then break end
    if (not c_ok and c_err ~= "wantread" and c_err ~= "wantwrite") or
       (not s_ok and s_err ~= "wantread" and s_err ~= "wantwrite") then break end
  end
  return c_ok, c_err, s_ok, s_err
end

--- A connected, handshaken memory pair from client and server params.
function T.session_pair(client_params, server_params)
  local client = assert(sectrans.newsession(client_params))
  local server = assert(sectrans.newsession(server_params))
  client:sni("localhost")
  local c_ok, c_err, s_ok, s_err = T.handshake_pair(client, server)
  T.ok(c_ok and s_ok, "memory handshake", c_err, s_err)
  return client, server
end

return T
