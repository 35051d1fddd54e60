/*
 * exporter.c (1.1): keying-material exporters (RFC 5705, RFC 8446 section
 * 7.5) and the tls-unique channel binding (RFC 5929).
 */
#include <string.h>

#include "internal.h"

/* Connected: the handshake is done and the session not closed or failed. */
static int connected(const sectrans_context *ctx) {
  return ctx->phase == PHASE_CONNECTED || ctx->phase == PHASE_WRITE_CLOSED;
}

sectrans_status sectrans_export_keying_material(
    sectrans_context *ctx, void *out, size_t out_len, const char *label,
    size_t label_len, const void *context, size_t context_len,
    int use_context) {
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_ERR_PARAM;
  if (label == NULL) {
    context_set_detail(ctx, "exporter: label is NULL");
    return SECTRANS_ERR_PARAM;
  }
  if (out == NULL && out_len > 0) {
    context_set_detail(ctx, "exporter: out is NULL");
    return SECTRANS_ERR_PARAM;
  }
  if (use_context && context == NULL && context_len > 0) {
    context_set_detail(ctx, "exporter: context is NULL");
    return SECTRANS_ERR_PARAM;
  }
  if (label_len > SECTRANS_EXPORTER_MAX_LABEL) {
    context_set_detail(ctx, "exporter: label of %zu bytes (at most %d)",
                       label_len, SECTRANS_EXPORTER_MAX_LABEL);
    return SECTRANS_ERR_PARAM;
  }
  if (out_len > SECTRANS_EXPORTER_MAX_LENGTH) {
    context_set_detail(ctx, "exporter: length of %zu bytes (at most %d)",
                       out_len, SECTRANS_EXPORTER_MAX_LENGTH);
    return SECTRANS_ERR_PARAM;
  }
  if (use_context && context_len > SECTRANS_EXPORTER_MAX_CONTEXT) {
    context_set_detail(ctx, "exporter: context of %zu bytes (at most %d)",
                       context_len, SECTRANS_EXPORTER_MAX_CONTEXT);
    return SECTRANS_ERR_PARAM;
  }
  if (!connected(ctx)) {
    context_set_detail(ctx, "exporter: the session is not connected");
    return SECTRANS_ERR_BAD_REQ;
  }
  if (out_len == 0)
    return SECTRANS_SUCCESS;
  static const uint8_t empty[1] = {0};
  bssl.ERR_clear_error();
  if (!bssl.SSL_export_keying_material(ctx->ssl, out, out_len, label, label_len,
                                       context != NULL ? context : empty,
                                       use_context ? context_len : 0,
                                       use_context ? 1 : 0)) {
    char why[200];
    uint32_t err = bssl.ERR_get_error();
    if (err != 0)
      bssl.ERR_error_string_n(err, why, sizeof why);
    else
      strcpy(why, "refused");
    bssl.ERR_clear_error();
    context_set_detail(ctx, "exporter: %s", why);
    return SECTRANS_ERR_INTERNAL;
  }
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_get_tls_unique(sectrans_context *ctx, void *buf,
                                        size_t *len) {
  if (bad_handle(ctx, KIND_CONTEXT) || len == NULL)
    return SECTRANS_ERR_PARAM;
  if (!connected(ctx)) {
    context_set_detail(ctx, "tls-unique: the session is not connected");
    return SECTRANS_ERR_BAD_REQ;
  }
  if (bssl.SSL_version(ctx->ssl) != TLS1_2_VERSION) {
    context_set_detail(ctx, "tls-unique: TLS 1.2 only (RFC 9266)");
    return SECTRANS_ERR_BAD_REQ;
  }
  uint8_t unique[64];
  size_t unique_len = 0;
  if (!bssl.SSL_get_tls_unique(ctx->ssl, unique, &unique_len, sizeof unique)) {
    bssl.ERR_clear_error();
    context_set_detail(ctx, "tls-unique: not available");
    return SECTRANS_ERR_BAD_REQ;
  }
  return copy_out(unique, unique_len, buf, len);
}
