/*
 * context.c: creating a context, its per-context settings, and what it
 * reports. The session itself (handshake, read, write, close) is session.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void context_set_detail(sectrans_context *ctx, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vsnprintf(ctx->detail, sizeof(ctx->detail), fmt, args);
  va_end(args);
}

/* Secure Transport: active is anything but idle, closed and aborted. */
int context_is_active(const sectrans_context *ctx) {
  int state = phase_state(ctx->phase);
  return state == SECTRANS_STATE_HANDSHAKE || state == SECTRANS_STATE_CONNECTED;
}

/* ---- creation ------------------------------------------------------------ */

static sectrans_status attach_ssl(sectrans_context *ctx) {
  ctx->ssl = bssl.SSL_new(ctx->config->ssl_ctx);
  if (ctx->ssl == NULL)
    return SECTRANS_ERR_ALLOCATE;
  BIO *bio = transport_bio_new(ctx);
  if (bio == NULL)
    return SECTRANS_ERR_ALLOCATE;
  bssl.SSL_set_bio(ctx->ssl, bio, bio); /* ssl owns it */
  if (!bssl.SSL_set_ex_data(ctx->ssl, config_ssl_ex_index(), ctx))
    return SECTRANS_ERR_ALLOCATE;
  if (ctx->side == SECTRANS_CLIENT)
    bssl.SSL_set_connect_state(ctx->ssl);
  else
    bssl.SSL_set_accept_state(ctx->ssl);
  return SECTRANS_SUCCESS;
}

static sectrans_status create_from(sectrans_config *config,
                                   sectrans_context **out) {
  sectrans_context *ctx = calloc(1, sizeof(*ctx));
  if (ctx == NULL)
    return SECTRANS_ERR_ALLOCATE;
  object_init(&ctx->obj, KIND_CONTEXT);
  ctx->side = config->side;
  ctx->config = sectrans_config_retain(config);
  ctx->phase = PHASE_IDLE;
  if (settings_copy(&ctx->settings, &config->settings) != SECTRANS_SUCCESS) {
    settings_init(&ctx->settings);
    sectrans_context_release(ctx);
    return SECTRANS_ERR_ALLOCATE;
  }
  sectrans_status status = attach_ssl(ctx);
  if (status != SECTRANS_SUCCESS) {
    sectrans_context_release(ctx);
    return status;
  }
  *out = ctx;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_context_create(int side, int type,
                                        sectrans_context **out) {
  if (out == NULL)
    return SECTRANS_ERR_PARAM;
  *out = NULL;
  if ((side != SECTRANS_SERVER && side != SECTRANS_CLIENT) ||
      (type != SECTRANS_STREAM && type != SECTRANS_DATAGRAM))
    return SECTRANS_ERR_PARAM;
  if (type == SECTRANS_DATAGRAM)
    return SECTRANS_ERR_UNIMPLEMENTED;
  sectrans_config *config = config_default(side);
  if (config == NULL)
    return bssl_load() == SECTRANS_SUCCESS ? SECTRANS_ERR_ALLOCATE
                                           : SECTRANS_ERR_INTERNAL;
  return create_from(config, out);
}

sectrans_status sectrans_context_create_with_config(sectrans_config *config,
                                                    sectrans_context **out) {
  if (out == NULL)
    return SECTRANS_ERR_PARAM;
  *out = NULL;
  if (bad_handle(config, KIND_CONFIG))
    return SECTRANS_ERR_PARAM;
  sectrans_status status = config_freeze(config);
  return status == SECTRANS_SUCCESS ? create_from(config, out) : status;
}

OBJECT_RETAIN_RELEASE(sectrans_context, context, KIND_CONTEXT)

void context_free(sectrans_context *ctx) {
  if (ctx->ssl != NULL)
    bssl.SSL_free(ctx->ssl); /* frees the BIO too */
  transport_clear(&ctx->transport);
  settings_clear(&ctx->settings);
  sectrans_trust_release(ctx->peer_trust);
  sectrans_config_release(ctx->config);
  for (size_t i = 0; i < ctx->dn_count; i++)
    bssl.CRYPTO_BUFFER_free(ctx->dn[i]);
  free(ctx->dn);
  free(ctx->peer_name);
  free(ctx->peer_id);
  free(ctx->requested_name);
  free(ctx->ocsp);
  free(ctx);
}

const char *sectrans_context_error_detail(const sectrans_context *ctx) {
  return bad_handle(ctx, KIND_CONTEXT) ? "" : ctx->detail;
}

/* ---- per-context settings ------------------------------------------------ */

struct settings *context_settings(sectrans_context *ctx,
                                  sectrans_status *status) {
  if (bad_handle(ctx, KIND_CONTEXT)) {
    *status = SECTRANS_ERR_PARAM;
    return NULL;
  }
  if (context_is_active(ctx)) {
    *status = SECTRANS_ERR_BAD_REQ;
    return NULL;
  }
  return &ctx->settings;
}

#define CONTEXT_SETTER(signature, call)                                        \
  SETTINGS_SETTER(signature, context_settings, ctx, call)

CONTEXT_SETTER(sectrans_set_protocol_version_min(sectrans_context *ctx,
                                                 int protocol),
               settings_set_protocol_min(s, protocol))
CONTEXT_SETTER(sectrans_set_protocol_version_max(sectrans_context *ctx,
                                                 int protocol),
               settings_set_protocol_max(s, protocol))
CONTEXT_SETTER(sectrans_set_trust_store(sectrans_context *ctx,
                                        sectrans_trust_store *store),
               settings_set_anchors(s, store))
CONTEXT_SETTER(sectrans_set_verify_mode(sectrans_context *ctx, int mode),
               settings_set_verify_mode(s, mode))
CONTEXT_SETTER(sectrans_set_alpn(sectrans_context *ctx, const void *protocols,
                                 size_t len),
               settings_set_alpn(s, protocols, len))
CONTEXT_SETTER(sectrans_set_enabled_ciphers(sectrans_context *ctx,
                                            const uint16_t *suites,
                                            size_t count),
               settings_set_ciphers(s, suites, count))
CONTEXT_SETTER(sectrans_set_session_option(sectrans_context *ctx, int option,
                                           int value),
               settings_set_option(s, option, value))
CONTEXT_SETTER(sectrans_set_client_side_authenticate(sectrans_context *ctx,
                                                     int auth),
               settings_set_client_auth(s, auth))
CONTEXT_SETTER(sectrans_set_keylog_callback(sectrans_context *ctx,
                                            sectrans_keylog_func func,
                                            void *user),
               settings_set_keylog(s, func, user))

/* Any state: a server picks its identity after the ClientHello break, a
 * client after the certificate request. */
sectrans_status sectrans_set_identity(sectrans_context *ctx,
                                      sectrans_identity *identity) {
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_ERR_PARAM;
  sectrans_status status = settings_set_identity(&ctx->settings, identity);
  if (status != SECTRANS_SUCCESS)
    return status;
  if (phase_state(ctx->phase) == SECTRANS_STATE_HANDSHAKE && identity != NULL)
    return identity_install(identity, ctx->ssl);
  return SECTRANS_SUCCESS;
}

/* Secure Transport never checks the state for this one. */
sectrans_status sectrans_set_session_tickets_enabled(sectrans_context *ctx,
                                                     int enabled) {
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_ERR_PARAM;
  return settings_set_option(&ctx->settings,
                             SECTRANS_OPTION_ENABLE_SESSION_TICKETS, enabled);
}

sectrans_status sectrans_get_session_option(const sectrans_context *ctx,
                                            int option, int *value) {
  if (bad_handle(ctx, KIND_CONTEXT) || value == NULL ||
      option < SECTRANS_OPTION_BREAK_ON_SERVER_AUTH ||
      option > SECTRANS_OPTION_ENABLE_SESSION_TICKETS)
    return SECTRANS_ERR_PARAM;
  *value = (int)SETTINGS_OPTION(&ctx->settings, option);
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_set_peer_domain_name(sectrans_context *ctx,
                                              const char *name, size_t len) {
  sectrans_status status;
  if (context_settings(ctx, &status) == NULL)
    return status;
  if ((name == NULL && len > 0) || len > SECTRANS_MAX_PEER_NAME_LENGTH + 1)
    return SECTRANS_ERR_PARAM;
  if (len > 0 && name[len - 1] == '\0')
    len--; /* Secure Transport tolerates a counted trailing NUL */
  if (len > 1 && name[len - 1] == '.')
    len--; /* "host." is absolute anyway; SNI and certificates omit the dot */
  /* A '*' would make the name a wildcard pattern that matches many hosts.
   * name may be NULL when len is 0: memchr must not see it (C11 7.24.1). */
  if (len > SECTRANS_MAX_PEER_NAME_LENGTH ||
      (len > 0 &&
       (memchr(name, '\0', len) != NULL || memchr(name, '*', len) != NULL)))
    return SECTRANS_ERR_PARAM;
  if (ctx->side == SECTRANS_SERVER)
    return SECTRANS_SUCCESS; /* a no-op on servers, as in Secure Transport */
  char *copy = NULL;
  if (len > 0) {
    if ((copy = malloc(len + 1)) == NULL)
      return SECTRANS_ERR_ALLOCATE;
    memcpy(copy, name, len);
    copy[len] = '\0';
  }
  free(ctx->peer_name);
  ctx->peer_name = copy;
  ctx->peer_name_len = len;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_get_peer_domain_name(const sectrans_context *ctx,
                                              char *buf, size_t *len) {
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_ERR_PARAM;
  return copy_out(ctx->peer_name, ctx->peer_name_len, buf, len);
}

sectrans_status sectrans_get_verify_mode(const sectrans_context *ctx,
                                         int *mode) {
  if (bad_handle(ctx, KIND_CONTEXT) || mode == NULL)
    return SECTRANS_ERR_PARAM;
  *mode = ctx->settings.verify_mode;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_get_protocol_version_min(const sectrans_context *ctx,
                                                  int *protocol) {
  if (bad_handle(ctx, KIND_CONTEXT) || protocol == NULL)
    return SECTRANS_ERR_PARAM;
  *protocol = ctx->settings.protocol_min;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_get_protocol_version_max(const sectrans_context *ctx,
                                                  int *protocol) {
  if (bad_handle(ctx, KIND_CONTEXT) || protocol == NULL)
    return SECTRANS_ERR_PARAM;
  *protocol = ctx->settings.protocol_max;
  return SECTRANS_SUCCESS;
}

/* ---- cipher lists -------------------------------------------------------- */

static const uint16_t tls13_suites[] = {0x1301, 0x1302, 0x1303};

/* BoringSSL's default TLS 1.2 list, plus the TLS 1.3 suites. */
static size_t default_suites(const sectrans_context *ctx, uint16_t *out,
                             size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < 3; i++, n++)
    if (n < cap)
      out[n] = tls13_suites[i];
  STACK_OF(SSL_CIPHER) *list = bssl.SSL_get_ciphers(ctx->ssl);
  size_t count = list ? bssl.sk_num((const _STACK *)list) : 0;
  for (size_t i = 0; i < count; i++, n++)
    if (n < cap)
      out[n] = bssl.SSL_CIPHER_get_protocol_id(
          bssl.sk_value((const _STACK *)list, i));
  return n;
}

static sectrans_status copy_suites(const uint16_t *suites, size_t n,
                                   uint16_t *out, size_t *count) {
  if (count == NULL)
    return SECTRANS_ERR_PARAM;
  if (out == NULL || *count < n) {
    *count = n;
    return SECTRANS_ERR_BUFFER_OVERFLOW;
  }
  memcpy(out, suites, n * sizeof(*suites));
  *count = n;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_get_supported_ciphers(const sectrans_context *ctx,
                                               uint16_t *suites,
                                               size_t *count) {
  uint16_t all[SECTRANS_MAX_CIPHERS];
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_ERR_PARAM;
  size_t n = default_suites(ctx, all, SECTRANS_MAX_CIPHERS);
  return copy_suites(all, n < SECTRANS_MAX_CIPHERS ? n : SECTRANS_MAX_CIPHERS,
                     suites, count);
}

sectrans_status sectrans_get_enabled_ciphers(const sectrans_context *ctx,
                                             uint16_t *suites, size_t *count) {
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_ERR_PARAM;
  if (ctx->settings.ciphers == NULL)
    return sectrans_get_supported_ciphers(ctx, suites, count);
  return copy_suites(ctx->settings.ciphers, ctx->settings.cipher_count, suites,
                     count);
}
