/*
 * relay.c: one poll loop moving data between local files and a connection.
 *
 * Local input (stdin) is sent to the peer; what the peer sends goes to a
 * local output (stdout) or, for an echo server, back to the peer. Bytes
 * waiting for sectrans_write sit in one buffer, and nothing new is read
 * (from the input or, when echoing, from the peer) until the core took
 * them: that is all the flow control there is.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct state {
  sectrans_context *ctx;
  int fd;
  struct relay *r;
  char out[16384]; /* bytes for sectrans_write */
  size_t out_off, out_len;
  int shutdown_done;
};

/* -36 with errno set on failure. */
static sectrans_status write_fd_all(int fd, const char *p, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return SECTRANS_ERR_IO;
    p += n;
    len -= (size_t)n;
  }
  return SECTRANS_SUCCESS;
}

/* The peer's data: to out_fd, or into the send buffer when echoing.
 * Returns SECTRANS_WOULD_BLOCK when nothing more is there, 0 after
 * progress, or the status that ends the relay. */
static sectrans_status from_peer(struct state *s) {
  char buf[16384];
  size_t n = 0;
  sectrans_status status;
  if (s->r->echo) {
    if (s->out_len > 0)
      return SECTRANS_WOULD_BLOCK; /* the echo waits for room */
    status = sectrans_read(s->ctx, s->out, sizeof(s->out), &n);
    s->out_off = 0;
    s->out_len = n;
  } else {
    status = sectrans_read(s->ctx, buf, sizeof(buf), &n);
    if (n > 0 && s->r->out_fd >= 0 && write_fd_all(s->r->out_fd, buf, n) != 0)
      return SECTRANS_ERR_IO;
  }
  if (n > 0)
    return SECTRANS_SUCCESS;
  return status == SECTRANS_SUCCESS ? SECTRANS_ERR_INTERNAL : status;
}

/* Sends close_notify once the input ended and the core took every byte;
 * after it, writing would be refused. */
static sectrans_status shut_down(struct state *s) {
  sectrans_status status;
  if (s->shutdown_done)
    return SECTRANS_WOULD_BLOCK;
  if ((status = sectrans_shutdown_write(s->ctx)) == SECTRANS_SUCCESS)
    s->shutdown_done = 1;
  return status;
}

/* Offers the send buffer (or just flushes). Same returns as from_peer. */
static sectrans_status to_peer(struct state *s) {
  size_t processed = 0;
  if (s->out_len == 0 && s->r->in_eof && s->r->shutdown_on_eof)
    return shut_down(s);
  sectrans_status status = sectrans_write(
      s->ctx, s->out_len ? s->out + s->out_off : NULL, s->out_len, &processed);
  s->out_off += processed;
  s->out_len -= processed;
  if (status != SECTRANS_SUCCESS && status != SECTRANS_WOULD_BLOCK)
    return status;
  return processed > 0 ? SECTRANS_SUCCESS : SECTRANS_WOULD_BLOCK;
}

/* Reads local input into the empty send buffer. */
static sectrans_status from_input(struct state *s) {
  ssize_t n = read(s->r->in_fd, s->out, sizeof(s->out));
  if (n < 0)
    return errno == EINTR || errno == EAGAIN ? SECTRANS_SUCCESS
                                             : SECTRANS_ERR_IO;
  if (n == 0)
    s->r->in_eof = 1;
  s->out_off = 0;
  s->out_len = (size_t)n;
  return SECTRANS_SUCCESS;
}

/* Moves what can move without waiting. Returns 0 when it must wait. */
static sectrans_status pump(struct state *s, int *moved) {
  sectrans_status status;
  *moved = 0;
  while ((status = from_peer(s)) == SECTRANS_SUCCESS)
    *moved = 1;
  if (status != SECTRANS_WOULD_BLOCK)
    return status;
  if ((status = to_peer(s)) == SECTRANS_SUCCESS)
    *moved = 1;
  else if (status != SECTRANS_WOULD_BLOCK)
    return status;
  return SECTRANS_SUCCESS;
}

static int want_input(const struct state *s) {
  return s->r->in_fd >= 0 && !s->r->in_eof && s->out_len == 0 && !s->r->echo;
}

sectrans_status relay_run(sectrans_context *ctx, int fd, struct relay *r) {
  struct state s = {.ctx = ctx, .fd = fd, .r = r};
  for (;;) {
    int moved;
    sectrans_status status = pump(&s, &moved);
    if (status != SECTRANS_SUCCESS)
      return status == SECTRANS_CLOSED_GRACEFUL ? SECTRANS_SUCCESS : status;
    if (moved)
      continue;
    struct pollfd p[2] = {{.fd = fd, .events = POLLIN},
                          {.fd = r->in_fd, .events = POLLIN}};
    if (r->echo && s.out_len > 0)
      p[0].events = 0; /* no reading until the echo left */
    if (sectrans_wants(ctx) & SECTRANS_WANT_WRITE)
      p[0].events |= POLLOUT;
    int n = poll(p, want_input(&s) ? 2 : 1, r->idle_ms);
    if (n == 0)
      return SECTRANS_ERR_NETWORK_TIMEOUT;
    if (n < 0 && errno != EINTR)
      return SECTRANS_ERR_IO;
    if (n > 0 && want_input(&s) && p[1].revents != 0 &&
        (status = from_input(&s)) != SECTRANS_SUCCESS)
      return status;
  }
}
