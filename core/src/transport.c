/*
 * transport.c: how ciphertext enters and leaves a context.
 *
 * Three transports share one framing: a record is assembled by asking for
 * exactly its header, then exactly its body, keeping partial progress, and
 * handed to BoringSSL whole. That is Secure Transport's callback contract,
 * and it is what lets sectrans_read stop after one record.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

enum {
  RECORD_HEADER = 5
};

/* ---- reading: records into the input queue ------------------------------- */

/* Reads up to want bytes into dst. Returns 0 when all want bytes arrived,
 * SECTRANS_WOULD_BLOCK with *got < want, or an end/error status. */
static sectrans_status read_callbacks(sectrans_context *ctx, uint8_t *dst,
                                      size_t want, size_t *got) {
  struct transport *t = &ctx->transport;
  size_t n = want;
  sectrans_status status = t->read_func(t->connection, dst, &n);
  if (n > want) {
    context_set_detail(ctx, "read callback reported %zu bytes for %zu asked", n,
                       want);
    *got = 0;
    return SECTRANS_ERR_PARAM;
  }
  *got = n;
  if (status != SECTRANS_SUCCESS && status != SECTRANS_WOULD_BLOCK)
    context_set_detail(ctx, "read callback returned %d (%s)", (int)status,
                       sectrans_status_string(status));
  if (status == SECTRANS_SUCCESS && n < want)
    /* A short success would corrupt the record in Secure Transport; here it
     * is kept as progress, and 0 bytes counts as would-block (no spinning). */
    return n == 0 ? SECTRANS_WOULD_BLOCK : SECTRANS_SUCCESS;
  return status;
}

/* While absorbing, only what already arrived is read (MSG_DONTWAIT, even
 * on a blocking socket); a pipe has nothing to absorb. */
static ssize_t read_fd_once(const struct transport *t, uint8_t *dst,
                            size_t want) {
  if (!t->absorbing)
    return read(t->fd, dst, want);
  ssize_t n = recv(t->fd, dst, want, MSG_DONTWAIT);
  if (n < 0 && errno == ENOTSOCK)
    errno = EAGAIN;
  return n;
}

static sectrans_status read_fd(sectrans_context *ctx, uint8_t *dst, size_t want,
                               size_t *got) {
  *got = 0;
  for (;;) {
    ssize_t n = read_fd_once(&ctx->transport, dst, want);
    if (n > 0) {
      *got = (size_t)n;
      return SECTRANS_SUCCESS;
    }
    if (n == 0)
      return SECTRANS_CLOSED_ABORT;
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return SECTRANS_WOULD_BLOCK;
    context_set_detail(ctx, "read: %s", strerror(errno));
    return SECTRANS_ERR_IO;
  }
}

/* Appends up to want bytes from the transport to the input queue. The
 * memory transport's bytes are there already: it can only say why not. */
static sectrans_status read_into_queue(sectrans_context *ctx, size_t want) {
  struct transport *t = &ctx->transport;
  if (t->kind == TRANSPORT_MEMORY)
    return t->input_eof ? SECTRANS_CLOSED_ABORT : SECTRANS_WOULD_BLOCK;
  if (t->kind == TRANSPORT_CALLBACKS && t->absorbing)
    return SECTRANS_WOULD_BLOCK; /* a callback may block: never at close */
  uint8_t *tail = bytes_reserve(&t->input, want);
  if (tail == NULL)
    return SECTRANS_ERR_ALLOCATE;
  size_t got = 0;
  sectrans_status status = t->kind == TRANSPORT_FD
                               ? read_fd(ctx, tail, want, &got)
                               : read_callbacks(ctx, tail, want, &got);
  bytes_commit(&t->input, got);
  return status;
}

static size_t record_length(const uint8_t *h) {
  return RECORD_HEADER + ((size_t)h[3] << 8 | h[4]);
}

/* A header BoringSSL will reject (plaintext HTTP, SSLv2, a length over
 * TLS's limit) is handed over at once: the error, and the alert to the
 * peer, come now rather than after thousands of bytes. */
static int header_is_plausible(const uint8_t *h) {
  return h[0] >= 20 && h[0] <= 24 && h[1] == 3 &&
         record_length(h) <= RECORD_HEADER + SSL3_RT_MAX_ENCRYPTED_LENGTH;
}

/* The length of an SSLv2-compatible ClientHello (old clients and scanners
 * still send one): a 2-byte length with the high bit set, then message
 * type 1. BoringSSL reads it whole and answers; read as a TLS header, its
 * bytes would wait for a length that never comes. 0 when h is not one. */
static size_t v2_hello_length(const uint8_t *h) {
  if ((h[0] & 0x80) == 0 || h[2] != 1)
    return 0;
  return 2 + ((size_t)(h[0] & 0x7f) << 8 | h[1]);
}

/* The bytes to hand BoringSSL as one unit, given the first five. */
static size_t unit_length(const sectrans_context *ctx, const uint8_t *h) {
  if (header_is_plausible(h))
    return record_length(h);
  size_t v2 = ctx->side == SECTRANS_SERVER ? v2_hello_length(h) : 0;
  return v2 > 0 ? v2 : RECORD_HEADER;
}

sectrans_status transport_fetch_record(sectrans_context *ctx) {
  struct transport *t = &ctx->transport;
  for (;;) {
    size_t have = bytes_queued(&t->input), target = RECORD_HEADER;
    if (have >= RECORD_HEADER)
      target = unit_length(ctx, bytes_head(&t->input));
    if (have >= target) {
      t->ready = target;
      return SECTRANS_SUCCESS;
    }
    sectrans_status status = read_into_queue(ctx, target - have);
    if (status == SECTRANS_SUCCESS)
      continue;
    if (status == SECTRANS_WOULD_BLOCK || status == SECTRANS_ERR_PARAM ||
        status == SECTRANS_ERR_ALLOCATE)
      return status;
    /* End of stream or a transport error: on a record boundary Secure
     * Transport reports it as an abort; inside a record, unchanged. The
     * socket transport keeps its I/O errors everywhere, so that a reset
     * (which discards data the peer sent) never reads as a plain end. */
    if (t->kind == TRANSPORT_FD && status == SECTRANS_ERR_IO)
      return status;
    return bytes_queued(&t->input) < RECORD_HEADER ? SECTRANS_CLOSED_ABORT
                                                   : status;
  }
}

int transport_reads_past_leftover(const struct transport *t) {
  return t->kind == TRANSPORT_CALLBACKS;
}

/* ---- the BIO: BoringSSL's one view of the transport ---------------------- */

/* Reads serve the record transport_fetch_record made ready, straight from
 * the input queue; writes append to the write queue. One copy each way,
 * nothing zeroed, no second buffer. */
static int bio_read(BIO *bio, char *out, int len) {
  struct transport *t =
      &((sectrans_context *)bssl.BIO_get_data(bio))->transport;
  bssl.BIO_clear_retry_flags(bio);
  if (t->ready == 0) {
    bssl.BIO_set_retry_read(bio); /* "wait for more", never end of stream */
    return -1;
  }
  size_t n = len > 0 && (size_t)len < t->ready ? (size_t)len : t->ready;
  memcpy(out, bytes_head(&t->input), n);
  bytes_consume(&t->input, n);
  t->ready -= n;
  return (int)n;
}

static int bio_write(BIO *bio, const char *data, int len) {
  struct transport *t =
      &((sectrans_context *)bssl.BIO_get_data(bio))->transport;
  bssl.BIO_clear_retry_flags(bio);
  return bytes_append(&t->output, data, (size_t)len) == SECTRANS_SUCCESS ? len
                                                                         : -1;
}

static long bio_ctrl(BIO *bio, int cmd, long larg, void *parg) {
  return cmd == BIO_CTRL_FLUSH; /* the write queue is flushed by the caller */
}

static const BIO_METHOD transport_bio_method = {BIO_TYPE_SOURCE_SINK,
                                                "sectrans transport",
                                                bio_write,
                                                bio_read,
                                                NULL,
                                                NULL,
                                                bio_ctrl,
                                                NULL,
                                                NULL,
                                                NULL};

BIO *transport_bio_new(sectrans_context *ctx) {
  BIO *bio = bssl.BIO_new(&transport_bio_method);
  if (bio != NULL) {
    bssl.BIO_set_data(bio, ctx);
    bssl.BIO_set_init(bio, 1);
  }
  return bio;
}

void transport_drop_input(struct transport *t) {
  bytes_free(&t->input);
  t->ready = 0;
}

/* ---- writing: the queue and its drain ------------------------------------ */

static sectrans_status write_callbacks(sectrans_context *ctx,
                                       const uint8_t *data, size_t len,
                                       size_t *sent) {
  struct transport *t = &ctx->transport;
  size_t n = len;
  sectrans_status status = t->write_func(t->connection, data, &n);
  if (n > len) {
    context_set_detail(ctx, "write callback reported %zu bytes for %zu offered",
                       n, len);
    *sent = 0;
    return SECTRANS_ERR_PARAM;
  }
  *sent = n;
  if (status != SECTRANS_SUCCESS && status != SECTRANS_WOULD_BLOCK)
    context_set_detail(ctx, "write callback returned %d (%s)", (int)status,
                       sectrans_status_string(status));
  if (status == SECTRANS_SUCCESS && n == 0)
    return SECTRANS_WOULD_BLOCK; /* success without progress would spin */
  return status;
}

/* write() to a pipe whose reader is gone raises SIGPIPE, which kills a
 * process that kept the default action. Sockets have MSG_NOSIGNAL; for a
 * pipe the signal is blocked in this thread around the write, and the one
 * the write raised is taken back before the mask is restored. */
static ssize_t write_without_sigpipe(int fd, const uint8_t *data, size_t len) {
  sigset_t pipe_only, pending, saved_mask;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &saved_mask);
  sigpending(&pending);
  int was_pending = sigismember(&pending, SIGPIPE);
  ssize_t n = write(fd, data, len);
  int write_errno = errno;
  if (n < 0 && write_errno == EPIPE && !was_pending) {
    const struct timespec no_wait = {0, 0};
    sigtimedwait(&pipe_only, NULL, &no_wait);
  }
  pthread_sigmask(SIG_SETMASK, &saved_mask, NULL);
  errno = write_errno;
  return n;
}

static sectrans_status write_fd(sectrans_context *ctx, const uint8_t *data,
                                size_t len, size_t *sent) {
  *sent = 0;
  for (;;) {
    ssize_t n = send(ctx->transport.fd, data, len, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK)
      n = write_without_sigpipe(ctx->transport.fd, data, len);
    if (n >= 0) {
      *sent = (size_t)n;
      return SECTRANS_SUCCESS;
    }
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return SECTRANS_WOULD_BLOCK;
    context_set_detail(ctx, "write: %s", strerror(errno));
    return SECTRANS_ERR_IO;
  }
}

sectrans_status transport_flush(sectrans_context *ctx) {
  struct transport *t = &ctx->transport;
  if (t->kind == TRANSPORT_MEMORY)
    return SECTRANS_SUCCESS; /* the caller takes it with sectrans_take_output */
  while (bytes_queued(&t->output) > 0) {
    size_t sent;
    sectrans_status status = t->kind == TRANSPORT_FD
                                 ? write_fd(ctx, bytes_head(&t->output),
                                            bytes_queued(&t->output), &sent)
                                 : write_callbacks(ctx, bytes_head(&t->output),
                                                   bytes_queued(&t->output),
                                                   &sent);
    bytes_consume(&t->output, sent);
    if (status != SECTRANS_SUCCESS)
      return status;
  }
  return SECTRANS_SUCCESS;
}

void transport_clear(struct transport *t) {
  bytes_free(&t->input);
  bytes_free(&t->output);
}

/* ---- public: choosing a transport ---------------------------------------- */

static sectrans_status check_settable(sectrans_context *ctx) {
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_ERR_PARAM;
  return context_is_active(ctx) ? SECTRANS_ERR_BAD_REQ : SECTRANS_SUCCESS;
}

sectrans_status sectrans_set_io_funcs(sectrans_context *ctx,
                                      sectrans_read_func read_func,
                                      sectrans_write_func write_func) {
  sectrans_status status = check_settable(ctx);
  if (status != SECTRANS_SUCCESS)
    return status;
  if (read_func == NULL || write_func == NULL)
    return SECTRANS_ERR_PARAM;
  ctx->transport.kind = TRANSPORT_CALLBACKS;
  ctx->transport.read_func = read_func;
  ctx->transport.write_func = write_func;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_set_connection(sectrans_context *ctx,
                                        const void *connection) {
  sectrans_status status = check_settable(ctx);
  if (status == SECTRANS_SUCCESS)
    ctx->transport.connection = connection;
  return status;
}

sectrans_status sectrans_get_connection(const sectrans_context *ctx,
                                        const void **connection) {
  if (bad_handle(ctx, KIND_CONTEXT) || connection == NULL)
    return SECTRANS_ERR_PARAM;
  *connection = ctx->transport.connection;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_set_fd(sectrans_context *ctx, int fd) {
  sectrans_status status = check_settable(ctx);
  if (status != SECTRANS_SUCCESS)
    return status;
  if (fd < 0)
    return SECTRANS_ERR_PARAM;
  ctx->transport.kind = TRANSPORT_FD;
  ctx->transport.fd = fd;
  return SECTRANS_SUCCESS;
}

/* ---- public: the memory transport ---------------------------------------- */

static sectrans_status check_memory(const sectrans_context *ctx) {
  if (bad_handle(ctx, KIND_CONTEXT))
    return SECTRANS_ERR_PARAM;
  return ctx->transport.kind == TRANSPORT_MEMORY ? SECTRANS_SUCCESS
                                                 : SECTRANS_ERR_BAD_REQ;
}

sectrans_status sectrans_feed_input(sectrans_context *ctx, const void *data,
                                    size_t len) {
  sectrans_status status = check_memory(ctx);
  if (status != SECTRANS_SUCCESS)
    return status;
  if ((data == NULL && len > 0) || len > SECTRANS_MAX_IO_LENGTH)
    return SECTRANS_ERR_PARAM;
  if (ctx->transport.input_eof)
    return SECTRANS_ERR_BAD_REQ;
  /* A finished context never reads again: keeping input would only grow. */
  if ((status = session_end_status(ctx)) != SECTRANS_SUCCESS)
    return status;
  return bytes_append(&ctx->transport.input, data, len);
}

sectrans_status sectrans_feed_eof(sectrans_context *ctx) {
  sectrans_status status = check_memory(ctx);
  if (status == SECTRANS_SUCCESS)
    ctx->transport.input_eof = 1;
  return status;
}

sectrans_status sectrans_take_output(sectrans_context *ctx, void *buf,
                                     size_t *len) {
  if (len == NULL)
    return SECTRANS_ERR_PARAM;
  size_t cap = *len;
  *len = 0; /* bytes copied, also on failure */
  sectrans_status status = check_memory(ctx);
  if (status != SECTRANS_SUCCESS)
    return status;
  if ((buf == NULL && cap > 0) || cap > SECTRANS_MAX_IO_LENGTH)
    return SECTRANS_ERR_PARAM;
  struct bytes *out = &ctx->transport.output;
  size_t n = bytes_queued(out) < cap ? bytes_queued(out) : cap;
  if (n > 0)
    memcpy(buf, bytes_head(out), n);
  bytes_consume(out, n);
  *len = n;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_output_pending(const sectrans_context *ctx,
                                        size_t *pending) {
  sectrans_status status = check_memory(ctx);
  if (status != SECTRANS_SUCCESS)
    return status;
  if (pending == NULL)
    return SECTRANS_ERR_PARAM;
  *pending = bytes_queued(&ctx->transport.output);
  return SECTRANS_SUCCESS;
}
