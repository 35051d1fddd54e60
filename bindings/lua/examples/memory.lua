-- The memory transport: a client and a server session in one process,
-- the ciphertext moved by hand (as any event loop would).
--   lua5.4 memory.lua
local sectrans = require "sectrans"

-- Two sessions over memory: whatever take() returns goes to the peer's feed().
local client =
  assert(sectrans.newsession { mode = "client", cafile = "cert.pem" })
local server = assert(sectrans.newsession {
  mode = "server",
  certificate = "cert.pem",
  key = "key.pem",
})
client:sni("localhost")
local function pump()
  server:feed(client:take())
  client:feed(server:take())
end
repeat
  local client_done = client:dohandshake()
  local server_done = server:dohandshake()
  pump()
until client_done and server_done
client:send("hello over memory\n")
pump()
print(server:receive("*l"), server:info("protocol"))
