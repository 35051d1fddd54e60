-- The memory transport: sectrans.newsession(ctx) with feed/take, driven
-- by hand, the way any event loop would. Both sides in this process.
local T = require "testlib"
local sectrans = require "sectrans"

local client_ctx = assert(sectrans.newcontext(T.client_params()))
local server_ctx = assert(sectrans.newcontext(T.server_params()))
local client = assert(sectrans.newsession(client_ctx))
local server = assert(sectrans.newsession(server_ctx))
client:sni("localhost")

-- First flight: the ClientHello waits in the session for take().
local ok, err = client:dohandshake()
T.eq(ok, false, "client handshake before any input")
T.eq(err, "wantwrite", "the ClientHello must be taken first")
T.ok(client:pending() > 0, "pending() counts the ClientHello")
T.eq(client:want(), "write", "want() after the first flight (LuaSec's words)")
local hello = client:take(10)
T.eq(#hello, 10, "take(max) returns at most max bytes")
hello = hello .. client:take()
T.eq(client:pending(), 0, "take() empties the queue")
ok, err = client:dohandshake()
T.eq(err, "wantread", "client waits for the ServerHello")
T.eq(client:want(), "read", "want() while waiting for input")
ok, err = server:dohandshake()
T.eq(err, "wantread", "server before the ClientHello")
assert(server:feed(hello))

local c_ok, c_err, s_ok, s_err = T.handshake_pair(client, server)
T.ok(c_ok and s_ok, "handshake over memory", c_err, s_err)
T.eq(client:info("protocol"), "TLSv1.3", "negotiated version")

-- Data both ways, with every receive pattern.
T.eq(
  client:send("line one\r\nline two\nrest"),
  23,
  "send returns the last index"
)
T.pump(client, server)
T.eq(server:receive("*l"), "line one", "*l strips CR LF")
T.eq(server:receive("l"), "line two", "l (5.4 style)")
T.ok(server:dirty() == true, "dirty() with buffered plaintext")
T.eq(server:receive(5, "pre"), "prere", "a count includes the prefix")
local data, rerr, partial = server:receive(10)
T.eq(data, nil, "short data")
T.eq(rerr, "wantread", "a memory session needs more input")
T.eq(partial, "st", "the partial data comes third")
T.eq(server:send("abcdef", 2, 4), 4, "send(data, i, j)")
T.eq(server:send("xyz", -2), 3, "negative i counts from the end")
T.eq(server:send("12", -10), 2, "i before the start means 1")
T.eq(server:send("345", 2, -10), 1, "an empty range sends nothing")
T.eq(server:send("678", 5), 4, "i past the end sends nothing")
T.pump(client, server)
T.eq(client:receive(7), "bcdyz12", "the slices arrived")
T.eq(client:dirty(), false, "and nothing else")

-- Close: close_notify travels through take(); the peer reads "closed".
T.eq(client:close(), 1, "close() returns 1")
T.eq(client:close(), 1, "close() twice")
T.pump(client, server)
data, rerr, partial = server:receive("*l")
T.eq(rerr, "closed", "close_notify reads as closed")
T.eq(partial, "", "nothing was pending")
data, rerr = client:send("late")
T.eq(rerr, "closed", "send after close")

-- *a reads until the peer closes, and the close is no error.
local c2, s2 = T.session_pair(client_ctx, server_ctx)
c2:send("all of it\n")
c2:close()
T.pump(c2, s2)
T.eq(s2:receive("*a"), "all of it\n", "*a returns everything up to the close")
T.eq(s2.getfd, nil, "sessions have no getfd")

-- A stream that ends without close_notify.
local c3, s3 = T.session_pair(client_ctx, server_ctx)
c3:send("cut")
T.pump(c3, s3)
assert(s3:feedeof())
data, rerr, partial = s3:receive("*l")
T.eq(rerr, "closed", "end of stream without close_notify")
T.eq(partial, "cut", "what came before the end")

-- Resumption: only with a peer ID (setpeerid), as in Secure Transport.
local function connect_with_id(id)
  local c = assert(sectrans.newsession(client_ctx))
  local s = assert(sectrans.newsession(server_ctx))
  c:sni("localhost")
  if id then
    c:setpeerid(id)
  end
  local c_ok, c_err, s_ok, s_err = T.handshake_pair(c, s)
  T.ok(c_ok and s_ok, "handshake", c_err, s_err)
  assert(s:send("ticket\n")) -- TLS 1.3 tickets arrive with the first read
  T.pump(c, s)
  T.eq(c:receive("*l"), "ticket", "first read")
  return c, s
end
local c4 = connect_with_id("localhost:443")
T.eq(c4:info("resumed"), false, "a first connection is full")
local c5, s5 = connect_with_id("localhost:443")
T.eq(c5:info("resumed"), true, "the same peer ID resumes")
T.eq(s5:info().resumed, true, "and the server agrees")
T.eq(connect_with_id(nil):info("resumed"), false, "no peer ID, no resumption")
T.raises("a peer ID is 1 to 1024 bytes", c5.setpeerid, c5, "")
T.raises("before the handshake", c5.setpeerid, c5, "other")

T.done()
