/*
 * peer.c: what the handshake negotiated and what the peer presented:
 * info, getalpn, getsniname, getpeercertificate, getpeerchain and
 * getpeerverification; exportkeyingmaterial (1.1). Before the handshake
 * (or once closed) each returns nil.
 */
#include "lsectrans.h"

/* The connection's live context, or NULL (with nothing pushed). */
static sectrans_context *live(lua_State *L) {
  return lsec_check_connection(L, 1)->ctx;
}

/* Fills the table on the top with LuaSec's info() fields plus group and
 * resumed; returns 0 before the handshake chose a cipher. */
static int fill_info(lua_State *L, sectrans_context *ctx) {
  int protocol = 0, resumed = 0;
  uint16_t suite = 0, group = 0;
  if (sectrans_get_negotiated_cipher(ctx, &suite) != SECTRANS_SUCCESS)
    return 0;
  sectrans_get_negotiated_protocol_version(ctx, &protocol);
  sectrans_get_negotiated_group(ctx, &group);
  sectrans_get_session_resumed(ctx, &resumed);
  const char *pname = sectrans_protocol_name(protocol);
  const char *gname = sectrans_group_name(group);
  const char *standard = sectrans_cipher_name(suite);
  lua_pushstring(L, pname ? pname : "unknown");
  lua_setfield(L, -2, "protocol");
  lua_pushstring(L, lsec_openssl_cipher_name(suite));
  lua_setfield(L, -2, "cipher");
  lua_pushstring(L, standard);
  lua_setfield(L, -2, "standard_name");
  lua_pushinteger(L, lsec_cipher_bits(suite));
  lua_setfield(L, -2, "bits");
  lua_pushinteger(L, lsec_cipher_bits(suite));
  lua_setfield(L, -2, "algbits");
  if (gname) {
    lua_pushstring(L, gname);
    lua_setfield(L, -2, "group");
  }
  lua_pushboolean(L, resumed);
  lua_setfield(L, -2, "resumed");
  lua_pushliteral(L, "none");
  lua_setfield(L, -2, "compression");
  lsec_set_cipher_description(L, suite);
  return 1;
}

/* conn:info([field]) -> {protocol = "TLSv1.3", cipher, standard_name,
 * bits, algbits, key, authentication, encryption, mac, export,
 * compression, group, resumed}, or that one field. */
static int peer_info(lua_State *L) {
  sectrans_context *ctx = live(L);
  const char *key = luaL_optstring(L, 2, NULL);
  lua_newtable(L);
  if (ctx == NULL || !fill_info(L, ctx))
    luaL_pushfail(L);
  else if (key)
    lua_getfield(L, -1, key);
  return 1;
}

/* Pushes a (buf, *len) text value of ctx, or nil when empty or failing. */
static int push_text(lua_State *L, sectrans_context *ctx,
                     sectrans_status (*get)(const sectrans_context *, void *,
                                            size_t *)) {
  char buf[512];
  size_t len = sizeof buf;
  if (ctx == NULL || get(ctx, buf, &len) != SECTRANS_SUCCESS || len == 0)
    luaL_pushfail(L);
  else
    lua_pushlstring(L, buf, len);
  return 1;
}

/* conn:getalpn() -> the protocol ALPN chose, or nil. */
static int peer_getalpn(lua_State *L) {
  return push_text(L, live(L), sectrans_get_negotiated_alpn);
}

/* conn:getsniname() -> (server) the name the client asked for, or nil. */
static int peer_getsniname(lua_State *L) {
  return push_text(L, live(L), sectrans_get_requested_peer_name);
}

/* The peer trust (+1), or NULL when there is none yet. */
static sectrans_trust *peer_trust(sectrans_context *ctx) {
  sectrans_trust *trust = NULL;
  if (ctx)
    sectrans_copy_peer_trust(ctx, &trust);
  return trust;
}

static size_t chain_length(const sectrans_trust *trust) {
  size_t count = 0;
  if (trust)
    sectrans_trust_get_certificate_count(trust, &count);
  return count;
}

static void push_chain_certificate(lua_State *L, sectrans_trust *trust,
                                   size_t index) {
  sectrans_certificate *cert = NULL;
  if (sectrans_trust_copy_certificate(trust, index, &cert) == SECTRANS_SUCCESS)
    lsec_push_certificate(L, cert); /* takes the reference */
  else
    luaL_pushfail(L);
}

/* conn:getpeercertificate([n]) -> the peer's n-th certificate (1, the
 * default, is its own), or nil. */
static int peer_getpeercertificate(lua_State *L) {
  lua_Integer n = luaL_optinteger(L, 2, 1);
  sectrans_trust *trust = peer_trust(live(L));
  if (n >= 1 && (size_t)n <= chain_length(trust))
    push_chain_certificate(L, trust, (size_t)(n - 1));
  else
    luaL_pushfail(L);
  sectrans_trust_release(trust);
  return 1;
}

/* conn:getpeerchain() -> the certificates the peer sent (own first), or
 * nil when it sent none. */
static int peer_getpeerchain(lua_State *L) {
  sectrans_trust *trust = peer_trust(live(L));
  size_t count = chain_length(trust);
  if (count == 0) {
    luaL_pushfail(L);
  } else {
    lua_createtable(L, (int)count, 0);
    for (size_t i = 0; i < count; i++) {
      push_chain_certificate(L, trust, i);
      lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
  }
  sectrans_trust_release(trust);
  return 1;
}

/* conn:getpeerverification() -> true, or false, {reason, status = code,
 * name = "errSSL..."}: what verifying the peer's chain found. */
static int peer_getpeerverification(lua_State *L) {
  sectrans_trust *trust = peer_trust(live(L));
  sectrans_status result = SECTRANS_ERR_BAD_REQ;
  if (trust)
    sectrans_trust_get_result(trust, &result);
  if (result == SECTRANS_SUCCESS) {
    sectrans_trust_release(trust);
    lua_pushboolean(L, 1);
    return 1;
  }
  lua_pushboolean(L, 0);
  lua_createtable(L, 1, 2);
  char detail[512];
  size_t len = sizeof detail;
  if (trust == NULL)
    lua_pushliteral(L, "the peer sent no certificate");
  else if (result == SECTRANS_ERR_BAD_REQ)
    lua_pushliteral(
        L, "the peer's certificate was not verified (verify = \"none\")");
  else if (sectrans_trust_copy_detail(trust, detail, &len) ==
               SECTRANS_SUCCESS &&
           len > 0)
    lua_pushlstring(L, detail, len);
  else
    lua_pushstring(L, sectrans_status_description(result));
  lua_rawseti(L, -2, 1);
  lua_pushinteger(L, result);
  lua_setfield(L, -2, "status");
  lua_pushstring(L, sectrans_status_string(result));
  lua_setfield(L, -2, "name");
  sectrans_trust_release(trust);
  return 2;
}

/* (1.1) conn:exportkeyingmaterial(label, len [, context]) -> the len bytes
 * of keying material (RFC 5705, RFC 8446 section 7.5), as LuaSec's: no
 * context when context is nil (in TLS 1.2 not the same as ""). Fails (nil,
 * "closed") once closed, and (nil, message) before the handshake or for a
 * len above 8160, a label above 249 bytes or a context above 65535 (the
 * message names which). A negative len raises. */
static int peer_exportkeyingmaterial(lua_State *L) {
  sectrans_context *ctx = live(L);
  size_t label_len = 0, context_len = 0;
  const char *label = luaL_checklstring(L, 2, &label_len);
  lua_Integer len = luaL_checkinteger(L, 3);
  const char *context = NULL;
  luaL_argcheck(L, len >= 0, 3, "negative length");
  if (!lua_isnoneornil(L, 4))
    context = luaL_checklstring(L, 4, &context_len);
  if (ctx == NULL) {
    luaL_pushfail(L);
    lua_pushliteral(L, "closed");
    return 2;
  }
  /* Allocated only within the bound: the library refuses a larger len
   * before touching the (smaller) buffer. */
  size_t alloc = (lua_Unsigned)len > SECTRANS_EXPORTER_MAX_LENGTH ? 1
                                                                  : (size_t)len;
  luaL_Buffer b;
  char *out = luaL_buffinitsize(L, &b, alloc);
  sectrans_status st = sectrans_export_keying_material(
      ctx, out, (size_t)len, label, label_len, context, context_len,
      context != NULL);
  if (st != SECTRANS_SUCCESS)
    return lsec_push_status(L, st, ctx);
  luaL_pushresultsize(&b, (size_t)len);
  return 1;
}

const luaL_Reg lsec_peer_methods[] = {
    {"exportkeyingmaterial", peer_exportkeyingmaterial},
    {"info", peer_info},
    {"getalpn", peer_getalpn},
    {"getsniname", peer_getsniname},
    {"getpeercertificate", peer_getpeercertificate},
    {"getpeerchain", peer_getpeerchain},
    {"getpeerverification", peer_getpeerverification},
    {NULL, NULL}};
