-- Certificate objects: what getpeercertificate / getpeerchain return, over
-- an in-process pair whose server presents LEAF (ECDSA P-256, with the
-- intermediate). Expected values come from the environment (computed in
-- Python from the same files).
local sectrans = require "sectrans"
local T = require "testlib"

local client, server = T.session_pair(T.client_params(), T.server_params())
local chain = T.ok(client:getpeerchain(), "getpeerchain()")
T.eq(#chain, 2, "the leaf and the intermediate")
local leaf = T.ok(client:getpeercertificate(), "getpeercertificate()")
T.ok(leaf == chain[1], "getpeercertificate() is the chain's first (__eq)")
T.ok(client:getpeercertificate(2) == chain[2], "getpeercertificate(2)")
T.eq(leaf == client, false, "a certificate is not equal to a connection")
T.eq(client:getpeercertificate(3), nil, "past the chain")
T.eq(server:getpeerchain(), nil, "the client sent no certificate")

local f = assert(io.open(T.env("LEAF_FILE"), "rb"))
local leaf_pem = f:read("a")
f:close()
T.eq(leaf:pem(), leaf_pem, "pem()")
T.ok(
  #leaf:der() > 100 and leaf:der():byte(1) == 0x30,
  "der() is a DER SEQUENCE"
)

local entries, text = leaf:subject()
T.eq(text, T.env("LEAF_SUBJECT"), "subject() text (RFC 2253)")
local by_name = {}
for _, e in ipairs(entries) do
  by_name[e.name] = e
end
T.eq(by_name.commonName.value, "sectrans test ecdsa_p256", "commonName value")
T.eq(by_name.commonName.oid, "2.5.4.3", "commonName oid")
T.eq(by_name.organizationName.value, "sectrans tests", "organizationName")
T.eq(entries[1].name, "organizationName", "entries in the certificate's order")
local _, issuer = leaf:issuer()
T.eq(issuer, T.env("LEAF_ISSUER"), "issuer()")

T.eq(leaf:digest(), T.env("LEAF_SHA256"), "digest() is SHA-256 hex")
T.eq(leaf:digest("sha256"), T.env("LEAF_SHA256"), "digest('sha256')")
local none, err = leaf:digest("sha1")
T.eq(none, nil, "an unsupported digest")
T.match(err, "unsupported digest algorithm %(sha1%)", "says which")

T.eq(leaf:notbefore(), T.env("LEAF_NOT_BEFORE"), "notbefore()")
T.eq(leaf:notafter(), T.env("LEAF_NOT_AFTER"), "notafter()")
T.eq(leaf:validat(os.time()), true, "valid now")
T.eq(leaf:validat(0), false, "not valid in 1970")

local san =
  T.ok(leaf:extensions()["2.5.29.17"], "extensions() has subjectAltName")
T.eq(san.name, "X509v3 Subject Alternative Name", "its name")
T.eq(san.dNSName[1], "localhost", "dNSName")
T.eq(san.iPAddress[1], "127.0.0.1", "iPAddress")
T.eq(next(chain[2]:extensions()), nil, "the intermediate has no SANs")

T.ok(sectrans.loadcertificate(leaf_pem) == leaf, "loadcertificate(pem)")
T.ok(sectrans.loadcertificate(leaf:der()) == leaf, "loadcertificate(der)")
none, err = sectrans.loadcertificate("not a certificate")
T.eq(none, nil, "loadcertificate of junk")
T.match(err, "^errSecDecode", "names the failure")
T.match(
  tostring(leaf),
  "^sectrans.Certificate %(CN=sectrans test ecdsa_p256",
  "__tostring"
)

-- A certificate outlives its connection.
client:close()
client, server = nil, nil
collectgarbage()
collectgarbage()
T.eq(
  select(2, leaf:subject()),
  T.env("LEAF_SUBJECT"),
  "after the connection is gone"
)
T.done()
