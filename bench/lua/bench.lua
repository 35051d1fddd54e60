-- bench.lua: sectrans against LuaSec over loopback TCP, both sides in this
-- one Lua process, the same Lua code driving each library (their APIs are
-- the same shape). Interleaved A/B pairs; the order alternates per pair.
--
-- Environment: CA_FILE, CERT_FILE, KEY_FILE (ECDSA P-256 leaf + chain),
-- PAIRS (default 15), BULK_MB (default 64), HANDSHAKES (default 200),
-- OUT (the JSON file to write). Run through bench/lua/run.sh.
local socket = require "socket"
local ssl = require "ssl"
local sectrans = require "sectrans"

local PAIRS = tonumber(os.getenv("PAIRS") or "15")
local BULK_MB = tonumber(os.getenv("BULK_MB") or "64")
local HANDSHAKES = tonumber(os.getenv("HANDSHAKES") or "200")
local CHUNK = 16384

local ca, cert, key =
  os.getenv("CA_FILE"), os.getenv("CERT_FILE"), os.getenv("KEY_FILE")
-- One suite for both (BoringSSL would pick it anyway; OpenSSL prefers
-- AES-256): the design's "same cipher" rule.
local client_params = {
  mode = "client",
  protocol = "tlsv1_3",
  cafile = ca,
  verify = "peer",
  ciphersuites = "TLS_AES_128_GCM_SHA256",
}
local server_params =
  { mode = "server", protocol = "tlsv1_3", certificate = cert, key = key }

-- Each library: a client and a server context, and how to wrap a socket.
local libraries = {
  sectrans = {
    client = assert(sectrans.newcontext(client_params)),
    server = assert(sectrans.newcontext(server_params)),
    wrap = sectrans.wrap,
    name = true,
  },
  luasec = {
    client = assert(ssl.newcontext(client_params)),
    server = assert(ssl.newcontext(server_params)),
    wrap = ssl.wrap,
  },
}

local listener = assert(socket.bind("127.0.0.1", 0))
local _, port = listener:getsockname()

local function now()
  return socket.gettime()
end

local function tcp_pair()
  local a = assert(socket.tcp())
  a:setoption("tcp-nodelay", true)
  assert(a:connect("127.0.0.1", port))
  local b = assert(listener:accept())
  b:setoption("tcp-nodelay", true)
  return a, b
end

-- A connected, handshaken pair of one library, both non-blocking.
local function connect(lib)
  local a, b = tcp_pair()
  local c = assert(lib.wrap(a, lib.client))
  local s = assert(lib.wrap(b, lib.server))
  if lib.name then
    c:sni("localhost")
  end
  c:settimeout(0)
  s:settimeout(0)
  while true do
    local c_ok, c_err = c:dohandshake()
    local s_ok, s_err = s:dohandshake()
    if c_ok and s_ok then
      assert(c:info("cipher") == "TLS_AES_128_GCM_SHA256", c:info("cipher"))
      return c, s
    end
    assert(c_ok or c_err == "wantread" or c_err == "wantwrite", c_err)
    assert(s_ok or s_err == "wantread" or s_err == "wantwrite", s_err)
    if not (c_ok or s_ok) then
      socket.select({ c, s }, nil, 1)
    end
  end
end

-- Handshakes per second: new TCP connection, full handshake, close.
local function handshakes(lib)
  local start = now()
  for _ = 1, HANDSHAKES do
    local c, s = connect(lib)
    c:close()
    s:close()
  end
  return HANDSHAKES / (now() - start)
end

-- MB/s of application data, client to server, 16 KB writes and reads.
local function bulk(lib)
  local c, s = connect(lib)
  local chunk = string.rep("x", CHUNK)
  local total = BULK_MB * 1024 * 1024
  local sent, received, last = 0, 0, 0
  local partial = ""
  local start = now()
  while received < total do
    if sent < total then
      local n, err, lastsent = c:send(chunk, last + 1)
      if n then
        sent, last = sent + CHUNK, 0
      else
        last = lastsent
      end
    end
    local data, err
    data, err, partial = s:receive(CHUNK, partial)
    if data then
      received, partial = received + #data, ""
    end
    if not data and sent >= total then
      socket.select({ s }, nil, 1)
    end
  end
  local elapsed = now() - start
  c:close()
  s:close()
  return total / (1024 * 1024) / elapsed
end

local function median(list)
  local t = { table.unpack(list) }
  table.sort(t)
  local n = #t
  return n % 2 == 1 and t[(n + 1) // 2] or (t[n // 2] + t[n // 2 + 1]) / 2
end

local function run(scenario, unit, measure)
  local subject, baseline, ratios = {}, {}, {}
  measure(libraries.sectrans) -- warm-up, both
  measure(libraries.luasec)
  for pair = 1, PAIRS do
    local a, b
    if pair % 2 == 1 then
      a = measure(libraries.sectrans)
      b = measure(libraries.luasec)
    else
      b = measure(libraries.luasec)
      a = measure(libraries.sectrans)
    end
    subject[#subject + 1], baseline[#baseline + 1], ratios[#ratios + 1] =
      a, b, a / b
  end
  table.sort(ratios)
  local r = {
    scenario = scenario,
    subject = "sectrans",
    baseline = "luasec",
    unit = unit,
    subject_median = median(subject),
    baseline_median = median(baseline),
    ratio_median = median(ratios),
    ratio_min = ratios[1],
    ratio_max = ratios[#ratios],
    pairs = PAIRS,
    protocol = "TLSv1.3",
    group = "X25519",
    cipher = "TLS_AES_128_GCM_SHA256",
    certificate = "ECDSA P-256 leaf + intermediate",
    transport = "loopback TCP, client and server in one Lua process",
  }
  io.stderr:write(
    string.format(
      "%-14s sectrans %.1f %s, luasec %.1f %s, ratio %.2f (min %.2f, max %.2f)\n",
      scenario,
      r.subject_median,
      unit,
      r.baseline_median,
      unit,
      r.ratio_median,
      r.ratio_min,
      r.ratio_max
    )
  )
  return r
end

-- A JSON value (numbers, strings, flat tables) in the design's shape.
local function json(value, indent)
  indent = indent or ""
  if type(value) == "number" then
    return math.type(value) == "integer" and tostring(value)
      or string.format("%.4f", value)
  elseif type(value) == "string" then
    return '"'
      .. value:gsub('[%c"\\]', function(c)
        return string.format("\\u%04x", c:byte())
      end)
      .. '"'
  elseif value[1] ~= nil or next(value) == nil then
    local items = {}
    for _, v in ipairs(value) do
      items[#items + 1] = indent .. "  " .. json(v, indent .. "  ")
    end
    return "[\n" .. table.concat(items, ",\n") .. "\n" .. indent .. "]"
  end
  local keys = {}
  for k in pairs(value) do
    keys[#keys + 1] = k
  end
  table.sort(keys)
  local items = {}
  for _, k in ipairs(keys) do
    items[#items + 1] = indent
      .. "  "
      .. json(k)
      .. ": "
      .. json(value[k], indent .. "  ")
  end
  return "{\n" .. table.concat(items, ",\n") .. "\n" .. indent .. "}"
end

local results = {
  run("bulk-16k", "MB/s", bulk),
  run("handshake", "handshakes/s", handshakes),
}
local out = assert(io.open(assert(os.getenv("OUT"), "OUT is not set"), "w"))
out:write(
  json {
    suite = "lua",
    date = os.date("!%Y-%m-%dT%H:%M:%SZ"),
    machine = os.getenv("MACHINE") or "unknown",
    results = results,
  },
  "\n"
)
out:close()
