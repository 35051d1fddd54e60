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
  return ctx->state == SECTRANS_STATE_HANDSHAKE ||
         ctx->state == SECTRANS_STATE_CONNECTED;
}

/* ---- creation ---------------------------------------------------------------- */

static sectrans_status attach_ssl(sectrans_context *ctx) {
  ctx->ssl = bssl.SSL_new(ctx->config->ssl_ctx);
  ctx->rbio = bssl.BIO_new(bssl.BIO_s_mem());
  ctx->wbio = bssl.BIO_new(bssl.BIO_s_mem());
  if (ctx->ssl == NULL || ctx->rbio == NULL || ctx->wbio == NULL) {
    if (ctx->rbio != NULL) bssl.BIO_free(ctx->rbio);
    if (ctx->wbio != NULL) bssl.BIO_free(ctx->wbio);
    ctx->rbio = ctx->wbio = NULL;
    return SECTRANS_ERR_ALLOCATE;
  }
  /* An empty BIO means "wait for more", never end of stream. */
  bssl.BIO_set_mem_eof_return(ctx->rbio, -1);
  bssl.BIO_set_mem_eof_return(ctx->wbio, -1);
  bssl.SSL_set_bio(ctx->ssl, ctx->rbio, ctx->wbio); /* ssl owns both */
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
  ctx->state = SECTRANS_STATE_IDLE;
  if (!settings_copy(&ctx->settings, &config->settings)) {
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
    return bssl_load() ? SECTRANS_ERR_ALLOCATE : SECTRANS_ERR_INTERNAL;
  return create_from(config, out);
}

sectrans_status sectrans_context_create_with_config(sectrans_config *config,
                                                    sectrans_context **out) {
  if (out == NULL)
    return SECTRANS_ERR_PARAM;
  *out = NULL;
  if (config == NULL)
    return SECTRANS_ERR_PARAM;
  if (!config_freeze(config))
    return bssl_load() ? SECTRANS_ERR_ALLOCATE : SECTRANS_ERR_INTERNAL;
  return create_from(config, out);
}

sectrans_context *sectrans_context_retain(sectrans_context *ctx) {
  if (ctx != NULL)
    object_retain(&ctx->obj);
  return ctx;
}

void sectrans_context_release(sectrans_context *ctx) {
  if (ctx == NULL || !object_release(&ctx->obj))
    return;
  if (ctx->ssl != NULL)
    bssl.SSL_free(ctx->ssl); /* frees rbio and wbio too */
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
  return ctx ? ctx->detail : "";
}

/* ---- per-context settings ----------------------------------------------------- */

static struct settings *settable(sectrans_context *ctx, sectrans_status *status) {
  if (ctx == NULL) {
    *status = SECTRANS_ERR_PARAM;
    return NULL;
  }
  if (context_is_active(ctx)) {
    *status = SECTRANS_ERR_BAD_REQ;
    return NULL;
  }
  return &ctx->settings;
}

#define CONTEXT_SETTER(signature, call) SETTINGS_SETTER(signature, settable, ctx, call)

CONTEXT_SETTER(sectrans_set_protocol_version_min(sectrans_context *ctx, int protocol),
               settings_set_protocol_min(s, protocol))
CONTEXT_SETTER(sectrans_set_protocol_version_max(sectrans_context *ctx, int protocol),
               settings_set_protocol_max(s, protocol))
CONTEXT_SETTER(sectrans_set_trust_store(sectrans_context *ctx, sectrans_trust_store *store),
               settings_set_anchors(s, store))
CONTEXT_SETTER(sectrans_set_verify_mode(sectrans_context *ctx, int mode),
               settings_set_verify_mode(s, mode))
CONTEXT_SETTER(sectrans_set_alpn(sectrans_context *ctx, const void *protocols, size_t len),
               settings_set_alpn(s, protocols, len))
CONTEXT_SETTER(sectrans_set_enabled_ciphers(sectrans_context *ctx, const uint16_t *suites, size_t count),
               settings_set_ciphers(s, suites, count))
CONTEXT_SETTER(sectrans_set_session_option(sectrans_context *ctx, int option, int value),
               settings_set_option(s, option, value))
CONTEXT_SETTER(sectrans_set_client_side_authenticate(sectrans_context *ctx, int auth),
               settings_set_client_auth(s, auth))
CONTEXT_SETTER(sectrans_set_keylog_callback(sectrans_context *ctx, sectrans_keylog_func func, void *user),
               settings_set_keylog(s, func, user))

/* Any state: a server picks its identity after the ClientHello break, a
 * client after the certificate request. */
sectrans_status sectrans_set_identity(sectrans_context *ctx,
                                      sectrans_identity *identity) {
  if (ctx == NULL)
    return SECTRANS_ERR_PARAM;
  settings_set_identity(&ctx->settings, identity);
  if (ctx->state == SECTRANS_STATE_HANDSHAKE && identity != NULL &&
      !identity_install(identity, ctx->ssl))
    return SECTRANS_ERR_BAD_CERT;
  return SECTRANS_SUCCESS;
}

/* Secure Transport never checks the state for this one. */
sectrans_status sectrans_set_session_tickets_enabled(sectrans_context *ctx,
                                                     int enabled) {
  if (ctx == NULL)
    return SECTRANS_ERR_PARAM;
  return settings_set_option(&ctx->settings,
                             SECTRANS_OPTION_ENABLE_SESSION_TICKETS, enabled);
}

sectrans_status sectrans_get_session_option(const sectrans_context *ctx,
                                            int option, int *value) {
  if (ctx == NULL || value == NULL || option < SECTRANS_OPTION_BREAK_ON_SERVER_AUTH ||
      option > SECTRANS_OPTION_ENABLE_SESSION_TICKETS)
    return SECTRANS_ERR_PARAM;
  *value = (int)SETTINGS_OPTION(&ctx->settings, option);
  return SECTRANS_SUCCESS;
}

/* ---- resumption ---------------------------------------------------------------- */

enum { MAX_PEER_ID_LENGTH = 1024 };

sectrans_status sectrans_set_peer_id(sectrans_context *ctx, const void *peer_id,
                                     size_t len) {
  if (ctx == NULL || peer_id == NULL || len == 0 || len > MAX_PEER_ID_LENGTH)
    return SECTRANS_ERR_PARAM;
  if (context_is_active(ctx) &&
      ctx->pending_break != SECTRANS_CLIENT_CERT_REQUESTED)
    return SECTRANS_ERR_BAD_REQ;
  uint8_t *copy = malloc(len);
  if (copy == NULL)
    return SECTRANS_ERR_ALLOCATE;
  memcpy(copy, peer_id, len);
  free(ctx->peer_id);
  ctx->peer_id = copy;
  ctx->peer_id_len = len;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_get_peer_id(const sectrans_context *ctx, void *buf,
                                     size_t *len) {
  if (ctx == NULL)
    return SECTRANS_ERR_PARAM;
  return copy_out(ctx->peer_id, ctx->peer_id_len, buf, len);
}

sectrans_status sectrans_get_session_resumed(const sectrans_context *ctx,
                                             int *resumed) {
  if (ctx == NULL || resumed == NULL)
    return SECTRANS_ERR_PARAM;
  *resumed = ctx->state != SECTRANS_STATE_IDLE && bssl.SSL_session_reused(ctx->ssl);
  return SECTRANS_SUCCESS;
}

/* ---- client certificates ---------------------------------------------------------- */

sectrans_status sectrans_get_client_certificate_state(const sectrans_context *ctx,
                                                      int *state) {
  if (ctx == NULL || state == NULL)
    return SECTRANS_ERR_PARAM;
  if (ctx->client_cert_rejected)
    *state = SECTRANS_CLIENT_CERT_STATE_REJECTED;
  else if (ctx->side == SECTRANS_CLIENT)
    *state = ctx->client_cert_sent        ? SECTRANS_CLIENT_CERT_STATE_SENT
             : ctx->client_cert_requested ? SECTRANS_CLIENT_CERT_STATE_REQUESTED
                                          : SECTRANS_CLIENT_CERT_STATE_NONE;
  else if (ctx->settings.client_auth == SECTRANS_AUTHENTICATE_NEVER)
    *state = SECTRANS_CLIENT_CERT_STATE_NONE;
  else
    *state = ctx->peer_trust != NULL             ? SECTRANS_CLIENT_CERT_STATE_SENT
             : ctx->state != SECTRANS_STATE_IDLE ? SECTRANS_CLIENT_CERT_STATE_REQUESTED
                                                 : SECTRANS_CLIENT_CERT_STATE_NONE;
  return SECTRANS_SUCCESS;
}

static int is_x501_name(const uint8_t *der, size_t len) {
  const uint8_t *p = der;
  X509_NAME *name = bssl.d2i_X509_NAME(NULL, &p, (long)len);
  int whole = name != NULL && p == der + len;
  if (name != NULL)
    bssl.X509_NAME_free(name);
  return whole;
}

sectrans_status sectrans_add_distinguished_name(sectrans_context *ctx,
                                                const void *der, size_t len) {
  sectrans_status status;
  if (settable(ctx, &status) == NULL)
    return status;
  if (der == NULL || len == 0 || len > SECTRANS_MAX_PEM_LENGTH ||
      !is_x501_name(der, len))
    return SECTRANS_ERR_PARAM;
  CRYPTO_BUFFER **grown = realloc(ctx->dn, (ctx->dn_count + 1) * sizeof(*grown));
  if (grown == NULL)
    return SECTRANS_ERR_ALLOCATE;
  ctx->dn = grown;
  /* Secure Transport prepends. */
  CRYPTO_BUFFER *name = bssl.CRYPTO_BUFFER_new(der, len, NULL);
  if (name == NULL)
    return SECTRANS_ERR_ALLOCATE;
  memmove(ctx->dn + 1, ctx->dn, ctx->dn_count * sizeof(*ctx->dn));
  ctx->dn[0] = name;
  ctx->dn_count++;
  return SECTRANS_SUCCESS;
}

/* The names a client received, or those a server sends. */
static const STACK_OF(CRYPTO_BUFFER) *received_names(const sectrans_context *ctx) {
  return ctx->side == SECTRANS_CLIENT ? bssl.SSL_get0_server_requested_CAs(ctx->ssl)
                                      : NULL;
}

sectrans_status sectrans_get_distinguished_name_count(const sectrans_context *ctx,
                                                      size_t *count) {
  if (ctx == NULL || count == NULL)
    return SECTRANS_ERR_PARAM;
  const STACK_OF(CRYPTO_BUFFER) *names = received_names(ctx);
  *count = ctx->side == SECTRANS_SERVER ? ctx->dn_count
           : names                       ? bssl.sk_num((const _STACK *)names)
                                         : 0;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_copy_distinguished_name(const sectrans_context *ctx,
                                                 size_t index, void *buf,
                                                 size_t *len) {
  size_t count;
  sectrans_status status = sectrans_get_distinguished_name_count(ctx, &count);
  if (status != SECTRANS_SUCCESS)
    return status;
  if (index >= count)
    return SECTRANS_ERR_PARAM;
  const CRYPTO_BUFFER *name =
      ctx->side == SECTRANS_SERVER
          ? ctx->dn[index]
          : bssl.sk_value((const _STACK *)received_names(ctx), index);
  return copy_out(bssl.CRYPTO_BUFFER_data(name), bssl.CRYPTO_BUFFER_len(name),
                  buf, len);
}

sectrans_status sectrans_get_requested_peer_name(const sectrans_context *ctx,
                                                 void *buf, size_t *len) {
  if (ctx == NULL)
    return SECTRANS_ERR_PARAM;
  const char *name = ctx->requested_name;
  if (name == NULL && ctx->side == SECTRANS_SERVER)
    name = bssl.SSL_get_servername(ctx->ssl, TLSEXT_NAMETYPE_host_name);
  if (name == NULL)
    return SECTRANS_ERR_PARAM; /* no SNI, as in Secure Transport */
  return copy_out(name, strlen(name), buf, len);
}

/* ---- OCSP ---------------------------------------------------------------------------- */

sectrans_status sectrans_set_ocsp_response(sectrans_context *ctx, const void *der,
                                           size_t len) {
  sectrans_status status;
  if (settable(ctx, &status) == NULL)
    return status;
  if (der == NULL || len == 0 || len > SECTRANS_MAX_PEM_LENGTH)
    return SECTRANS_ERR_PARAM;
  uint8_t *copy = malloc(len);
  if (copy == NULL)
    return SECTRANS_ERR_ALLOCATE;
  memcpy(copy, der, len);
  free(ctx->ocsp);
  ctx->ocsp = copy;
  ctx->ocsp_len = len;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_copy_ocsp_response(const sectrans_context *ctx, void *buf,
                                            size_t *len) {
  const uint8_t *response = NULL;
  size_t response_len = 0;
  if (ctx == NULL)
    return SECTRANS_ERR_PARAM;
  if (ctx->side == SECTRANS_CLIENT)
    bssl.SSL_get0_ocsp_response(ctx->ssl, &response, &response_len);
  return copy_out(response, response_len, buf, len);
}

sectrans_status sectrans_set_peer_domain_name(sectrans_context *ctx,
                                              const char *name, size_t len) {
  sectrans_status status;
  if (settable(ctx, &status) == NULL)
    return status;
  if ((name == NULL && len > 0) || len > SECTRANS_MAX_PEER_NAME_LENGTH + 1)
    return SECTRANS_ERR_PARAM;
  if (len > 0 && name[len - 1] == '\0')
    len--; /* Secure Transport tolerates a counted trailing NUL */
  if (len > 1 && name[len - 1] == '.')
    len--; /* "host." is absolute anyway; SNI and certificates omit the dot */
  if (len > SECTRANS_MAX_PEER_NAME_LENGTH || memchr(name, '\0', len) != NULL)
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
  if (ctx == NULL)
    return SECTRANS_ERR_PARAM;
  return copy_out(ctx->peer_name, ctx->peer_name_len, buf, len);
}

sectrans_status sectrans_get_verify_mode(const sectrans_context *ctx, int *mode) {
  if (ctx == NULL || mode == NULL)
    return SECTRANS_ERR_PARAM;
  *mode = ctx->settings.verify_mode;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_get_protocol_version_min(const sectrans_context *ctx,
                                                  int *protocol) {
  if (ctx == NULL || protocol == NULL)
    return SECTRANS_ERR_PARAM;
  *protocol = ctx->settings.protocol_min;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_get_protocol_version_max(const sectrans_context *ctx,
                                                  int *protocol) {
  if (ctx == NULL || protocol == NULL)
    return SECTRANS_ERR_PARAM;
  *protocol = ctx->settings.protocol_max;
  return SECTRANS_SUCCESS;
}

/* ---- cipher lists ------------------------------------------------------------ */

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
      out[n] = bssl.SSL_CIPHER_get_protocol_id(bssl.sk_value((const _STACK *)list, i));
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
                                               uint16_t *suites, size_t *count) {
  uint16_t all[SECTRANS_MAX_CIPHERS];
  if (ctx == NULL)
    return SECTRANS_ERR_PARAM;
  size_t n = default_suites(ctx, all, SECTRANS_MAX_CIPHERS);
  return copy_suites(all, n < SECTRANS_MAX_CIPHERS ? n : SECTRANS_MAX_CIPHERS,
                     suites, count);
}

sectrans_status sectrans_get_enabled_ciphers(const sectrans_context *ctx,
                                             uint16_t *suites, size_t *count) {
  if (ctx == NULL)
    return SECTRANS_ERR_PARAM;
  if (ctx->settings.ciphers == NULL)
    return sectrans_get_supported_ciphers(ctx, suites, count);
  return copy_suites(ctx->settings.ciphers, ctx->settings.cipher_count, suites,
                     count);
}

/* ---- what was negotiated --------------------------------------------------- */

sectrans_status sectrans_get_session_state(const sectrans_context *ctx,
                                          int *state) {
  if (ctx == NULL || state == NULL)
    return SECTRANS_ERR_PARAM;
  *state = ctx->state;
  return SECTRANS_SUCCESS;
}

static int version_known(const sectrans_context *ctx) {
  return ctx->state != SECTRANS_STATE_IDLE &&
         (bssl.SSL_is_init_finished(ctx->ssl) || ctx->peer_trust != NULL);
}

sectrans_status sectrans_get_negotiated_protocol_version(
    const sectrans_context *ctx, int *protocol) {
  if (ctx == NULL || protocol == NULL)
    return SECTRANS_ERR_PARAM;
  *protocol = version_known(ctx) ? protocol_from_wire(bssl.SSL_version(ctx->ssl))
                                 : SECTRANS_PROTOCOL_UNKNOWN;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_get_negotiated_cipher(const sectrans_context *ctx,
                                               uint16_t *suite) {
  if (ctx == NULL || suite == NULL)
    return SECTRANS_ERR_PARAM;
  const SSL_CIPHER *cipher = bssl.SSL_get_current_cipher(ctx->ssl);
  if (!context_is_active(ctx) || cipher == NULL)
    return SECTRANS_ERR_BAD_REQ;
  *suite = bssl.SSL_CIPHER_get_protocol_id(cipher);
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_get_negotiated_group(const sectrans_context *ctx,
                                              uint16_t *group) {
  if (ctx == NULL || group == NULL)
    return SECTRANS_ERR_PARAM;
  *group = ctx->state == SECTRANS_STATE_IDLE ? 0 : bssl.SSL_get_curve_id(ctx->ssl);
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_get_negotiated_alpn(const sectrans_context *ctx,
                                             void *buf, size_t *len) {
  const uint8_t *alpn = NULL;
  unsigned alpn_len = 0;
  if (ctx == NULL)
    return SECTRANS_ERR_PARAM;
  bssl.SSL_get0_alpn_selected(ctx->ssl, &alpn, &alpn_len);
  return copy_out(alpn, alpn_len, buf, len);
}

sectrans_status sectrans_get_buffered_read_size(const sectrans_context *ctx,
                                                size_t *size) {
  if (ctx == NULL || size == NULL)
    return SECTRANS_ERR_PARAM;
  *size = (size_t)bssl.SSL_pending(ctx->ssl);
  return SECTRANS_SUCCESS;
}

int sectrans_wants(const sectrans_context *ctx) {
  if (ctx == NULL)
    return SECTRANS_WANT_NOTHING;
  int wants = ctx->wants;
  size_t pending = 0;
  if (ctx->transport.kind == TRANSPORT_MEMORY &&
      sectrans_output_pending(ctx, &pending) == SECTRANS_SUCCESS && pending > 0)
    wants |= SECTRANS_WANT_WRITE;
  return wants;
}

/* The peer's chain under this context's policy: its anchors, and the peer
 * name when a client verifies names. */
sectrans_trust *context_peer_trust_create(sectrans_context *ctx) {
  const char *host = ctx->side == SECTRANS_CLIENT &&
                             ctx->settings.verify_mode == SECTRANS_VERIFY_FULL
                         ? ctx->peer_name
                         : NULL;
  return trust_create_from_buffers(bssl.SSL_get0_peer_certificates(ctx->ssl),
                                   ctx->settings.anchors,
                                   ctx->side == SECTRANS_CLIENT, host);
}

sectrans_status sectrans_copy_peer_trust(sectrans_context *ctx,
                                         sectrans_trust **trust) {
  if (ctx == NULL || trust == NULL)
    return SECTRANS_ERR_PARAM;
  if (ctx->peer_trust == NULL && ctx->state != SECTRANS_STATE_IDLE) {
    /* Built lazily when no verification step ran (a resumed session). */
    const STACK_OF(CRYPTO_BUFFER) *certs = bssl.SSL_get0_peer_certificates(ctx->ssl);
    if (certs != NULL && bssl.sk_num((const _STACK *)certs) > 0 &&
        (ctx->peer_trust = context_peer_trust_create(ctx)) == NULL)
      return SECTRANS_ERR_ALLOCATE;
  }
  *trust = sectrans_trust_retain(ctx->peer_trust);
  return SECTRANS_SUCCESS;
}
