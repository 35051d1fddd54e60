-- Parameter tables copied from LuaSec's own documentation: its samples
-- (samples/want, samples/alpn, samples/ecdh, samples/multicert in
-- lunarmodules/luasec) and the client/server tables of its reference's
-- introduction, unchanged except for the certificate file names, give
-- working contexts. The one line sectrans adds is conn:sni(name): a
-- verifying client needs the server's name. The reference's tables name
-- protocol "tlsv1" (TLS 1.0), which sectrans refuses with a message; with
-- the samples' "tlsv1_2" they work.
local sectrans = require "sectrans"
local T = require "testlib"

local ca = T.env("CA_FILE")
local client_cert, client_key =
  T.env("CLIENT_CERT_FILE"), T.env("CLIENT_KEY_FILE")
local server_cert, server_key = T.env("CERT_FILE"), T.env("KEY_FILE")
local rsa_cert, rsa_key = T.env("RSA_CERT_FILE"), T.env("RSA_KEY_FILE")

-- samples/want/client.lua
local want_client = {
  mode = "client",
  protocol = "tlsv1_2",
  key = client_key,
  certificate = client_cert,
  cafile = ca,
  verify = { "peer", "fail_if_no_peer_cert" },
  options = "all",
}

-- samples/alpn/server.lua
local alpn_server = {
  mode = "server",
  protocol = "any",
  key = server_key,
  certificate = server_cert,
  cafile = ca,
  verify = { "peer", "fail_if_no_peer_cert" },
  options = "all",
  --alpn = alpncb01,
  --alpn = alpncb02,
  --alpn = alpncb03,
  alpn = { "bar", "baz", "foo" },
}

-- samples/ecdh/client.lua
local ecdh_client = {
  mode = "client",
  protocol = "tlsv1_2",
  key = client_key,
  certificate = client_cert,
  cafile = ca,
  verify = { "peer", "fail_if_no_peer_cert" },
  options = "all",
  --
  curve = "secp384r1",
}

-- samples/multicert/client-rsa.lua
local multicert_client_rsa = {
  mode = "client",
  protocol = "tlsv1_2",
  key = client_key,
  certificate = client_cert,
  verify = "none",
  options = "all",
  ciphers = "ALL:!ECDSA",
}

-- samples/multicert/client-ecdsa.lua
local multicert_client_ecdsa = {
  mode = "client",
  protocol = "tlsv1_2",
  key = client_key,
  certificate = client_cert,
  verify = "none",
  options = "all",
  ciphers = "ALL:!aRSA",
}

-- The reference's introduction: "Client parameters"
local reference_client = {
  mode = "client",
  protocol = "tlsv1",
  key = client_key,
  certificate = client_cert,
  cafile = ca,
  verify = "peer",
  options = "all",
}

-- The reference's introduction: "Server parameters"
local reference_server = {
  mode = "server",
  protocol = "tlsv1",
  key = server_key,
  certificate = server_cert,
  cafile = ca,
  verify = { "peer", "fail_if_no_peer_cert" },
  options = { "all", "no_sslv2" },
  ciphers = "ALL:!ADH:@STRENGTH",
}

local rsa_server = {
  mode = "server",
  protocol = "any",
  key = rsa_key,
  certificate = rsa_cert,
}

local function connect(client_params, server_params)
  local client = assert(sectrans.newsession(client_params))
  local server = assert(sectrans.newsession(server_params))
  client:sni("localhost")
  local c_ok, c_err, s_ok, s_err = T.handshake_pair(client, server)
  return client,
    server,
    c_ok and s_ok,
    tostring(c_err) .. " / " .. tostring(s_err)
end

local client, server, ok, err = connect(want_client, alpn_server)
T.ok(ok, "want client with alpn server", err)
T.eq(client:info("protocol"), "TLSv1.2", "protocol = tlsv1_2 pins TLS 1.2")
local _, subject = server:getpeercertificate():subject()
T.match(
  subject,
  "CN=sectrans test client",
  "the client certificate was required and sent"
)
T.eq(server:getpeerverification(), true, "and verified against cafile")

client, server, ok, err = connect(ecdh_client, alpn_server)
T.ok(ok, "ecdh client with alpn server", err)
T.eq(client:info("protocol"), "TLSv1.2", "ecdh client protocol")

client, server, ok, err = connect(multicert_client_rsa, rsa_server)
T.ok(ok, "multicert RSA client with an RSA server", err)
T.match(client:info("cipher"), "^ECDHE%-RSA%-", "an RSA suite")

client, server, ok, err = connect(multicert_client_ecdsa, {
  mode = "server",
  protocol = "any",
  key = server_key,
  certificate = server_cert,
})
T.ok(ok, "multicert ECDSA client with an ECDSA server", err)
T.match(client:info("cipher"), "^ECDHE%-ECDSA%-", "an ECDSA suite")

for _, params in ipairs { reference_client, reference_server } do
  local ctx, why = sectrans.newcontext(params)
  T.eq(ctx, nil, params.mode .. ": protocol tlsv1 (TLS 1.0) is refused")
  T.match(
    why,
    "protocol 'tlsv1' is not supported",
    params.mode .. ": with a message"
  )
  params.protocol = "tlsv1_2"
end
client, server, ok, err = connect(reference_client, reference_server)
T.ok(ok, "the reference's tables with protocol tlsv1_2", err)
T.eq(server:getpeerverification(), true, "the client certificate was verified")
T.eq(client:getpeerverification(), true, "the server certificate was verified")

-- The server table of samples/alpn requires a client certificate.
local plain_client =
  { mode = "client", protocol = "any", cafile = ca, verify = "peer" }
client, server, ok = connect(plain_client, alpn_server)
T.eq(ok, false, "fail_if_no_peer_cert refuses a client without a certificate")
T.done()
