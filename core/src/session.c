/*
 * session.c: the state machine (docs/architecture.md, "The session state
 * machine"). Handshake, read, write and close keep Secure Transport's
 * semantics, with the departures of docs/secure-transport.md ("Handshake",
 * "Write", "Read", "Close").
 *
 * The phases (enum phase in internal.h) and the public state of each:
 *
 * BEGIN PHASES
 *   phase                state
 *   IDLE                 IDLE
 *   HANDSHAKE            HANDSHAKE
 *   BREAK_PEER_AUTH      HANDSHAKE
 *   BREAK_CERT_REQUESTED HANDSHAKE
 *   BREAK_CLIENT_HELLO   HANDSHAKE
 *   CONNECTED            CONNECTED
 *   WRITE_CLOSED         CONNECTED
 *   CLOSED               CLOSED
 *   ABORTED              ABORTED
 *   FAILED               ABORTED
 * END PHASES
 *
 * What each call does in each phase when nothing new has arrived (no
 * input since the phase was reached; the handshake is TLS 1.3, verifying,
 * and at a break the caller gave no verdict). Statuses are the SECTRANS_
 * names; "saved" is the status a failed handshake keeps; "=" is the same
 * phase. tests/core/test_lifecycle.py reads this table and makes every call of
 * it. sectrans_set_error is 0 in every phase and changes none: the next
 * handshake, read, write or shutdown_write of an open session fails with
 * its status (FAILED).
 *
 * BEGIN TRANSITIONS
 *   from                 call               status            to
 *   IDLE                 handshake          WOULD_BLOCK       HANDSHAKE
 *   IDLE                 read               ERR_BAD_REQ       =
 *   IDLE                 write              ERR_BAD_REQ       =
 *   IDLE                 close              SUCCESS           CLOSED
 *   IDLE                 shutdown_write     ERR_BAD_REQ       =
 *   IDLE                 accept_peer_trust  ERR_BAD_REQ       =
 *   HANDSHAKE            handshake          WOULD_BLOCK       =
 *   HANDSHAKE            read               WOULD_BLOCK       =
 *   HANDSHAKE            write              WOULD_BLOCK       =
 *   HANDSHAKE            close              SUCCESS           CLOSED
 *   HANDSHAKE            shutdown_write     ERR_BAD_REQ       =
 *   HANDSHAKE            accept_peer_trust  ERR_BAD_REQ       =
 *   BREAK_PEER_AUTH      handshake          ERR_X_CERT_CHAIN_INVALID FAILED
 *   BREAK_PEER_AUTH      read               ERR_X_CERT_CHAIN_INVALID FAILED
 *   BREAK_PEER_AUTH      write              ERR_X_CERT_CHAIN_INVALID FAILED
 *   BREAK_PEER_AUTH      close              SUCCESS           CLOSED
 *   BREAK_PEER_AUTH      shutdown_write     ERR_BAD_REQ       =
 *   BREAK_PEER_AUTH      accept_peer_trust  SUCCESS           =
 *   BREAK_CERT_REQUESTED handshake          SUCCESS           CONNECTED
 *   BREAK_CERT_REQUESTED read               WOULD_BLOCK       CONNECTED
 *   BREAK_CERT_REQUESTED write              SUCCESS           CONNECTED
 *   BREAK_CERT_REQUESTED close              SUCCESS           CLOSED
 *   BREAK_CERT_REQUESTED shutdown_write     ERR_BAD_REQ       =
 *   BREAK_CERT_REQUESTED accept_peer_trust  ERR_BAD_REQ       =
 *   BREAK_CLIENT_HELLO   handshake          WOULD_BLOCK       HANDSHAKE
 *   BREAK_CLIENT_HELLO   read               WOULD_BLOCK       HANDSHAKE
 *   BREAK_CLIENT_HELLO   write              WOULD_BLOCK       HANDSHAKE
 *   BREAK_CLIENT_HELLO   close              SUCCESS           CLOSED
 *   BREAK_CLIENT_HELLO   shutdown_write     ERR_BAD_REQ       =
 *   BREAK_CLIENT_HELLO   accept_peer_trust  ERR_BAD_REQ       =
 *   CONNECTED            handshake          SUCCESS           =
 *   CONNECTED            read               WOULD_BLOCK       =
 *   CONNECTED            write              SUCCESS           =
 *   CONNECTED            close              SUCCESS           CLOSED
 *   CONNECTED            shutdown_write     SUCCESS           WRITE_CLOSED
 *   CONNECTED            accept_peer_trust  ERR_BAD_REQ       =
 *   WRITE_CLOSED         handshake          SUCCESS           =
 *   WRITE_CLOSED         read               WOULD_BLOCK       =
 *   WRITE_CLOSED         write              CLOSED_GRACEFUL   =
 *   WRITE_CLOSED         close              SUCCESS           CLOSED
 *   WRITE_CLOSED         shutdown_write     SUCCESS           =
 *   WRITE_CLOSED         accept_peer_trust  ERR_BAD_REQ       =
 *   CLOSED               handshake          CLOSED_GRACEFUL   =
 *   CLOSED               read               CLOSED_GRACEFUL   =
 *   CLOSED               write              CLOSED_GRACEFUL   =
 *   CLOSED               close              SUCCESS           =
 *   CLOSED               shutdown_write     CLOSED_GRACEFUL   =
 *   CLOSED               accept_peer_trust  ERR_BAD_REQ       =
 *   ABORTED              handshake          CLOSED_ABORT      =
 *   ABORTED              read               CLOSED_ABORT      =
 *   ABORTED              write              CLOSED_ABORT      =
 *   ABORTED              close              SUCCESS           =
 *   ABORTED              shutdown_write     CLOSED_ABORT      =
 *   ABORTED              accept_peer_trust  ERR_BAD_REQ       =
 *   FAILED               handshake          saved             =
 *   FAILED               read               saved             =
 *   FAILED               write              saved             =
 *   FAILED               close              saved             =
 *   FAILED               shutdown_write     saved             =
 *   FAILED               accept_peer_trust  ERR_BAD_REQ       =
 * END TRANSITIONS
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* BoringSSL takes int lengths; larger buffers are split, never truncated. */
enum {
  MAX_CHUNK = 1 << 30
};

static int chunk_of(size_t len) {
  return len > MAX_CHUNK ? MAX_CHUNK : (int)len;
}

/* BoringSSL's error queue must be empty before an SSL_* call, so that a
 * failure reads only its own errors. It almost always is: look first,
 * since clearing costs more than looking. */
static void clear_stale_errors(void) {
  if (bssl.ERR_peek_last_error() != 0)
    bssl.ERR_clear_error();
}

/* ---- failures ------------------------------------------------------------ */

/* The status for a failed SSL_* call; the reason goes to the detail. */
static sectrans_status ssl_failure(sectrans_context *ctx, int ret) {
  int err = bssl.SSL_get_error(ctx->ssl, ret);
  if (ctx->verify_failure != SECTRANS_SUCCESS) {
    clear_stale_errors();
    return ctx->verify_failure;
  }
  switch (err) {
  case SSL_ERROR_ZERO_RETURN:
    return SECTRANS_CLOSED_GRACEFUL;
  case SSL_ERROR_SSL:
    return status_from_error_queue(ctx->detail, sizeof(ctx->detail));
  default:
    context_set_detail(ctx, "unexpected BoringSSL state %d", err);
    return SECTRANS_ERR_INTERNAL;
  }
}

/* A client whose certificate went out and that then got one of these
 * alerts had it rejected (Secure Transport's kSSLClientCertRejected). */
static void note_rejection(sectrans_context *ctx, sectrans_status status) {
  switch (status) {
  case SECTRANS_ERR_PEER_BAD_CERT:
  case SECTRANS_ERR_PEER_UNSUPPORTED_CERT:
  case SECTRANS_ERR_PEER_CERT_REVOKED:
  case SECTRANS_ERR_PEER_CERT_EXPIRED:
  case SECTRANS_ERR_PEER_CERT_UNKNOWN:
  case SECTRANS_ERR_PEER_UNKNOWN_CA:
    if (ctx->side == SECTRANS_CLIENT &&
        ctx->client_cert == SECTRANS_CLIENT_CERT_STATE_SENT)
      ctx->client_cert = SECTRANS_CLIENT_CERT_STATE_REJECTED;
    break;
  default:
    break;
  }
}

/* Secure Transport: a non-benign error of read or write aborts the session.
 * Whatever alert BoringSSL queued is sent on a best-effort basis. */
static sectrans_status abort_session(sectrans_context *ctx,
                                     sectrans_status status) {
  /* TLS 1.3: the verdict arrives after the handshake */
  note_rejection(ctx, status);
  transport_flush(ctx);
  ctx->phase = PHASE_ABORTED;
  ctx->saved = SECTRANS_SUCCESS; /* a pending sectrans_set_error is moot */
  ctx->wants = 0;
  transport_drop_input(&ctx->transport);
  return status;
}

/* A failed handshake is terminal too: the status is saved and returned by
 * every later call. */
static sectrans_status fail_handshake(sectrans_context *ctx,
                                      sectrans_status status) {
  abort_session(ctx, status);
  ctx->phase = PHASE_FAILED;
  ctx->saved = status;
  return status;
}

static sectrans_status would_block(sectrans_context *ctx, int wants) {
  ctx->wants = wants;
  return SECTRANS_WOULD_BLOCK;
}

/* Drains the write queue once connected: would-block asks for writability,
 * a transport error aborts the session. */
static sectrans_status flush_or_abort(sectrans_context *ctx) {
  sectrans_status status = transport_flush(ctx);
  if (status == SECTRANS_WOULD_BLOCK)
    return would_block(ctx, SECTRANS_WANT_WRITE);
  return status == SECTRANS_SUCCESS ? status : abort_session(ctx, status);
}

/* ---- the handshake ------------------------------------------------------- */

static void free_buffer_stack(_STACK *stack) {
  for (size_t i = 0; i < bssl.sk_num(stack); i++)
    bssl.CRYPTO_BUFFER_free(bssl.sk_value(stack, i));
  bssl.sk_free(stack);
}

/* The client's SNI and cached session. */
static sectrans_status apply_client_extras(sectrans_context *ctx) {
  SSL *ssl = ctx->ssl;
  uint8_t key[32];
  if (ctx->peer_name != NULL && !is_ip_literal(ctx->peer_name) &&
      !bssl.SSL_set_tlsext_host_name(ssl, ctx->peer_name))
    return SECTRANS_ERR_ALLOCATE;
  bssl.SSL_enable_ocsp_stapling(ssl);
  /* An RSA leaf must allow what TLS 1.2 does with it (TLS 1.3 always
   * checks); also when chain verification is off. */
  bssl.SSL_set_enforce_rsa_key_usage(ssl, 1);
  SSL_SESSION *session = session_cache_key(ctx, key) == SECTRANS_SUCCESS
                             ? session_cache_take(key)
                             : NULL;
  if (session == NULL)
    return SECTRANS_SUCCESS;
  int ok = bssl.SSL_set_session(ssl, session);
  bssl.SSL_SESSION_free(session);
  return ok ? SECTRANS_SUCCESS : SECTRANS_ERR_ALLOCATE;
}

/* The server's OCSP staple and the CA names of its CertificateRequest. */
static sectrans_status apply_server_extras(sectrans_context *ctx) {
  SSL *ssl = ctx->ssl;
  if (ctx->ocsp != NULL &&
      !bssl.SSL_set_ocsp_response(ssl, ctx->ocsp, ctx->ocsp_len))
    return SECTRANS_ERR_ALLOCATE;
  if (ctx->dn_count == 0)
    return SECTRANS_SUCCESS;
  _STACK *names = bssl.sk_new_null();
  for (size_t i = 0; names != NULL && i < ctx->dn_count; i++) {
    bssl.CRYPTO_BUFFER_up_ref(ctx->dn[i]);
    if (!bssl.sk_push(names, ctx->dn[i])) {
      bssl.CRYPTO_BUFFER_free(ctx->dn[i]);
      free_buffer_stack(names);
      return SECTRANS_ERR_ALLOCATE;
    }
  }
  if (names == NULL)
    return SECTRANS_ERR_ALLOCATE;
  bssl.SSL_set0_client_CAs(ssl, (STACK_OF(CRYPTO_BUFFER) *)names);
  return SECTRANS_SUCCESS;
}

static sectrans_status start_handshake(sectrans_context *ctx) {
  if (verify_is_missing_peer_name(ctx)) {
    context_set_detail(ctx, "a verifying client needs a peer domain name "
                            "(or SECTRANS_VERIFY_CHAIN_ONLY)");
    return fail_handshake(ctx, SECTRANS_ERR_BAD_CONFIGURATION);
  }
  /* Before settings_apply: switching the SSL_CTX resets the identity. */
  if (ctx->settings.keylog != NULL && ctx->config->settings.keylog == NULL) {
    SSL_CTX *logging = config_keylog_ssl_ctx(ctx->config);
    if (logging == NULL || bssl.SSL_set_SSL_CTX(ctx->ssl, logging) == NULL)
      return fail_handshake(ctx, SECTRANS_ERR_ALLOCATE);
  }
  sectrans_status status = settings_apply(&ctx->settings, ctx->side, ctx->ssl,
                                          ctx->detail, sizeof(ctx->detail));
  if (status != SECTRANS_SUCCESS)
    return fail_handshake(ctx, status);
  status = ctx->side == SECTRANS_CLIENT ? apply_client_extras(ctx)
                                        : apply_server_extras(ctx);
  if (status != SECTRANS_SUCCESS)
    return fail_handshake(ctx, status);
  verify_install(ctx);
  ctx->phase = PHASE_HANDSHAKE;
  return SECTRANS_SUCCESS;
}

/* A break point: the callback that paused BoringSSL moved to its phase.
 * Whatever is queued leaves first when it can; the next call flushes the
 * rest. */
static sectrans_status stop_at_break(sectrans_context *ctx) {
  transport_flush(ctx);
  ctx->wants = 0;
  switch (ctx->phase) {
  case PHASE_BREAK_PEER_AUTH:
    return SECTRANS_PEER_AUTH_COMPLETED;
  case PHASE_BREAK_CERT_REQUESTED:
    return SECTRANS_CLIENT_CERT_REQUESTED;
  case PHASE_BREAK_CLIENT_HELLO:
    return SECTRANS_CLIENT_HELLO_RECEIVED;
  default:
    context_set_detail(ctx, "BoringSSL paused without a break point");
    return fail_handshake(ctx, SECTRANS_ERR_INTERNAL);
  }
}

/* Runs the handshake until it completes, blocks or fails. */
static sectrans_status drive_handshake(sectrans_context *ctx) {
  for (;;) {
    sectrans_status status = transport_flush(ctx);
    if (status == SECTRANS_WOULD_BLOCK)
      return would_block(ctx, SECTRANS_WANT_WRITE);
    if (status != SECTRANS_SUCCESS)
      return fail_handshake(ctx, status);
    clear_stale_errors();
    int ret = bssl.SSL_do_handshake(ctx->ssl);
    if (ret == 1)
      break;
    int err = bssl.SSL_get_error(ctx->ssl, ret);
    if (err == SSL_ERROR_WANT_CERTIFICATE_VERIFY ||
        err == SSL_ERROR_WANT_X509_LOOKUP ||
        err == SSL_ERROR_PENDING_CERTIFICATE)
      return stop_at_break(ctx);
    if (err != SSL_ERROR_WANT_READ)
      return fail_handshake(ctx, ssl_failure(ctx, ret));
    /* Our flight must leave before we wait for the peer's. */
    status = transport_flush(ctx);
    if (status == SECTRANS_WOULD_BLOCK)
      return would_block(ctx, SECTRANS_WANT_WRITE);
    if (status == SECTRANS_SUCCESS)
      status = transport_fetch_record(ctx);
    if (status == SECTRANS_WOULD_BLOCK)
      return would_block(ctx, SECTRANS_WANT_READ);
    if (status != SECTRANS_SUCCESS)
      return fail_handshake(ctx, status);
  }
  ctx->phase = PHASE_CONNECTED;
  if (ctx->side == SECTRANS_SERVER) {
    /* A TLS 1.3 server's NewSessionTickets wait for its first write; an
     * empty one sends them now, so a server that only reads still lets its
     * clients resume. */
    clear_stale_errors();
    bssl.SSL_write(ctx->ssl, "", 0);
    clear_stale_errors();
  }
  return flush_or_abort(ctx);
}

/* sectrans_set_error: the alert goes out now, and the session ends with
 * the status the caller gave. */
static sectrans_status act_on_error(sectrans_context *ctx) {
  sectrans_status status = ctx->saved;
  uint8_t alert = status == SECTRANS_ERR_CERTIFICATE_EXPIRED
                      ? SSL_AD_CERTIFICATE_EXPIRED
                  : status == SECTRANS_ERR_CERTIFICATE_REVOKED
                      ? SSL_AD_CERTIFICATE_REVOKED
                      : 0;
  if (alert != 0 && ctx->phase != PHASE_IDLE)
    bssl.SSL_send_fatal_alert(ctx->ssl, alert);
  context_set_detail(ctx, "session ended by sectrans_set_error");
  return fail_handshake(ctx, status);
}

int phase_state(enum phase phase) {
  switch (phase) {
  case PHASE_IDLE:
    return SECTRANS_STATE_IDLE;
  case PHASE_HANDSHAKE:
  case PHASE_BREAK_PEER_AUTH:
  case PHASE_BREAK_CERT_REQUESTED:
  case PHASE_BREAK_CLIENT_HELLO:
    return SECTRANS_STATE_HANDSHAKE;
  case PHASE_CONNECTED:
  case PHASE_WRITE_CLOSED:
    return SECTRANS_STATE_CONNECTED;
  case PHASE_CLOSED:
    return SECTRANS_STATE_CLOSED;
  default:
    return SECTRANS_STATE_ABORTED;
  }
}

sectrans_status session_end_status(const sectrans_context *ctx) {
  switch (ctx->phase) {
  case PHASE_CLOSED:
    return SECTRANS_CLOSED_GRACEFUL;
  case PHASE_ABORTED:
    return SECTRANS_CLOSED_ABORT;
  case PHASE_FAILED:
    return ctx->saved;
  default:
    return SECTRANS_SUCCESS;
  }
}

/* The status a closed or failed context answers with, or 0 when open. */
static sectrans_status closed_status(sectrans_context *ctx) {
  sectrans_status status = session_end_status(ctx);
  if (status == SECTRANS_SUCCESS && ctx->saved != SECTRANS_SUCCESS)
    return act_on_error(ctx);
  return status;
}

sectrans_status sectrans_handshake(sectrans_context *ctx) {
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_ERR_PARAM;
  sectrans_status status = closed_status(ctx);
  if (status != SECTRANS_SUCCESS)
    return status;
  ctx->wants = 0;
  if (ctx->phase == PHASE_IDLE &&
      (status = start_handshake(ctx)) != SECTRANS_SUCCESS)
    return status;
  if (phase_state(ctx->phase) == SECTRANS_STATE_CONNECTED) {
    /* Idempotent after success: only finish draining the queue. */
    return flush_or_abort(ctx);
  }
  return drive_handshake(ctx);
}

/* Read and write first finish a handshake in progress (libgit2 relies on
 * this implicit completion). */
static sectrans_status ready_for_data(sectrans_context *ctx) {
  sectrans_status status = closed_status(ctx);
  if (status != SECTRANS_SUCCESS)
    return status;
  if (ctx->phase == PHASE_IDLE)
    return SECTRANS_ERR_BAD_REQ;
  ctx->wants = 0;
  if (phase_state(ctx->phase) == SECTRANS_STATE_HANDSHAKE)
    return drive_handshake(ctx);
  return SECTRANS_SUCCESS;
}

/* What read and write check first: *processed is 0 until bytes move, and
 * a handshake in progress is finished. */
static sectrans_status begin_data_call(sectrans_context *ctx, const void *data,
                                       size_t len, size_t *processed) {
  if (processed == NULL)
    return SECTRANS_ERR_PARAM;
  *processed = 0;
  if (bad_handle(ctx, KIND_CONTEXT) || (data == NULL && len > 0) ||
      len > SECTRANS_MAX_IO_LENGTH)
    return SECTRANS_ERR_PARAM;
  return ready_for_data(ctx);
}

/* ---- write --------------------------------------------------------------- */

static sectrans_status encrypt_all(sectrans_context *ctx, const uint8_t *data,
                                   size_t len) {
  for (size_t off = 0; off < len;) {
    clear_stale_errors();
    int ret = bssl.SSL_write(ctx->ssl, data + off, chunk_of(len - off));
    if (ret <= 0)
      return ssl_failure(ctx, ret);
    off += (size_t)ret;
  }
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_write(sectrans_context *ctx, const void *data,
                               size_t len, size_t *processed) {
  sectrans_status status = begin_data_call(ctx, data, len, processed);
  if (status != SECTRANS_SUCCESS)
    return status;
  if (ctx->phase == PHASE_WRITE_CLOSED)
    return SECTRANS_CLOSED_GRACEFUL;
  /* The queue of earlier calls drains before new data is taken. */
  if ((status = flush_or_abort(ctx)) != SECTRANS_SUCCESS)
    return status;
  if (len == 0)
    return SECTRANS_SUCCESS;
  if ((status = encrypt_all(ctx, data, len)) != SECTRANS_SUCCESS)
    return abort_session(ctx, status);
  *processed = len;
  return flush_or_abort(ctx);
}

/* ---- read ---------------------------------------------------------------- */

/* Copies plaintext BoringSSL already decrypted; no I/O. */
static size_t copy_leftover(sectrans_context *ctx, uint8_t *data, size_t len) {
  size_t total = 0;
  while (total < len && bssl.SSL_pending(ctx->ssl) > 0) {
    int ret = bssl.SSL_read(ctx->ssl, data + total, chunk_of(len - total));
    if (ret <= 0)
      break;
    total += (size_t)ret;
  }
  return total;
}

/* Queues our close_notify once, after the handshake; the caller moves to
 * the phase that says it was sent (WRITE_CLOSED or CLOSED). */
static void send_close_notify(sectrans_context *ctx) {
  if (ctx->phase == PHASE_WRITE_CLOSED || ctx->phase == PHASE_CLOSED ||
      !bssl.SSL_is_init_finished(ctx->ssl))
    return;
  clear_stale_errors();
  bssl.SSL_shutdown(ctx->ssl);
  clear_stale_errors();
}

/* close_notify arrived: answer with ours unless already sent (Secure
 * Transport calls SSLClose itself here). */
static sectrans_status peer_closed(sectrans_context *ctx) {
  send_close_notify(ctx);
  transport_flush(ctx);
  ctx->phase = PHASE_CLOSED;
  return SECTRANS_CLOSED_GRACEFUL;
}

/* Reads until one record yields plaintext (records without any, such as
 * session tickets, are consumed on the way). BoringSSL holds no unread
 * ciphertext here, so a record is fetched before it is asked, rather than
 * after an SSL_read that could only fail. */
static sectrans_status read_record(sectrans_context *ctx, uint8_t *data,
                                   size_t len, size_t *got) {
  *got = 0;
  for (;;) {
    sectrans_status status = transport_fetch_record(ctx);
    if (status == SECTRANS_WOULD_BLOCK)
      return would_block(ctx, SECTRANS_WANT_READ);
    if (status != SECTRANS_SUCCESS)
      return abort_session(ctx, status);
    clear_stale_errors();
    int ret = bssl.SSL_read(ctx->ssl, data, chunk_of(len));
    if (ret > 0) {
      *got = (size_t)ret;
      return SECTRANS_SUCCESS;
    }
    int err = bssl.SSL_get_error(ctx->ssl, ret);
    if (err == SSL_ERROR_ZERO_RETURN)
      return peer_closed(ctx);
    if (err != SSL_ERROR_WANT_READ)
      return abort_session(ctx, ssl_failure(ctx, ret));
    /* Anything BoringSSL wants to say (a KeyUpdate answer) goes first. */
    status = transport_flush(ctx);
    if (status != SECTRANS_SUCCESS && status != SECTRANS_WOULD_BLOCK)
      return abort_session(ctx, status);
  }
}

sectrans_status sectrans_read(sectrans_context *ctx, void *data, size_t len,
                              size_t *processed) {
  sectrans_status status = begin_data_call(ctx, data, len, processed);
  if (status != SECTRANS_SUCCESS)
    return status;
  /* would-block here is not the reader's concern */
  status = transport_flush(ctx);
  if (status != SECTRANS_SUCCESS && status != SECTRANS_WOULD_BLOCK)
    return abort_session(ctx, status);
  if (len == 0)
    return SECTRANS_SUCCESS;
  size_t total = copy_leftover(ctx, data, len);
  if (total == len ||
      (total > 0 && !transport_reads_past_leftover(&ctx->transport))) {
    *processed = total;
    return SECTRANS_SUCCESS;
  }
  size_t got;
  status = read_record(ctx, (uint8_t *)data + total, len - total, &got);
  *processed = total + got;
  return status;
}

/* ---- close --------------------------------------------------------------- */

/* At most this many records are absorbed at close: enough for what a
 * peer sends unasked (session tickets, a KeyUpdate), bounded for one that
 * streams. */
enum {
  ABSORB_MAX_RECORDS = 64
};

/* Processes what the peer sent that nobody read (TLS 1.3 session tickets,
 * typically): tickets reach the session cache and plaintext is dropped, as
 * the caller is done reading. A socket closed with unread bytes sends a
 * reset instead of a FIN, and a reset makes the peer's kernel discard what
 * the peer had not yet read of ours: the tail of a write-then-close. Takes
 * only what already arrived; failures are left for nobody to see. */
static void absorb_arrived_input(sectrans_context *ctx) {
  uint8_t sink[4096];
  if (phase_state(ctx->phase) != SECTRANS_STATE_CONNECTED)
    return;
  ctx->transport.absorbing = 1;
  for (int records = 0; records < ABSORB_MAX_RECORDS; records++) {
    if (bssl.SSL_pending(ctx->ssl) == 0 &&
        transport_fetch_record(ctx) != SECTRANS_SUCCESS)
      break;
    clear_stale_errors();
    int ret = bssl.SSL_read(ctx->ssl, sink, sizeof sink);
    if (ret <= 0 && bssl.SSL_get_error(ctx->ssl, ret) != SSL_ERROR_WANT_READ)
      break;
  }
  clear_stale_errors();
  ctx->transport.absorbing = 0;
}

sectrans_status sectrans_close(sectrans_context *ctx) {
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_ERR_PARAM;
  if (ctx->phase == PHASE_ABORTED || ctx->phase == PHASE_FAILED)
    return ctx->saved; /* nothing to send; a failed handshake's status */
  absorb_arrived_input(ctx);
  send_close_notify(ctx);
  ctx->phase = PHASE_CLOSED;
  sectrans_status status = transport_flush(ctx);
  if (status == SECTRANS_WOULD_BLOCK)
    return would_block(ctx, SECTRANS_WANT_WRITE);
  ctx->wants = 0;
  /* Secure Transport maps an I/O error on the way out to success. */
  return status == SECTRANS_ERR_IO ? SECTRANS_SUCCESS : status;
}

sectrans_status sectrans_shutdown_write(sectrans_context *ctx) {
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_ERR_PARAM;
  sectrans_status status = closed_status(ctx);
  if (status != SECTRANS_SUCCESS)
    return status;
  if (phase_state(ctx->phase) != SECTRANS_STATE_CONNECTED)
    return SECTRANS_ERR_BAD_REQ;
  send_close_notify(ctx);
  ctx->phase = PHASE_WRITE_CLOSED;
  status = transport_flush(ctx);
  if (status == SECTRANS_WOULD_BLOCK)
    return would_block(ctx, SECTRANS_WANT_WRITE);
  ctx->wants = 0;
  return status;
}

/* ---- break points and out-of-band errors --------------------------------- */

sectrans_status sectrans_accept_peer_trust(sectrans_context *ctx) {
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_ERR_PARAM;
  if (ctx->phase != PHASE_BREAK_PEER_AUTH)
    return SECTRANS_ERR_BAD_REQ;
  ctx->flags |= FLAG_TRUST_ACCEPTED;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_set_error(sectrans_context *ctx,
                                   sectrans_status status) {
  if (bad_handle(ctx, KIND_CONTEXT) || status == SECTRANS_SUCCESS)
    return SECTRANS_ERR_PARAM;
  /* Kept only while the session is open: an ended one keeps its status. */
  if (session_end_status(ctx) == SECTRANS_SUCCESS)
    ctx->saved = status;
  return SECTRANS_SUCCESS;
}
