/*
 * client_auth.c: client certificates as both sides see them: the client
 * certificate state, and the certificate authorities a server names in its
 * CertificateRequest.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

sectrans_status sectrans_get_client_certificate_state(
    const sectrans_context *ctx, int *state) {
  if (bad_handle(ctx, KIND_CONTEXT) || state == NULL)
    return SECTRANS_ERR_PARAM;
  if (ctx->side == SECTRANS_CLIENT ||
      ctx->client_cert == SECTRANS_CLIENT_CERT_STATE_REJECTED)
    *state = ctx->client_cert;
  else if (ctx->settings.client_auth == SECTRANS_AUTHENTICATE_NEVER)
    *state = SECTRANS_CLIENT_CERT_STATE_NONE;
  else
    *state = ctx->peer_trust != NULL    ? SECTRANS_CLIENT_CERT_STATE_SENT
             : ctx->phase != PHASE_IDLE ? SECTRANS_CLIENT_CERT_STATE_REQUESTED
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
  if (context_settings(ctx, &status) == NULL)
    return status;
  if (der == NULL || len == 0 || len > SECTRANS_MAX_PEM_LENGTH ||
      !is_x501_name(der, len))
    return SECTRANS_ERR_PARAM;
  CRYPTO_BUFFER **grown = realloc(ctx->dn,
                                  (ctx->dn_count + 1) * sizeof(*grown));
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
static const STACK_OF(CRYPTO_BUFFER) *received_names(
    const sectrans_context *ctx) {
  return ctx->side == SECTRANS_CLIENT
             ? bssl.SSL_get0_server_requested_CAs(ctx->ssl)
             : NULL;
}

sectrans_status sectrans_get_distinguished_name_count(
    const sectrans_context *ctx, size_t *count) {
  if (bad_handle(ctx, KIND_CONTEXT) || count == NULL)
    return SECTRANS_ERR_PARAM;
  const STACK_OF(CRYPTO_BUFFER) *names = received_names(ctx);
  *count = ctx->side == SECTRANS_SERVER ? ctx->dn_count
           : names                      ? bssl.sk_num((const _STACK *)names)
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
