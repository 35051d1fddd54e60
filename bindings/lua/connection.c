/*
 * connection.c: the objects wrap() and newsession() return, their life
 * (close, __close and __gc are one idempotent destroy), and the methods
 * that only set or report state.
 *
 * wrap() takes the descriptor over from the LuaSocket object, as LuaSec
 * does (sock:getfd(), then sock:setfd(-1)): the connection closes it, and
 * the socket object left behind owns nothing, so the two can be collected
 * in any order. A plain integer fd is borrowed and never closed.
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "lsectrans.h"

/* The connection or session at idx; raises for anything else. */
lsec_connection *lsec_check_connection(lua_State *L, int idx) {
  lsec_connection *c = luaL_testudata(L, idx, LSEC_CONNECTION);
  if (c == NULL)
    c = luaL_testudata(L, idx, LSEC_SESSION);
  if (c == NULL)
    luaL_typeerror(L, idx, "sectrans connection");
  return c;
}

/* Sends close_notify once (without waiting), closes an owned fd and frees
 * the context. Safe to call any number of times. */
static void destroy(lsec_connection *c) {
  if (c->ctx) {
    if (!c->closed)
      sectrans_close(c->ctx);
    sectrans_context_release(c->ctx);
    c->ctx = NULL;
  }
  if (c->owns_fd && c->fd >= 0)
    close(c->fd);
  c->fd = -1;
  c->closed = 1;
}

/* __gc and __close: one idempotent destroy. */
static int connection_destroy(lua_State *L) {
  destroy(lsec_check_connection(L, 1));
  return 0;
}

/* conn:close() -> 1. Sends close_notify (one attempt, no waiting), closes
 * the socket and frees the session. A memory session keeps its context
 * until collected, so that :take() can still hand out the close_notify. */
static int connection_close(lua_State *L) {
  lsec_connection *c = lsec_check_connection(L, 1);
  if (!luaL_testudata(L, 1, LSEC_SESSION)) {
    destroy(c);
  } else if (c->ctx && !c->closed) {
    sectrans_close(c->ctx);
    c->closed = 1;
  }
  lua_pushinteger(L, 1);
  return 1;
}

/* Pushes the context userdata for a wrap/newsession argument: a context,
 * or a params table given to newcontext. Returns 0 (with fail, message
 * pushed) when the params are invalid. */
static lsec_context *context_argument(lua_State *L, int idx) {
  if (lua_istable(L, idx)) {
    lua_pushcfunction(L, lsec_newcontext);
    lua_pushvalue(L, idx);
    lua_call(L, 1, 2);
    if (lua_isnil(L, -2))
      return NULL;
    lua_pop(L, 1);
    return lua_touserdata(L, -1);
  }
  lsec_context *ctx = lsec_check_context(L, idx);
  lua_pushvalue(L, idx);
  return ctx;
}

/* A new connection object over a fresh context of ctx (on the stack top,
 * where it is replaced by the connection). Returns NULL with fail and a
 * message pushed. */
static lsec_connection *new_connection(lua_State *L, lsec_context *ctx,
                                       const char *type) {
  sectrans_context *session = NULL;
  sectrans_status st = sectrans_context_create_with_config(ctx->config,
                                                           &session);
  if (st != SECTRANS_SUCCESS) {
    lsec_push_status(L, st, NULL);
    return NULL;
  }
  if (lua_getiuservalue(L, -1, 1) == LUA_TSTRING &&
      ctx->side == SECTRANS_CLIENT) {
    size_t len;
    const char *name = lua_tolstring(L, -1, &len);
    sectrans_set_peer_domain_name(session, name, len);
  }
  lua_pop(L, 1);
  lsec_connection *c = lua_newuserdatauv(L, sizeof *c, LSEC_UV_COUNT);
  memset(c, 0, offsetof(lsec_connection, buffer));
  c->ctx = session;
  c->fd = -1;
  c->timeout.block = c->timeout.total = -1;
  luaL_setmetatable(L, type);
  lua_insert(L, -2);
  lua_setiuservalue(L, -2, LSEC_UV_CONTEXT);
  return c;
}

/* The descriptor of wrap's first argument: an integer (borrowed) or a
 * LuaSocket object (taken over). Returns -1 with a message pushed. */
static int take_fd(lua_State *L, int idx, int *owns) {
  if (lua_type(L, idx) == LUA_TNUMBER) {
    *owns = 0;
    return (int)luaL_checkinteger(L, idx); /* LuaSocket's getfd gives floats */
  }
  if ((!lua_isuserdata(L, idx) && !lua_istable(L, idx)) ||
      lua_getfield(L, idx, "getfd") != LUA_TFUNCTION)
    luaL_typeerror(L, idx, "LuaSocket object or file descriptor");
  lua_pushvalue(L, idx);
  lua_call(L, 1, 1);
  int fd = (int)luaL_optinteger(L, -1, -1);
  lua_pop(L, 1);
  if (fd >= 0 && lua_getfield(L, idx, "setfd") == LUA_TFUNCTION) {
    lua_pushvalue(L, idx);
    lua_pushinteger(L, -1);
    lua_call(L, 2, 0);
  } else if (fd >= 0) {
    lua_pop(L, 1);
  }
  *owns = 1;
  return fd;
}

/* sectrans.wrap(sock, ctx_or_params) -> conn, or nil, message. sock is a
 * connected LuaSocket TCP object (taken over) or a file descriptor. */
int lsec_wrap(lua_State *L) {
  lsec_context *ctx = context_argument(L, 2);
  if (ctx == NULL)
    return 2;
  lsec_connection *c = new_connection(L, ctx, LSEC_CONNECTION);
  if (c == NULL)
    return 2;
  int owns = 0;
  int fd = take_fd(L, 1, &owns);
  if (fd < 0) {
    luaL_pushfail(L);
    lua_pushliteral(L, "closed");
    return 2;
  }
  c->fd = fd;
  c->owns_fd = owns;
  /* LuaSocket's descriptors are non-blocking already; a bare fd becomes so,
   * since timeouts are waited out with poll(). */
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0)
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  sectrans_status st = sectrans_set_fd(c->ctx, fd);
  if (st != SECTRANS_SUCCESS) {
    lsec_push_status(L, st, c->ctx);
    destroy(c);
    return 2;
  }
  return 1;
}

/* sectrans.newsession(ctx_or_params) -> session: the same connection over
 * the memory transport, for any event loop (feed, take). */
int lsec_newsession(lua_State *L) {
  lsec_context *ctx = context_argument(L, 1);
  if (ctx == NULL)
    return 2;
  return new_connection(L, ctx, LSEC_SESSION) ? 1 : 2;
}

/* The side (SECTRANS_CLIENT or SECTRANS_SERVER) of the connection at 1. */
static int connection_side(lua_State *L) {
  lua_getiuservalue(L, 1, LSEC_UV_CONTEXT);
  lsec_context *ctx = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return ctx ? ctx->side : SECTRANS_CLIENT;
}

/* Raises when a setter failed: -50 means a bad argument 2 (bad says
 * why), anything else that method came after the handshake started. */
static int check_setter(lua_State *L, sectrans_status st, const char *bad,
                        const char *method) {
  if (st == SECTRANS_ERR_PARAM)
    return luaL_argerror(L, 2, bad);
  if (st != SECTRANS_SUCCESS)
    return luaL_error(L, "%s must be called before the handshake", method);
  return 0;
}

/* Client: the name, as in conn:sni(name). */
static int client_sni(lua_State *L, lsec_connection *c) {
  size_t len;
  const char *name = luaL_checklstring(L, 2, &len);
  return check_setter(L, sectrans_set_peer_domain_name(c->ctx, name, len),
                      "not a valid host name", "sni");
}

/* Server: the {name = context} table (LuaSec's), checked and kept in a
 * user value; the handshake then stops at the ClientHello to choose. */
static int server_sni(lua_State *L, lsec_connection *c) {
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, 2)) {
    lsec_context *ctx = luaL_testudata(L, -1, LSEC_CONTEXT);
    if (lua_type(L, -2) != LUA_TSTRING || ctx == NULL ||
        ctx->side != SECTRANS_SERVER || ctx->identity == NULL)
      return luaL_argerror(
          L, 2, "expected {name = server context with a certificate}");
    lua_pop(L, 1);
  }
  check_setter(L,
               sectrans_set_session_option(
                   c->ctx, SECTRANS_OPTION_BREAK_ON_CLIENT_HELLO, 1),
               "", "sni");
  c->sni_strict = lua_toboolean(L, 3);
  lua_settop(L, 2);
  lua_setiuservalue(L, 1, LSEC_UV_SNI);
  return 0;
}

/* conn:sni(name) on a client: the server's name, sent as SNI (not for IP
 * literals) and verified against its certificate.
 * conn:sni({name = context, ...} [, strict]) on a server (LuaSec's form):
 * a client asking for one of the names gets that context's certificate,
 * others the connection's own, or (strict) a failed handshake.
 * Before the handshake. */
static int connection_sni(lua_State *L) {
  lsec_connection *c = lsec_check_connection(L, 1);
  if (c->ctx == NULL)
    return luaL_error(L, "sni: the connection is closed");
  return connection_side(L) == SECTRANS_CLIENT ? client_sni(L, c)
                                               : server_sni(L, c);
}

/* After the ClientHello break a server sni table asked for: presents the
 * certificate of the context the table maps the requested name to; with
 * no match, the connection's own, or (strict) ends the handshake with
 * errSSLUnrecognizedName (-9865). The connection is at stack index 1. */
sectrans_status lsec_choose_identity(lua_State *L, lsec_connection *c) {
  char name[SECTRANS_MAX_PEER_NAME_LENGTH + 1];
  size_t len = sizeof name;
  lsec_context *chosen = NULL;
  if (lua_getiuservalue(L, 1, LSEC_UV_SNI) == LUA_TTABLE &&
      sectrans_get_requested_peer_name(c->ctx, name, &len) ==
          SECTRANS_SUCCESS) {
    lua_pushlstring(L, name, len);
    lua_rawget(L, -2);
    chosen = luaL_testudata(L, -1, LSEC_CONTEXT);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  if (chosen)
    return sectrans_set_identity(c->ctx, chosen->identity);
  if (c->sni_strict)
    sectrans_set_error(c->ctx, SECTRANS_ERR_UNRECOGNIZED_NAME);
  return SECTRANS_SUCCESS;
}

/* conn:setpeerid(id): client session resumption (Secure Transport's
 * SSLSetPeerID). Sessions are cached per process under id (for example
 * "host:port") and the verification settings; a later connection with the
 * same id resumes. Before the handshake; without it nothing is resumed. */
static int connection_setpeerid(lua_State *L) {
  lsec_connection *c = lsec_check_connection(L, 1);
  size_t len;
  const char *id = luaL_checklstring(L, 2, &len);
  if (c->ctx == NULL)
    return luaL_error(L, "setpeerid: the connection is closed");
  return check_setter(L, sectrans_set_peer_id(c->ctx, id, len),
                      "a peer ID is 1 to 1024 bytes", "setpeerid");
}

/* conn:getfd() -> the descriptor (-1 once closed or for a session). */
static int connection_getfd(lua_State *L) {
  lua_pushinteger(L, lsec_check_connection(L, 1)->fd);
  return 1;
}

/* conn:dirty() -> true when plaintext is waiting that receive() returns
 * without reading the socket (socket.select and copas ask this). */
static int connection_dirty(lua_State *L) {
  lsec_connection *c = lsec_check_connection(L, 1);
  size_t pending = 0;
  if (c->ctx)
    sectrans_get_buffered_read_size(c->ctx, &pending);
  lua_pushboolean(L, c->first < c->last || pending > 0);
  return 1;
}

/* conn:want() -> "write", "read" or "nothing": what the last would-block
 * waits for (LuaSec's words; queued output comes first). */
static int connection_want(lua_State *L) {
  lsec_connection *c = lsec_check_connection(L, 1);
  int wants = c->ctx ? sectrans_wants(c->ctx) : 0;
  lua_pushstring(L, (wants & SECTRANS_WANT_WRITE)  ? "write"
                    : (wants & SECTRANS_WANT_READ) ? "read"
                                                   : "nothing");
  return 1;
}

/* conn:settimeout(seconds [, "b"|"t"]) -> 1. LuaSocket's meaning: nil or
 * negative blocks, 0 never waits (calls return "wantread"/"wantwrite"),
 * "b" bounds each wait, "t" the whole call. */
static int connection_settimeout(lua_State *L) {
  lsec_connection *c = lsec_check_connection(L, 1);
  double t = luaL_optnumber(L, 2, -1);
  const char *mode = luaL_optstring(L, 3, "b");
  if (mode[0] == 'b')
    c->timeout.block = t;
  else if (mode[0] == 't' || mode[0] == 'r')
    c->timeout.total = t;
  else
    return luaL_argerror(L, 3, "invalid timeout mode");
  lua_pushinteger(L, 1);
  return 1;
}

/* The end of feed and feedeof: true, or nil and why ("closed" once the
 * session was destroyed). */
static int feed_result(lua_State *L, const lsec_connection *c,
                       sectrans_status st) {
  if (c->ctx == NULL) {
    luaL_pushfail(L);
    lua_pushliteral(L, "closed");
    return 2;
  }
  if (st != SECTRANS_SUCCESS)
    return lsec_push_status(L, st, c->ctx);
  lua_pushboolean(L, 1);
  return 1;
}

/* session:feed(data) -> true, or nil, message: ciphertext that arrived. */
static int session_feed(lua_State *L) {
  lsec_connection *c = luaL_checkudata(L, 1, LSEC_SESSION);
  size_t len;
  const char *data = luaL_checklstring(L, 2, &len);
  return feed_result(
      L, c, c->ctx ? sectrans_feed_input(c->ctx, data, len) : SECTRANS_SUCCESS);
}

/* session:feedeof() -> true: the peer's stream ended. */
static int session_feedeof(lua_State *L) {
  lsec_connection *c = luaL_checkudata(L, 1, LSEC_SESSION);
  return feed_result(L, c,
                     c->ctx ? sectrans_feed_eof(c->ctx) : SECTRANS_SUCCESS);
}

/* session:take([max]) -> the queued ciphertext ("" when none) to send. */
static int session_take(lua_State *L) {
  lsec_connection *c = luaL_checkudata(L, 1, LSEC_SESSION);
  lua_Integer max = luaL_optinteger(L, 2, LUA_MAXINTEGER);
  luaL_argcheck(L, max >= 0, 2, "negative size");
  size_t pending = 0;
  if (c->ctx)
    sectrans_output_pending(c->ctx, &pending);
  if ((lua_Unsigned)max < pending)
    pending = (size_t)max;
  luaL_Buffer b;
  char *p = luaL_buffinitsize(L, &b, pending);
  size_t len = pending;
  if (pending > 0 && sectrans_take_output(c->ctx, p, &len) != SECTRANS_SUCCESS)
    len = 0;
  luaL_pushresultsize(&b, len);
  return 1;
}

/* session:pending() -> bytes of ciphertext waiting for take(). */
static int session_pending(lua_State *L) {
  lsec_connection *c = luaL_checkudata(L, 1, LSEC_SESSION);
  size_t pending = 0;
  if (c->ctx)
    sectrans_output_pending(c->ctx, &pending);
  lua_pushinteger(L, (lua_Integer)pending);
  return 1;
}

/* __tostring: "sectrans.Connection (open|closed): <address>". */
static int connection_tostring(lua_State *L) {
  lsec_connection *c = lsec_check_connection(L, 1);
  const char *type = luaL_testudata(L, 1, LSEC_SESSION) ? LSEC_SESSION
                                                        : LSEC_CONNECTION;
  lua_pushfstring(L, "%s (%s): %p", type, c->ctx ? "open" : "closed",
                  (void *)c);
  return 1;
}

static const luaL_Reg common_methods[] = {
    {"close", connection_close},         {"sni", connection_sni},
    {"setpeerid", connection_setpeerid}, {"dirty", connection_dirty},
    {"want", connection_want},           {NULL, NULL}};
static const luaL_Reg socket_methods[] = {{"getfd", connection_getfd},
                                          {"settimeout", connection_settimeout},
                                          {NULL, NULL}};
static const luaL_Reg session_methods[] = {{"feed", session_feed},
                                           {"feedeof", session_feedeof},
                                           {"take", session_take},
                                           {"pending", session_pending},
                                           {NULL, NULL}};
static const luaL_Reg meta[] = {{"__gc", connection_destroy},
                                {"__close", connection_destroy},
                                {"__tostring", connection_tostring},
                                {NULL, NULL}};

static void new_type(lua_State *L, const char *name, const luaL_Reg *own) {
  luaL_newmetatable(L, name);
  luaL_setfuncs(L, meta, 0);
  lua_newtable(L);
  luaL_setfuncs(L, common_methods, 0);
  luaL_setfuncs(L, lsec_io_methods, 0);
  luaL_setfuncs(L, lsec_peer_methods, 0);
  luaL_setfuncs(L, own, 0);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

/* Registers the metatables of connections and memory sessions. */
void lsec_connection_open(lua_State *L) {
  new_type(L, LSEC_CONNECTION, socket_methods);
  new_type(L, LSEC_SESSION, session_methods);
}
