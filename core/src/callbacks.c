/*
 * callbacks.c: BoringSSL's callbacks, each dispatched to its context.
 *
 * Several of them exist only on the SSL_CTX, which a config shares among
 * its contexts; the context is found through ex_data on the SSL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

sectrans_context *context_of(const SSL *ssl) {
  return bssl.SSL_get_ex_data(ssl, config_ssl_ex_index());
}

/* ---- certificate selection ----------------------------------------------- */

/* Client: called when the server asked for a certificate. Server: called
 * for every handshake, before the resumption decision. */
static int select_certificate(SSL *ssl, void *arg) {
  sectrans_context *ctx = context_of(ssl);
  if (ctx->side == SECTRANS_SERVER)
    return 1;
  ctx->client_cert = SECTRANS_CLIENT_CERT_STATE_REQUESTED;
  if (ctx->phase == PHASE_BREAK_CERT_REQUESTED)
    ctx->phase = PHASE_HANDSHAKE; /* resuming after the break */
  else if (ctx->settings.identity == NULL &&
           verify_breaks_on_cert_request(ctx)) {
    ctx->phase = PHASE_BREAK_CERT_REQUESTED;
    return -1;
  }
  if (ctx->settings.identity != NULL)
    ctx->client_cert = SECTRANS_CLIENT_CERT_STATE_SENT;
  return 1;
}

/* The server_name extension's first host name. */
static char *parse_sni(const uint8_t *data, size_t len) {
  if (len < 5 || (size_t)(data[0] << 8 | data[1]) != len - 2 || data[2] != 0)
    return NULL;
  size_t name_len = (size_t)(data[3] << 8 | data[4]);
  if (name_len == 0 || name_len > len - 5 || memchr(data + 5, 0, name_len))
    return NULL;
  char *name = malloc(name_len + 1);
  if (name != NULL) {
    memcpy(name, data + 5, name_len);
    name[name_len] = '\0';
  }
  return name;
}

/* Server: the ClientHello was parsed. Keeps the requested name (BoringSSL
 * parses SNI only later) and stops here once for BREAK_ON_CLIENT_HELLO. */
static enum ssl_select_cert_result_t client_hello(
    const SSL_CLIENT_HELLO *hello) {
  sectrans_context *ctx = context_of(hello->ssl);
  const uint8_t *sni;
  size_t sni_len;
  if (ctx->requested_name == NULL &&
      bssl.SSL_early_callback_ctx_extension_get(hello, TLSEXT_TYPE_server_name,
                                                &sni, &sni_len))
    ctx->requested_name = parse_sni(sni, sni_len);
  if (SETTINGS_OPTION(&ctx->settings, SECTRANS_OPTION_BREAK_ON_CLIENT_HELLO) &&
      !(ctx->flags & FLAG_CLIENT_HELLO_SEEN)) {
    ctx->flags |= FLAG_CLIENT_HELLO_SEEN;
    ctx->phase = PHASE_BREAK_CLIENT_HELLO;
    return ssl_select_cert_retry;
  }
  ctx->phase = PHASE_HANDSHAKE;
  return ssl_select_cert_success;
}

/* ---- ALPN, sessions, key log --------------------------------------------- */

/* Server ALPN: the server's first protocol that the client also offers. */
static int select_alpn(SSL *ssl, const uint8_t **out, uint8_t *out_len,
                       const uint8_t *in, unsigned in_len, void *arg) {
  const sectrans_context *ctx = context_of(ssl);
  const uint8_t *ours = ctx->settings.alpn;
  size_t ours_len = ctx->settings.alpn_len;
  for (size_t i = 0; ours != NULL && i < ours_len; i += 1 + ours[i]) {
    for (unsigned j = 0; j < in_len; j += 1 + in[j]) {
      if (ours[i] == in[j] && j + 1 + in[j] <= in_len &&
          memcmp(ours + i + 1, in + j + 1, ours[i]) == 0) {
        *out = in + j + 1;
        *out_len = in[j];
        return SSL_TLSEXT_ERR_OK;
      }
    }
  }
  return SSL_TLSEXT_ERR_NOACK;
}

/* Client: a session (or TLS 1.3 ticket) to keep for resumption. */
static int new_session(SSL *ssl, SSL_SESSION *session) {
  uint8_t key[32];
  sectrans_context *ctx = context_of(ssl);
  if (session_cache_key(ctx, key) != SECTRANS_SUCCESS)
    return 0; /* no peer ID: BoringSSL frees it */
  session_cache_put(key, session);
  return 1;
}

static void log_key(const SSL *ssl, const char *line) {
  const sectrans_context *ctx = context_of(ssl);
  if (ctx != NULL && ctx->settings.keylog != NULL)
    ctx->settings.keylog(ctx->settings.keylog_user, line);
}

void callbacks_install(SSL_CTX *ssl_ctx, int side, int log_keys) {
  bssl.SSL_CTX_set_cert_cb(ssl_ctx, select_certificate, NULL);
  if (log_keys)
    bssl.SSL_CTX_set_keylog_callback(ssl_ctx, log_key);
  if (side == SECTRANS_SERVER) {
    bssl.SSL_CTX_set_select_certificate_cb(ssl_ctx, client_hello);
    bssl.SSL_CTX_set_alpn_select_cb(ssl_ctx, select_alpn, NULL);
  } else {
    bssl.SSL_CTX_set_session_cache_mode(
        ssl_ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    bssl.SSL_CTX_sess_set_new_cb(ssl_ctx, new_session);
  }
}
