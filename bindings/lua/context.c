/*
 * context.c: sectrans.newcontext(params), which takes LuaSec's parameter
 * tables as they are and builds one sectrans_config from them. The costly
 * parts (keys, anchors, BoringSSL's SSL_CTX) happen here, once; wrap() and
 * newsession() then cost about what SSL_new costs.
 *
 * Invalid values return nil, message (as LuaSec does); a params argument
 * that is not a table raises.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lsectrans.h"

/* Options LuaSec knows (ssl.config.options). Only no_tlsv1_2 and
 * no_tlsv1_3 change anything here: the rest name OpenSSL workarounds or
 * protocols sectrans never speaks. */
static const char *const known_options[] = {
    "all",
    "allow_client_renegotiation",
    "allow_no_dhe_kex",
    "allow_unsafe_legacy_renegotiation",
    "cipher_server_preference",
    "cisco_anyconnect",
    "cleanse_plaintext",
    "cookie_exchange",
    "cryptopro_tlsext_bug",
    "disable_tlsext_ca_names",
    "dont_insert_empty_fragments",
    "enable_ktls",
    "enable_middlebox_compat",
    "ephemeral_rsa",
    "ignore_unexpected_eof",
    "legacy_server_connect",
    "microsoft_big_sslv3_buffer",
    "microsoft_sess_id_bug",
    "msie_sslv2_rsa_padding",
    "netscape_ca_dn_bug",
    "netscape_challenge_bug",
    "netscape_demo_cipher_change_bug",
    "netscape_reuse_cipher_change_bug",
    "no_anti_replay",
    "no_compression",
    "no_dtls_mask",
    "no_dtlsv1",
    "no_dtlsv1_2",
    "no_encrypt_then_mac",
    "no_extended_master_secret",
    "no_query_mtu",
    "no_renegotiation",
    "no_session_resumption_on_renegotiation",
    "no_ssl_mask",
    "no_sslv2",
    "no_sslv3",
    "no_ticket",
    "no_tlsv1",
    "no_tlsv1_1",
    "no_tlsv1_2",
    "no_tlsv1_3",
    "pkcs1_check_1",
    "pkcs1_check_2",
    "prioritize_chacha",
    "safari_ecdhe_ecdsa_bug",
    "single_dh_use",
    "single_ecdh_use",
    "ssleay_080_client_dh_bug",
    "sslref2_reuse_cert_type_bug",
    "tls_block_padding_bug",
    "tls_d5_bug",
    "tls_rollback_bug",
    "tlsext_padding",
    NULL};

/* Groups BoringSSL offers; a curve or curveslist naming others fails. */
static const char *const known_curves[] = {
    "X25519", "x25519",    "P-256", "prime256v1", "secp256r1",
    "P-384",  "secp384r1", "P-521", "secp521r1",  NULL};

/* TLS 1.3 suites: always on in BoringSSL, so ciphersuites only checks. */
static const char *const tls13_suites[] = {
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256", NULL};

/* The settings being built, so that every step can fail the same way. */
typedef struct builder {
  lua_State *L;
  int params; /* stack index of the params table */
  sectrans_config *config;
  int side;
  int min, max;
  int verify;                  /* VERIFY_* bits collected from params.verify */
  sectrans_identity *identity; /* kept for server sni tables */
  int error_slot;              /* stack index holding the message once set */
  const char *error;           /* set on failure: the string in error_slot */
} builder;

/* Moves the message on the stack top into the error slot, so that it stays
 * alive and each step's own pushes and pops stay balanced; returns 0. */
static int keep_error(builder *b) {
  lua_replace(b->L, b->error_slot);
  b->error = lua_tostring(b->L, b->error_slot);
  return 0;
}

/* Fails the build with fmt (one %s: what). */
static int fail(builder *b, const char *fmt, const char *what) {
  lua_pushfstring(b->L, fmt, what);
  return keep_error(b);
}

/* Fails the build with "what: errName (code): description". */
static int fail_status(builder *b, const char *what, sectrans_status st) {
  lua_pushfstring(b->L, "%s: %s (%d): %s", what, sectrans_status_string(st),
                  (int)st, sectrans_status_description(st));
  return keep_error(b);
}

/* 1 when name is one of the NULL-terminated list. */
static int in_list(const char *const *list, const char *name) {
  for (; *list; list++)
    if (strcmp(*list, name) == 0)
      return 1;
  return 0;
}

/* Pushes params[key] and returns its type. */
static int field(builder *b, const char *key) {
  return lua_getfield(b->L, b->params, key);
}

/* Calls each(b, name) for a field that is a string or a list of strings. */
static int each_name(builder *b, const char *key,
                     int (*each)(builder *, const char *)) {
  lua_State *L = b->L;
  int type = field(b, key);
  int ok = 1;
  if (type == LUA_TSTRING) {
    ok = each(b, lua_tostring(L, -1));
  } else if (type == LUA_TTABLE) {
    for (lua_Integer i = 1; ok && lua_geti(L, -1, i) != LUA_TNIL; i++) {
      if (lua_type(L, -1) != LUA_TSTRING)
        ok = fail(b, "%s entries must be strings", key);
      else
        ok = each(b, lua_tostring(L, -1));
      lua_pop(L, 1);
    }
    if (ok)
      lua_pop(L, 1); /* the nil that ended the list */
  } else if (type != LUA_TNIL) {
    ok = fail(b, "%s must be a string or a list of strings", key);
  }
  lua_pop(L, 1);
  return ok;
}

/* Reads a whole file into a string pushed on the stack. */
static int push_file(builder *b, const char *path, const char *what) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    lua_pushfstring(b->L, "cannot read %s '%s': %s", what, path,
                    strerror(errno));
    return keep_error(b);
  }
  luaL_Buffer buf;
  luaL_buffinit(b->L, &buf);
  size_t n;
  do {
    char *p = luaL_prepbuffer(&buf);
    n = fread(p, 1, LUAL_BUFFERSIZE, f);
    luaL_addsize(&buf, n);
  } while (n == LUAL_BUFFERSIZE);
  int failed = ferror(f);
  fclose(f);
  luaL_pushresult(&buf);
  if (failed) {
    lua_pushfstring(b->L, "cannot read %s '%s'", what, path);
    return keep_error(b);
  }
  return 1;
}

/* mode: "client" or "server"; creates the config of that side. */
static int apply_mode(builder *b) {
  const char *mode = field(b, "mode") == LUA_TSTRING ? lua_tostring(b->L, -1)
                                                     : "";
  lua_pop(b->L, 1);
  if (strcmp(mode, "client") == 0)
    b->side = SECTRANS_CLIENT;
  else if (strcmp(mode, "server") == 0)
    b->side = SECTRANS_SERVER;
  else
    return fail(b, "invalid mode%s: expected \"client\" or \"server\"", "");
  sectrans_status st = sectrans_config_create(b->side, &b->config);
  return st == SECTRANS_SUCCESS || fail_status(b, "sectrans_config_create", st);
}

/* protocol: "any" (TLS 1.2 to 1.3), "tlsv1_2" or "tlsv1_3" (that one
 * only). LuaSec's older names below TLS 1.2 are refused, not widened. */
static int apply_protocol(builder *b) {
  const char *p = field(b, "protocol") == LUA_TSTRING ? lua_tostring(b->L, -1)
                                                      : "any";
  lua_pop(b->L, 1);
  b->min = SECTRANS_PROTOCOL_TLS12;
  b->max = SECTRANS_PROTOCOL_TLS13;
  if (strcmp(p, "tlsv1_2") == 0)
    b->max = SECTRANS_PROTOCOL_TLS12;
  else if (strcmp(p, "tlsv1_3") == 0)
    b->min = SECTRANS_PROTOCOL_TLS13;
  else if (strcmp(p, "any") != 0 && strcmp(p, "sslv23") != 0)
    return fail(b,
                "protocol '%s' is not supported (sectrans speaks TLS 1.2 "
                "and 1.3: use \"any\", \"tlsv1_2\" or \"tlsv1_3\")",
                p);
  return 1;
}

/* One LuaSec option: known names pass; two narrow the versions. */
static int apply_option(builder *b, const char *name) {
  if (!in_list(known_options, name))
    return fail(b, "invalid option (%s)", name);
  if (strcmp(name, "no_tlsv1_3") == 0)
    b->max = SECTRANS_PROTOCOL_TLS12;
  else if (strcmp(name, "no_tlsv1_2") == 0)
    b->min = SECTRANS_PROTOCOL_TLS13;
  return 1;
}

/* Sets the version range protocol and options left. */
static int apply_protocol_range(builder *b) {
  if (b->min > b->max)
    return fail(b, "options exclude every protocol version%s", "");
  sectrans_status st = sectrans_config_set_protocol_version_min(b->config,
                                                                b->min);
  if (st == SECTRANS_SUCCESS)
    st = sectrans_config_set_protocol_version_max(b->config, b->max);
  return st == SECTRANS_SUCCESS || fail_status(b, "protocol", st);
}

/* The key's password: a string, or a function returning one (LuaSec). */
static const char *password(builder *b, int certificate) {
  lua_State *L = b->L;
  int type = lua_getfield(L, certificate, "password");
  if (type == LUA_TFUNCTION) {
    lua_call(L, 0, 1);
    type = lua_type(L, -1);
  }
  if (type != LUA_TSTRING && type != LUA_TNIL) {
    fail(b, "invalid password type%s", "");
    return NULL;
  }
  return lua_tostring(L, -1); /* stays on the stack while in use */
}

/* One identity from a table with certificate, key and password fields
 * (params itself, or the single entry of params.certificates). */
static int apply_identity_from(builder *b, int t) {
  lua_State *L = b->L;
  int top = lua_gettop(L);
  if (lua_getfield(L, t, "certificate") == LUA_TNIL) {
    lua_settop(L, top);
    return 1;
  }
  const char *cert_path = lua_tostring(L, -1);
  if (cert_path == NULL || !push_file(b, cert_path, "certificate file"))
    return cert_path ? 0 : fail(b, "certificate must be a file name%s", "");
  size_t cert_len, key_len = 0;
  const char *cert_pem = lua_tolstring(L, -1, &cert_len), *key_pem = NULL;
  if (lua_getfield(L, t, "key") == LUA_TSTRING) {
    if (!push_file(b, lua_tostring(L, -1), "key file"))
      return 0;
    key_pem = lua_tolstring(L, -1, &key_len);
  }
  const char *pass = password(b, t);
  if (b->error)
    return 0;
  sectrans_identity *identity = NULL;
  sectrans_status st = sectrans_identity_create_from_pem(
      cert_pem, cert_len, key_pem, key_len, pass, &identity);
  if (st == SECTRANS_SUCCESS) {
    st = sectrans_config_set_identity(b->config, identity);
    b->identity = identity;
  }
  lua_settop(L, top);
  return st == SECTRANS_SUCCESS || fail_status(b, "certificate and key", st);
}

/* The identity from params, or from params.certificates (one entry). */
static int apply_identity(builder *b) {
  lua_State *L = b->L;
  if (field(b, "certificates") != LUA_TTABLE) {
    lua_pop(L, 1);
    return apply_identity_from(b, b->params);
  }
  if (luaL_len(L, -1) != 1)
    return fail(b, "certificates: sectrans takes one identity per context%s",
                "");
  lua_geti(L, -1, 1);
  int ok = lua_istable(L, -1)
               ? apply_identity_from(b, lua_gettop(L))
               : fail(b, "certificates entries must be tables%s", "");
  lua_pop(L, 2);
  return ok;
}

/* A CA directory by the library's one rule (hashed names, *.pem, *.crt);
 * one that yields no certificate at all is refused, as before. */
static sectrans_status add_ca_directory(sectrans_trust_store *store,
                                        const char *dir) {
  size_t added = 0;
  sectrans_status st = sectrans_trust_store_add_directory(store, dir, &added);
  return st == SECTRANS_SUCCESS && added == 0 ? SECTRANS_ERR_DECODE : st;
}

/* cafile and capath replace the system anchors, as in LuaSec. */
static int apply_anchors(builder *b) {
  lua_State *L = b->L;
  const char *cafile = field(b, "cafile") == LUA_TSTRING ? lua_tostring(L, -1)
                                                         : NULL;
  const char *capath = field(b, "capath") == LUA_TSTRING ? lua_tostring(L, -1)
                                                         : NULL;
  int ok = 1;
  if (cafile || capath) {
    sectrans_trust_store *store = NULL;
    sectrans_status st = sectrans_trust_store_create(&store);
    if (st == SECTRANS_SUCCESS && cafile)
      st = sectrans_trust_store_add_pem_file(store, cafile);
    if (st != SECTRANS_SUCCESS)
      ok = fail_status(
          b, lua_pushfstring(L, "cafile '%s'", cafile ? cafile : ""), st);
    if (ok && capath &&
        (st = add_ca_directory(store, capath)) != SECTRANS_SUCCESS)
      ok = fail_status(b, lua_pushfstring(L, "capath '%s'", capath), st);
    if (ok && (st = sectrans_config_set_trust_store(b->config, store)) !=
                  SECTRANS_SUCCESS)
      ok = fail_status(b, "anchors", st);
    sectrans_trust_store_release(store);
  }
  lua_pop(L, 2);
  return ok;
}

/* verify: "none", "peer", "fail_if_no_peer_cert", "client_once" (alone or
 * in a list). A client verifies unless "none" is given; a server asks for
 * a client certificate with "peer" and insists with fail_if_no_peer_cert. */
enum {
  VERIFY_NONE = 1,
  VERIFY_PEER = 2,
  VERIFY_REQUIRE = 4
};

/* Adds one verify flag to b->verify. */
static int collect_verify(builder *b, const char *name) {
  if (strcmp(name, "none") == 0)
    b->verify |= VERIFY_NONE;
  else if (strcmp(name, "peer") == 0)
    b->verify |= VERIFY_PEER;
  else if (strcmp(name, "fail_if_no_peer_cert") == 0)
    b->verify |= VERIFY_REQUIRE;
  else if (strcmp(name, "client_once") != 0)
    return fail(b, "invalid verify option (%s)", name);
  return 1;
}

/* Client: verify unless "none". Server: ask for client certificates. */
static int apply_verify(builder *b) {
  if (!each_name(b, "verify", collect_verify))
    return 0;
  int flags = b->verify;
  if ((flags & VERIFY_NONE) && (flags & (VERIFY_PEER | VERIFY_REQUIRE)))
    return fail(b, "verify: \"none\" contradicts %s", "\"peer\"");
  sectrans_status st = SECTRANS_SUCCESS;
  if (b->side == SECTRANS_CLIENT && (flags & VERIFY_NONE))
    st = sectrans_config_set_verify_mode(b->config, SECTRANS_VERIFY_NONE);
  else if (b->side == SECTRANS_SERVER &&
           (flags & (VERIFY_PEER | VERIFY_REQUIRE)))
    st = sectrans_config_set_client_side_authenticate(
        b->config, (flags & VERIFY_REQUIRE) ? SECTRANS_AUTHENTICATE_ALWAYS
                                            : SECTRANS_AUTHENTICATE_TRY);
  return st == SECTRANS_SUCCESS || fail_status(b, "verify", st);
}

/* ciphers: the TLS 1.2 suites named in an OpenSSL cipher string. */
static int apply_ciphers(builder *b) {
  lua_State *L = b->L;
  int type = field(b, "ciphers");
  int ok = 1;
  if (type == LUA_TSTRING) {
    uint16_t suites[SECTRANS_MAX_CIPHERS];
    size_t count = 0, bad_len = 0;
    const char *bad = NULL;
    if (!lsec_parse_ciphers(lua_tostring(L, -1), suites, SECTRANS_MAX_CIPHERS,
                            &count, &bad, &bad_len)) {
      ok = fail(b, "invalid cipher (%s)", lua_pushlstring(L, bad, bad_len));
      lua_pop(L, 1);
    } else if (count > 0) {
      sectrans_status st = sectrans_config_set_enabled_ciphers(b->config,
                                                               suites, count);
      ok = st == SECTRANS_SUCCESS || fail_status(b, "ciphers", st);
    }
  } else if (type != LUA_TNIL) {
    ok = fail(b, "ciphers must be a string%s", "");
  }
  lua_pop(L, 1);
  return ok;
}

/* Checks that every ':'-separated name of the string field key is in
 * list; what names the kind of name in the message. */
static int check_names(builder *b, const char *key, const char *const *list,
                       const char *what) {
  lua_State *L = b->L;
  int ok = 1;
  if (field(b, key) == LUA_TSTRING) {
    const char *s = lua_tostring(L, -1);
    while (ok && *s) {
      size_t n = strcspn(s, ":");
      lua_pushlstring(L, s, n);
      if (n > 0 && !in_list(list, lua_tostring(L, -1))) {
        lua_pushfstring(L, "invalid %s (%s)", what, lua_tostring(L, -1));
        ok = keep_error(b);
      }
      lua_pop(L, 1);
      s += n + (s[n] == ':');
    }
  }
  lua_pop(L, 1);
  return ok;
}

/* ciphersuites names TLS 1.3 suites, which BoringSSL keeps all enabled:
 * each name is checked, none is dropped. curve / curveslist are checked
 * against the groups BoringSSL offers (the core negotiates X25519, P-256
 * and P-384 itself). */
static int check_suites_and_curves(builder *b) {
  return check_names(b, "ciphersuites", tls13_suites, "ciphersuite") &&
         check_names(b, "curve", known_curves, "curve") &&
         check_names(b, "curveslist", known_curves, "curve");
}

/* ALPN: a client offers a string or a list; a server picks from a list.
 * LuaSec's server-side selection function has no counterpart in the core. */
static int apply_alpn(builder *b) {
  lua_State *L = b->L;
  int type = field(b, "alpn");
  if (type == LUA_TNIL) {
    lua_pop(L, 1);
    return 1;
  }
  if (type == LUA_TFUNCTION)
    return fail(b, "alpn: selection functions are not supported; give a list%s",
                "");
  luaL_Buffer wire;
  luaL_buffinit(L, &wire);
  int ok = 1;
  for (lua_Integer i = 1; ok; i++) {
    if (type == LUA_TSTRING ? i > 1 : lua_geti(L, -2, i) == LUA_TNIL) {
      if (type != LUA_TSTRING)
        lua_pop(L, 1);
      break;
    }
    if (type == LUA_TSTRING)
      lua_pushvalue(L, -2);
    size_t len;
    const char *name = lua_tolstring(L, -1, &len);
    if (name == NULL || len == 0 || len > 255) {
      lua_pop(L, 1);
      ok = 0;
      break;
    }
    lua_pop(L, 1); /* the string stays alive in the alpn value */
    luaL_addchar(&wire, (char)len);
    luaL_addlstring(&wire, name, len);
  }
  luaL_pushresult(&wire);
  size_t len;
  const char *list = lua_tolstring(L, -1, &len);
  if (!ok || len == 0) {
    lua_pop(L, 2);
    return fail(b, "invalid ALPN list: names must be 1 to 255 bytes%s", "");
  }
  sectrans_status st = sectrans_config_set_alpn(b->config, list, len);
  lua_pop(L, 2);
  return st == SECTRANS_SUCCESS || fail_status(b, "alpn", st);
}

/* Fields with no counterpart: depth (the core's own bound applies),
 * dhparam (BoringSSL has no finite-field DHE suites). verifyext would
 * weaken verification (lsec_continue), so it is refused. */
static int check_refused(builder *b) {
  int type = field(b, "verifyext");
  lua_pop(b->L, 1);
  return type == LUA_TNIL ||
         fail(b,
              "verifyext is not supported: verification failures always "
              "end the handshake%s",
              "");
}

/* Every step in order; stops at the first failure. */
static int build(builder *b) {
  return apply_mode(b) && apply_protocol(b) &&
         each_name(b, "options", apply_option) && apply_protocol_range(b) &&
         apply_identity(b) && apply_anchors(b) && apply_verify(b) &&
         apply_ciphers(b) && check_suites_and_curves(b) && apply_alpn(b) &&
         check_refused(b);
}

/* sectrans.newcontext(params) -> context, or nil, message. */
int lsec_newcontext(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_pushnil(L); /* the error slot */
  builder b = {L, 1, NULL, 0, 0, 0, 0, NULL, 2, NULL};
  lsec_context *c = lua_newuserdatauv(L, sizeof *c, 1);
  c->config = NULL;
  c->identity = NULL;
  luaL_setmetatable(L, LSEC_CONTEXT);
  int ud = lua_gettop(L);
  if (!build(&b)) {
    sectrans_config_release(b.config);
    sectrans_identity_release(b.identity);
    luaL_pushfail(L);
    lua_pushvalue(L, b.error_slot);
    return 2;
  }
  c->config = b.config;
  c->identity = b.identity;
  c->side = b.side;
  /* params.servername: the default peer name of client connections. */
  if (lua_getfield(L, 1, "servername") != LUA_TSTRING && !lua_isnil(L, -1))
    return luaL_error(L, "servername must be a string");
  lua_setiuservalue(L, ud, 1);
  lua_settop(L, ud);
  return 1;
}

/* The context at idx; raises for anything else. */
lsec_context *lsec_check_context(lua_State *L, int idx) {
  lsec_context *c = luaL_checkudata(L, idx, LSEC_CONTEXT);
  if (c->config == NULL)
    luaL_argerror(L, idx, "context was never built");
  return c;
}

/* __gc: releases the config and the identity (idempotent). */
static int context_gc(lua_State *L) {
  lsec_context *c = luaL_checkudata(L, 1, LSEC_CONTEXT);
  sectrans_config_release(c->config);
  sectrans_identity_release(c->identity);
  c->config = NULL;
  c->identity = NULL;
  return 0;
}

/* __tostring: "sectrans.Context (client|server): <address>". */
static int context_tostring(lua_State *L) {
  lsec_context *c = luaL_checkudata(L, 1, LSEC_CONTEXT);
  lua_pushfstring(L, "sectrans.Context (%s): %p",
                  c->side == SECTRANS_CLIENT ? "client" : "server", (void *)c);
  return 1;
}

/* Registers the sectrans.Context metatable. */
void lsec_context_open(lua_State *L) {
  static const luaL_Reg meta[] = {
      {"__gc", context_gc}, {"__tostring", context_tostring}, {NULL, NULL}};
  luaL_newmetatable(L, LSEC_CONTEXT);
  luaL_setfuncs(L, meta, 0);
  lua_pop(L, 1);
}
