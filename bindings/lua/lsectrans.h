/*
 * lsectrans.h: what the files of the Lua module share.
 *
 * Three userdata types, each with a metatable made by luaL_newmetatable:
 *   sectrans.Context      a sectrans_config plus what newcontext parsed
 *   sectrans.Connection   a sectrans_context over a socket fd (wrap) or over
 *                         memory (newsession); both names share this struct
 *   sectrans.Certificate  a retained sectrans_certificate
 */
#ifndef LSECTRANS_H
#define LSECTRANS_H

#include <stddef.h>

#include <lauxlib.h>
#include <lua.h>

#include <sectrans/sectrans.h>

#define LSEC_CONTEXT "sectrans.Context"
#define LSEC_CONNECTION "sectrans.Connection"
#define LSEC_SESSION "sectrans.Session"
#define LSEC_CERTIFICATE "sectrans.Certificate"

/* A TLS record's worth of plaintext: receive() refills from here. */
#define LSEC_BUFFER_SIZE 16384

typedef struct lsec_context {
  sectrans_config *config;
  sectrans_identity *identity; /* the config's, or NULL (for sni tables) */
  int side;                    /* SECTRANS_CLIENT or SECTRANS_SERVER */
} lsec_context;

/* LuaSocket's timeout model: block bounds each wait, total the whole call;
 * negative means none. */
typedef struct lsec_timeout {
  double block;
  double total;
  double start;
} lsec_timeout;

typedef struct lsec_connection {
  sectrans_context *ctx; /* NULL once destroyed */
  int fd;                /* -1 for a memory session or once closed */
  int owns_fd;           /* taken over from a LuaSocket object */
  int closed;            /* close() was called: I/O answers "closed" */
  int sni_strict;        /* server sni table: refuse names not in it */
  lsec_timeout timeout;
  size_t first, last; /* unread plaintext is buffer[first, last) */
  unsigned char buffer[LSEC_BUFFER_SIZE];
} lsec_connection;

/* User values of a connection userdata: its context, and a server's sni
 * table ({name = context}). */
enum {
  LSEC_UV_CONTEXT = 1,
  LSEC_UV_SNI = 2,
  LSEC_UV_COUNT = 2
};

/* module.c */
int lsec_push_status(lua_State *L, sectrans_status status,
                     const sectrans_context *ctx);
const char *lsec_status_message(lua_State *L, sectrans_status status,
                                const sectrans_context *ctx);

/* context.c */
void lsec_context_open(lua_State *L);
int lsec_newcontext(lua_State *L);
lsec_context *lsec_check_context(lua_State *L, int idx);

/* ciphers.c */
int lsec_parse_ciphers(const char *spec, uint16_t *suites, size_t max,
                       size_t *count, const char **bad, size_t *bad_len);
const char *lsec_openssl_cipher_name(uint16_t suite);
int lsec_cipher_bits(uint16_t suite);
void lsec_set_cipher_description(lua_State *L, uint16_t suite);

/* connection.c */
void lsec_connection_open(lua_State *L);
int lsec_wrap(lua_State *L);
int lsec_newsession(lua_State *L);
lsec_connection *lsec_check_connection(lua_State *L, int idx);
sectrans_status lsec_choose_identity(lua_State *L, lsec_connection *c);

/* io.c: handshake, send, receive and close over either transport */
extern const luaL_Reg lsec_io_methods[];
double lsec_now(void);

/* peer.c: what the handshake negotiated and who the peer is */
extern const luaL_Reg lsec_peer_methods[];

/* certificate.c */
void lsec_certificate_open(lua_State *L);
void lsec_push_certificate(lua_State *L, sectrans_certificate *cert);
int lsec_loadcertificate(lua_State *L);

#endif
