/*
 * ocsp.c: stapled OCSP responses: a server sets one, a client reads it.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

sectrans_status sectrans_set_ocsp_response(sectrans_context *ctx,
                                           const void *der, size_t len) {
  sectrans_status status;
  if (context_settings(ctx, &status) == NULL)
    return status;
  if (der == NULL || len == 0 || len > SECTRANS_MAX_PEM_LENGTH)
    return SECTRANS_ERR_PARAM;
  return copy_in(&ctx->ocsp, &ctx->ocsp_len, der, len);
}

sectrans_status sectrans_copy_ocsp_response(const sectrans_context *ctx,
                                            void *buf, size_t *len) {
  const uint8_t *response = NULL;
  size_t response_len = 0;
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_ERR_PARAM;
  if (ctx->side == SECTRANS_CLIENT)
    bssl.SSL_get0_ocsp_response(ctx->ssl, &response, &response_len);
  return copy_out(response, response_len, buf, len);
}
