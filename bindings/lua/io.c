/*
 * io.c: dohandshake, receive and send, with LuaSocket's timeouts and
 * return values, over the fd transport (wrap) or the memory transport
 * (newsession).
 *
 * Every operation is a loop around one core call: on SECTRANS_WOULD_BLOCK
 * the connection either waits with poll() for what sectrans_wants() names
 * (timeout nil, negative or positive) or returns "wantread"/"wantwrite" at
 * once (timeout 0, and always on a memory session), so a scheduler can
 * yield and call again. No Lua function is ever called from inside the
 * core: yielding happens in Lua, between calls.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "lsectrans.h"

/* Why an operation stopped: NULL (done), one of LuaSocket's words, or
 * FROM_STATUS (the message is made from io.status). */
static const char FROM_STATUS[] = "";

typedef struct io {
  lua_State *L; /* the calling state, the connection at index 1 */
  lsec_connection *c;
  sectrans_status status;
  const char *why;
} io;

double lsec_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds the next wait may take: -1 without bound, 0 none. */
static double time_left(const lsec_timeout *t) {
  if (t->total < 0)
    return t->block;
  double left = t->total - (lsec_now() - t->start);
  if (left < 0)
    left = 0;
  return (t->block >= 0 && t->block < left) ? t->block : left;
}

/* After SECTRANS_WOULD_BLOCK: NULL once the socket is ready for another
 * try, else the word the caller returns. */
static const char *wait_for_io(lsec_connection *c) {
  int wants = sectrans_wants(c->ctx);
  const char *want = (wants & SECTRANS_WANT_WRITE) ? "wantwrite" : "wantread";
  if (c->fd < 0)
    return want;
  double left = time_left(&c->timeout);
  if (left == 0)
    return (c->timeout.block == 0 || c->timeout.total == 0) ? want : "timeout";
  struct pollfd p = {c->fd, 0, 0};
  p.events = (wants & SECTRANS_WANT_WRITE ? POLLOUT : 0) |
             (wants & SECTRANS_WANT_READ || !wants ? POLLIN : 0);
  int ms = left < 0 ? -1 : (int)(left * 1000 + 0.999);
  int ready;
  do
    ready = poll(&p, 1, ms);
  while (ready < 0 && errno == EINTR);
  return ready == 0 ? "timeout" : NULL; /* poll errors: the core reports */
}

/* Handles the status of one core call. Returns 1 when the call should be
 * made again (after a wait), 0 when the operation is over (o->why says
 * why, NULL for success). */
static int again(io *o, sectrans_status st) {
  if (st == SECTRANS_SUCCESS)
    return 0;
  if (st == SECTRANS_WOULD_BLOCK)
    return (o->why = wait_for_io(o->c)) == NULL;
  o->status = st;
  o->why = (st == SECTRANS_CLOSED_GRACEFUL || st == SECTRANS_CLOSED_ABORT ||
            st == SECTRANS_CLOSED_NO_NOTIFY)
               ? "closed"
               : FROM_STATUS;
  return 0;
}

/* Starts an operation: NULL when the connection was closed. */
static io begin(lua_State *L) {
  io o = {L, lsec_check_connection(L, 1), SECTRANS_SUCCESS, NULL};
  o.c->timeout.start = lsec_now();
  if (o.c->ctx == NULL || o.c->closed)
    o.why = "closed";
  return o;
}

/* Pushes the reason an operation stopped. */
static void push_why(lua_State *L, const io *o) {
  if (o->why == FROM_STATUS)
    lsec_status_message(L, o->status, o->c->ctx);
  else
    lua_pushstring(L, o->why);
}

/* One handshake call; a ClientHello break (a server's sni table) chooses
 * the certificate and goes on. */
static sectrans_status handshake_step(io *o) {
  sectrans_status st = sectrans_handshake(o->c->ctx);
  while (st == SECTRANS_CLIENT_HELLO_RECEIVED) {
    st = lsec_choose_identity(o->L, o->c);
    if (st == SECTRANS_SUCCESS)
      st = sectrans_handshake(o->c->ctx);
  }
  return st;
}

/* Runs the handshake unless it is done; 1 when it is. */
static int handshake(io *o) {
  int state = SECTRANS_STATE_IDLE;
  if (o->why)
    return 0;
  if (o->c->first < o->c->last)
    return 1; /* plaintext is waiting, whatever came after it */
  sectrans_get_session_state(o->c->ctx, &state);
  if (state == SECTRANS_STATE_CONNECTED)
    return 1; /* closed and aborted ones answer with their status below */
  while (again(o, handshake_step(o)))
    ;
  return o->why == NULL;
}

/* conn:dohandshake() -> true, or false, "wantread" | "wantwrite" |
 * "timeout" | "closed" | message. Verification failures name their
 * status: "errSSLHostNameMismatch (-9843): ...". */
static int io_dohandshake(lua_State *L) {
  io o = begin(L);
  if (handshake(&o)) {
    lua_pushboolean(L, 1);
    return 1;
  }
  lua_pushboolean(L, 0);
  push_why(L, &o);
  return 2;
}

/* Makes sure plaintext is buffered: 1 when some is. */
static int fill(io *o) {
  lsec_connection *c = o->c;
  if (c->first < c->last)
    return 1;
  c->first = c->last = 0;
  for (;;) {
    size_t got = 0;
    sectrans_status st = sectrans_read(c->ctx, c->buffer, sizeof c->buffer,
                                       &got);
    if (got > 0) {
      c->last = got;
      return 1;
    }
    if (!again(o, st))
      return 0;
  }
}

static void consume(lsec_connection *c, luaL_Buffer *b, size_t n) {
  luaL_addlstring(b, (const char *)c->buffer + c->first, n);
  c->first += n;
}

/* "*l": up to the next LF, without it and without any CR (LuaSocket). */
static void receive_line(io *o, luaL_Buffer *b) {
  lsec_connection *c = o->c;
  while (fill(o)) {
    const unsigned char *p = c->buffer + c->first;
    size_t count = c->last - c->first, pos = 0;
    while (pos < count && p[pos] != '\n') {
      if (p[pos] != '\r')
        luaL_addchar(b, (char)p[pos]);
      pos++;
    }
    c->first += pos;
    if (pos < count) {
      c->first++; /* the LF */
      return;
    }
  }
}

/* "*a": everything until the peer closes; the close is not an error. */
static void receive_all(io *o, luaL_Buffer *b) {
  while (fill(o))
    consume(o->c, b, o->c->last - o->c->first);
  if (o->why && strcmp(o->why, "closed") == 0)
    o->why = NULL;
}

/* n bytes. Reads of a record or more skip the connection's buffer, up to
 * DIRECT_MAX at a time (the core returns at most one record per call). */
#define DIRECT_MAX (64 * 1024)
static void receive_count(io *o, luaL_Buffer *b, size_t wanted) {
  lsec_connection *c = o->c;
  while (wanted > 0) {
    if (c->first == c->last && wanted >= sizeof c->buffer) {
      size_t got = 0, chunk = wanted < DIRECT_MAX ? wanted : DIRECT_MAX;
      char *p = luaL_prepbuffsize(b, chunk);
      sectrans_status st = sectrans_read(c->ctx, p, chunk, &got);
      luaL_addsize(b, got);
      wanted -= got;
      if (got == 0 && !again(o, st))
        return;
      continue;
    }
    if (!fill(o))
      return;
    size_t n = c->last - c->first < wanted ? c->last - c->first : wanted;
    consume(c, b, n);
    wanted -= n;
  }
}

/* conn:receive([pattern [, prefix]]) -> data, or nil, err, partial.
 * pattern: "*l" / "l" (default), "*a" / "a", or a byte count (which
 * includes prefix, as in LuaSocket). */
static int io_receive(lua_State *L) {
  io o = begin(L);
  size_t prefix_len;
  const char *prefix = luaL_optlstring(L, 3, "", &prefix_len);
  int mode = 'n';
  lua_Number n = 0;
  if (lua_type(L, 2) == LUA_TNUMBER) {
    n = lua_tonumber(L, 2);
    luaL_argcheck(L, n >= 0 && n <= 0x1p53, 2, "invalid receive pattern");
  } else {
    const char *p = luaL_optstring(L, 2, "*l");
    mode = p[0] == '*' ? p[1] : p[0];
    luaL_argcheck(L, mode == 'l' || mode == 'a', 2, "invalid receive pattern");
  }
  lua_settop(L, 3);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addlstring(&b, prefix, prefix_len);
  if (handshake(&o)) {
    if (mode == 'l')
      receive_line(&o, &b);
    else if (mode == 'a')
      receive_all(&o, &b);
    else if ((size_t)n > prefix_len)
      receive_count(&o, &b, (size_t)n - prefix_len);
  }
  luaL_pushresult(&b);
  if (o.why == NULL)
    return 1;
  luaL_pushfail(L);
  push_why(L, &o);
  lua_rotate(L, -3, -1); /* nil, err, partial */
  return 3;
}

/* LuaSocket's index rules for send(data, i, j): a negative index counts
 * from the end; i is at least 1, j at most len. */
static lua_Integer from_end(lua_Integer k, size_t len) {
  return k < 0 ? (lua_Integer)len + k + 1 : k;
}

/* conn:send(data [, i [, j]]) -> index of the last byte sent, or nil,
 * err, last index sent. Bytes count as sent once the core took them; with
 * timeout 0, "wantwrite" may come with all of them taken but not yet on
 * the wire: call send again (an empty range only flushes). */
static int io_send(lua_State *L) {
  io o = begin(L);
  size_t len;
  const char *data = luaL_checklstring(L, 2, &len);
  lua_Integer i = luaL_optinteger(L, 3, 1), j = luaL_optinteger(L, 4, -1);
  i = from_end(i, len);
  j = from_end(j, len);
  if (i < 1)
    i = 1;
  if (j > (lua_Integer)len)
    j = (lua_Integer)len;
  size_t start = (size_t)(i - 1), size = j >= i ? (size_t)(j - i + 1) : 0;
  size_t sent = 0;
  if (handshake(&o)) {
    sectrans_status st;
    do {
      size_t processed = 0;
      st = sectrans_write(o.c->ctx, sent < size ? data + start + sent : NULL,
                          size - sent, &processed);
      sent += processed;
    } while (again(&o, st) || (o.why == NULL && sent < size));
  }
  if (o.why == NULL) {
    lua_pushinteger(L, (lua_Integer)(start + sent));
    return 1;
  }
  luaL_pushfail(L);
  push_why(L, &o);
  lua_pushinteger(L, (lua_Integer)(start + sent));
  return 3;
}

const luaL_Reg lsec_io_methods[] = {{"dohandshake", io_dohandshake},
                                    {"receive", io_receive},
                                    {"send", io_send},
                                    {NULL, NULL}};
