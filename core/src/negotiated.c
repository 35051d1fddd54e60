/*
 * negotiated.c: what a session reports: its state, what was negotiated,
 * what the client asked for, the peer's trust, and what to wait for.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

sectrans_status sectrans_get_session_state(const sectrans_context *ctx,
                                           int *state) {
  if (bad_handle(ctx, KIND_CONTEXT) || state == NULL)
    return SECTRANS_ERR_PARAM;
  *state = phase_state(ctx->phase);
  return SECTRANS_SUCCESS;
}

static int version_known(const sectrans_context *ctx) {
  return ctx->phase != PHASE_IDLE &&
         (bssl.SSL_is_init_finished(ctx->ssl) || ctx->peer_trust != NULL);
}

sectrans_status sectrans_get_negotiated_protocol_version(
    const sectrans_context *ctx, int *protocol) {
  if (bad_handle(ctx, KIND_CONTEXT) || protocol == NULL)
    return SECTRANS_ERR_PARAM;
  *protocol = version_known(ctx)
                  ? protocol_from_wire(bssl.SSL_version(ctx->ssl))
                  : SECTRANS_PROTOCOL_UNKNOWN;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_get_negotiated_cipher(const sectrans_context *ctx,
                                               uint16_t *suite) {
  if (bad_handle(ctx, KIND_CONTEXT) || suite == NULL)
    return SECTRANS_ERR_PARAM;
  const SSL_CIPHER *cipher = bssl.SSL_get_current_cipher(ctx->ssl);
  if (!context_is_active(ctx) || cipher == NULL)
    return SECTRANS_ERR_BAD_REQ;
  *suite = bssl.SSL_CIPHER_get_protocol_id(cipher);
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_get_negotiated_group(const sectrans_context *ctx,
                                              uint16_t *group) {
  if (bad_handle(ctx, KIND_CONTEXT) || group == NULL)
    return SECTRANS_ERR_PARAM;
  *group = ctx->phase == PHASE_IDLE ? 0 : bssl.SSL_get_curve_id(ctx->ssl);
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_get_negotiated_alpn(const sectrans_context *ctx,
                                             void *buf, size_t *len) {
  const uint8_t *alpn = NULL;
  unsigned alpn_len = 0;
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_ERR_PARAM;
  bssl.SSL_get0_alpn_selected(ctx->ssl, &alpn, &alpn_len);
  return copy_out(alpn, alpn_len, buf, len);
}

sectrans_status sectrans_get_buffered_read_size(const sectrans_context *ctx,
                                                size_t *size) {
  if (bad_handle(ctx, KIND_CONTEXT) || size == NULL)
    return SECTRANS_ERR_PARAM;
  *size = (size_t)bssl.SSL_pending(ctx->ssl);
  return SECTRANS_SUCCESS;
}

int sectrans_wants(const sectrans_context *ctx) {
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_WANT_NOTHING;
  int wants = ctx->wants;
  size_t pending = 0;
  if (ctx->transport.kind == TRANSPORT_MEMORY &&
      sectrans_output_pending(ctx, &pending) == SECTRANS_SUCCESS && pending > 0)
    wants |= SECTRANS_WANT_WRITE;
  return wants;
}

sectrans_status sectrans_copy_peer_trust(sectrans_context *ctx,
                                         sectrans_trust **trust) {
  if (bad_handle(ctx, KIND_CONTEXT) || trust == NULL)
    return SECTRANS_ERR_PARAM;
  if (ctx->peer_trust == NULL && ctx->phase != PHASE_IDLE) {
    /* Built lazily when no verification step ran (a resumed session). */
    const STACK_OF(CRYPTO_BUFFER) *certs = bssl.SSL_get0_peer_certificates(
        ctx->ssl);
    if (certs != NULL && bssl.sk_num((const _STACK *)certs) > 0 &&
        (ctx->peer_trust = context_peer_trust_create(ctx)) == NULL)
      return SECTRANS_ERR_ALLOCATE;
  }
  *trust = sectrans_trust_retain(ctx->peer_trust);
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_get_requested_peer_name(const sectrans_context *ctx,
                                                 void *buf, size_t *len) {
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_ERR_PARAM;
  const char *name = ctx->requested_name;
  if (name == NULL && ctx->side == SECTRANS_SERVER)
    name = bssl.SSL_get_servername(ctx->ssl, TLSEXT_NAMETYPE_host_name);
  if (name == NULL)
    return SECTRANS_ERR_PARAM; /* no SNI, as in Secure Transport */
  return copy_out(name, strlen(name), buf, len);
}
