-- testlib.lua: what the Lua test scripts share. Run by pytest
-- (tests/lua/test_lua_*.py) with LUA_CPATH pointing at <build>/lua and the
-- certificate files named in the environment (see tests/support/luarun.py).
--
-- A script calls T.ok / T.eq / T.match / T.raises for each check and
-- T.done() at the end. Each check prints one TAP line, "ok 12 - what" or
-- "not ok 12 - what" followed by "# " lines saying why and where; a failed
-- check does not stop the script, the next checks still run. T.need is the
-- check a script cannot go on without: when it fails, the script stops
-- there (an error, exit status 1). T.done() prints the plan "1..<n>" and
-- exits with status 1 when any check failed. luarun.py reports each check
-- as its own pytest result; a script that stops before its plan fails.

local socket = require "socket"
local sectrans = require "sectrans"

local T = { checks = 0, failed = 0 }

io.stdout:setvbuf("line") -- a crash loses no line; servers' lines arrive at once

--- Prints the TAP line of one check; for a failed one, why (detail) and
--- where (the caller's caller, level counted from report's caller).
local function report(passed, what, detail, level)
  T.checks = T.checks + 1
  what = tostring(what):gsub("%s+", " ")
  if passed then
    print(string.format("ok %d - %s", T.checks, what))
    return
  end
  T.failed = T.failed + 1
  print(string.format("not ok %d - %s", T.checks, what))
  print("# " .. tostring(detail):gsub("\n", "\n# "))
  local info = debug.getinfo(level + 1, "Sl")
  if info then
    print(string.format("# at %s:%d", info.short_src, info.currentline))
  end
end

--- The extra values of a failed check (the first two), for its message.
local function values(...)
  local a, b = ...
  return tostring(a) .. ", " .. tostring(b)
end

--- The value of environment variable name; fails when it is unset.
function T.env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    error("environment variable " .. name .. " is not set", 2)
  end
  return value
end

--- Checks that value is truthy; returns it. The extra arguments (up to
--- two) are shown when it fails.
function T.ok(value, what, ...)
  report(
    value,
    what,
    string.format("check failed: %s (%s)", what, values(...)),
    2
  )
  return value
end

--- Like T.ok, for a check the rest of the script depends on: when it
--- fails the script stops here (error, exit status 1, no plan).
function T.need(value, what, ...)
  report(
    value,
    what,
    string.format("check failed: %s (%s)", what, values(...)),
    2
  )
  if not value then
    error(string.format("stopping: %s failed (%s)", what, values(...)), 2)
  end
  return value
end

--- Checks that got == want.
function T.eq(got, want, what)
  report(
    got == want,
    what,
    string.format("%s: got %q, want %q", what, tostring(got), tostring(want)),
    2
  )
  return got
end

--- Checks that string s matches the Lua pattern.
function T.match(s, pattern, what)
  report(
    type(s) == "string" and s:match(pattern) ~= nil,
    what,
    string.format("%s: %q does not match %q", what, tostring(s), pattern),
    2
  )
  return s
end

--- Checks that f(...) raises an error whose message matches pattern.
function T.raises(pattern, f, ...)
  local ok, err = pcall(f, ...)
  report(
    not ok and tostring(err):match(pattern) ~= nil,
    string.format("raises %q", pattern),
    string.format(
      "expected an error matching %q, got %s",
      pattern,
      ok and "no error" or tostring(err)
    ),
    2
  )
end

--- Prints the plan "1..<n>"; exits with status 1 when any check failed.
function T.done()
  print(string.format("1..%d", T.checks))
  if T.failed > 0 then
    print(string.format("# %d of %d checks failed", T.failed, T.checks))
    os.exit(1)
  end
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
  local params = {
    mode = "client",
    protocol = "any",
    cafile = T.env("CA_FILE"),
    verify = "peer",
  }
  for k, v in pairs(extra or {}) do
    params[k] = v
  end
  return params
end

--- Server parameters presenting the leaf named by CERT_FILE / KEY_FILE.
function T.server_params(extra)
  local params = {
    mode = "server",
    protocol = "any",
    certificate = T.env("CERT_FILE"),
    key = T.env("KEY_FILE"),
  }
  for k, v in pairs(extra or {}) do
    params[k] = v
  end
  return params
end

--- Moves ciphertext between two memory sessions until neither has any;
--- returns the number of bytes moved.
function T.pump(a, b)
  local moved = 0
  repeat
    local ab, ba = a:take(), b:take()
    if #ab > 0 then
      assert(b:feed(ab))
    end
    if #ba > 0 then
      assert(a:feed(ba))
    end
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
    if c_ok and s_ok then
      break
    end
    if moved == 0 and not (c_err == "wantread" or s_err == "wantread") then
      break
    end
    if
      (not c_ok and c_err ~= "wantread" and c_err ~= "wantwrite")
      or (not s_ok and s_err ~= "wantread" and s_err ~= "wantwrite")
    then
      break
    end
  end
  return c_ok, c_err, s_ok, s_err
end

--- A connected, handshaken memory pair from client and server params.
function T.session_pair(client_params, server_params)
  local client = assert(sectrans.newsession(client_params))
  local server = assert(sectrans.newsession(server_params))
  client:sni("localhost")
  local c_ok, c_err, s_ok, s_err = T.handshake_pair(client, server)
  T.need(c_ok and s_ok, "memory handshake", c_err, s_err)
  return client, server
end

return T
