/*
 * verify.c: a context's verification policy, in one place
 * (docs/architecture.md, "Verification"): whether and how the peer is
 * verified, which name it must have, which break points hand the verdict
 * to the caller, and the verify callback that applies all of it. The
 * session (session.c), the certificate selection (callbacks.c), the peer
 * trust (negotiated.c) and the session cache key (session_cache.c) ask
 * here instead of reading the settings themselves.
 */
#include "internal.h"

/* ---- the policy --------------------------------------------------------- */

int verify_breaks_on_peer_auth(const sectrans_context *ctx) {
  return SETTINGS_OPTION(&ctx->settings,
                         ctx->side == SECTRANS_CLIENT
                             ? SECTRANS_OPTION_BREAK_ON_SERVER_AUTH
                             : SECTRANS_OPTION_BREAK_ON_CLIENT_AUTH);
}

int verify_breaks_on_cert_request(const sectrans_context *ctx) {
  return ctx->side == SECTRANS_CLIENT &&
         SETTINGS_OPTION(&ctx->settings,
                         SECTRANS_OPTION_BREAK_ON_CERT_REQUESTED);
}

/* With BreakOnServerAuth the caller verifies, with its own policy. */
int verify_is_missing_peer_name(const sectrans_context *ctx) {
  return ctx->side == SECTRANS_CLIENT && ctx->peer_name == NULL &&
         ctx->settings.verify_mode == SECTRANS_VERIFY_FULL &&
         !verify_breaks_on_peer_auth(ctx);
}

/* Only a client checks names, and only in full verification. */
static const char *verify_host(const sectrans_context *ctx) {
  return ctx->side == SECTRANS_CLIENT &&
                 ctx->settings.verify_mode == SECTRANS_VERIFY_FULL
             ? ctx->peer_name
             : NULL;
}

void verify_cache_policy(const sectrans_context *ctx, uint32_t out[2]) {
  out[0] = (uint32_t)ctx->settings.verify_mode;
  out[1] = ctx->settings.options &
           (1u << SECTRANS_OPTION_BREAK_ON_SERVER_AUTH |
            1u << SECTRANS_OPTION_BREAK_ON_CERT_REQUESTED);
}

/* The peer's chain under this context's policy: its anchors, and the peer
 * name when a client verifies names. */
sectrans_trust *context_peer_trust_create(sectrans_context *ctx) {
  return trust_create_from_buffers(
      bssl.SSL_get0_peer_certificates(ctx->ssl), ctx->settings.anchors,
      ctx->side == SECTRANS_CLIENT, verify_host(ctx));
}

/* ---- the verify callback ------------------------------------------------ */

/* After a break, go on only with a trust the caller evaluated successfully
 * or accepted (docs/secure-transport.md, "Session options and break
 * points"): Secure Transport let an unevaluated trust through. */
static enum ssl_verify_result_t resume_after_break(sectrans_context *ctx,
                                                   uint8_t *alert) {
  const sectrans_trust *trust = ctx->peer_trust;
  if ((ctx->flags & FLAG_TRUST_ACCEPTED) ||
      (trust->evaluated && trust->result == SECTRANS_SUCCESS))
    return ssl_verify_ok;
  context_set_detail(ctx, "the peer trust was neither evaluated successfully "
                          "nor accepted after the break");
  ctx->verify_failure = SECTRANS_ERR_X_CERT_CHAIN_INVALID;
  *alert = SSL_AD_CERTIFICATE_UNKNOWN;
  return ssl_verify_invalid;
}

/* BoringSSL's callback (its conventions): builds the peer trust, then
 * pauses at the break point, lets VERIFY_NONE through, or evaluates. */
static enum ssl_verify_result_t verify_peer(SSL *ssl, uint8_t *alert) {
  sectrans_context *ctx = context_of(ssl);
  if (ctx->phase == PHASE_BREAK_PEER_AUTH) {
    ctx->phase = PHASE_HANDSHAKE;
    return resume_after_break(ctx, alert);
  }
  sectrans_trust *trust = context_peer_trust_create(ctx);
  if (trust == NULL) {
    ctx->verify_failure = SECTRANS_ERR_ALLOCATE;
    *alert = SSL_AD_INTERNAL_ERROR;
    return ssl_verify_invalid;
  }
  sectrans_trust_release(ctx->peer_trust);
  ctx->peer_trust = trust;
  if (verify_breaks_on_peer_auth(ctx)) {
    ctx->phase = PHASE_BREAK_PEER_AUTH;
    return ssl_verify_retry;
  }
  if (ctx->settings.verify_mode == SECTRANS_VERIFY_NONE)
    return ssl_verify_ok; /* the trust stays unevaluated */
  ctx->verify_failure = trust_evaluate(trust, alert);
  if (ctx->verify_failure == SECTRANS_SUCCESS)
    return ssl_verify_ok;
  if (ctx->side == SECTRANS_SERVER)
    ctx->client_cert = SECTRANS_CLIENT_CERT_STATE_REJECTED;
  context_set_detail(ctx, "certificate verification failed: %s", trust->detail);
  return ssl_verify_invalid;
}

/* When the handshake starts: a client always verifies, a server only when
 * it asks for a client certificate. */
void verify_install(sectrans_context *ctx) {
  int mode = SSL_VERIFY_PEER;
  if (ctx->side == SECTRANS_SERVER) {
    if (ctx->settings.client_auth == SECTRANS_AUTHENTICATE_NEVER)
      return;
    if (ctx->settings.client_auth == SECTRANS_AUTHENTICATE_ALWAYS)
      mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  }
  bssl.SSL_set_custom_verify(ctx->ssl, mode, verify_peer);
}
