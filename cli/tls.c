/*
 * tls.c: driving a context on a non-blocking socket, every wait bounded.
 *
 * The pattern is always the same: call, and on SECTRANS_WOULD_BLOCK poll
 * the socket for what sectrans_wants() names, until a deadline.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int time_left(long long deadline) {
  if (deadline < 0)
    return -1;
  long long left = deadline - now_ms();
  return left <= 0 ? 0 : left > 1000000 ? 1000000 : (int)left;
}

sectrans_status tls_wait(sectrans_context *ctx, int fd, long long deadline) {
  int wants = sectrans_wants(ctx);
  struct pollfd p = {.fd = fd, .events = 0};
  if (wants & SECTRANS_WANT_WRITE)
    p.events |= POLLOUT;
  /* Nothing named would be a core bug; reading is then the safe guess,
   * and the deadline still bounds it. */
  if ((wants & SECTRANS_WANT_READ) || p.events == 0)
    p.events |= POLLIN;
  for (;;) {
    int n = poll(&p, 1, time_left(deadline));
    if (n > 0)
      return SECTRANS_SUCCESS;
    if (n == 0)
      return SECTRANS_ERR_NETWORK_TIMEOUT;
    if (errno != EINTR)
      return SECTRANS_ERR_IO;
  }
}

sectrans_status tls_handshake(sectrans_context *ctx, int fd,
                              long long deadline) {
  for (;;) {
    sectrans_status status = sectrans_handshake(ctx);
    if (status != SECTRANS_WOULD_BLOCK)
      return status;
    if ((status = tls_wait(ctx, fd, deadline)) != SECTRANS_SUCCESS)
      return status;
  }
}

sectrans_status tls_write_all(sectrans_context *ctx, int fd, const void *data,
                              size_t len, long long deadline) {
  const char *p = data;
  for (;;) {
    size_t processed = 0;
    sectrans_status status = sectrans_write(ctx, p, len, &processed);
    /* Taken bytes are never offered again; len 0 then only flushes. */
    p += processed;
    len -= processed;
    if (status == SECTRANS_SUCCESS && len == 0)
      return SECTRANS_SUCCESS;
    if (status != SECTRANS_SUCCESS && status != SECTRANS_WOULD_BLOCK)
      return status;
    if (status == SECTRANS_WOULD_BLOCK &&
        (status = tls_wait(ctx, fd, deadline)) != SECTRANS_SUCCESS)
      return status;
  }
}

sectrans_status tls_read_some(sectrans_context *ctx, int fd, void *buf,
                              size_t len, size_t *n, long long deadline) {
  for (;;) {
    sectrans_status status = sectrans_read(ctx, buf, len, n);
    if (*n > 0)
      return SECTRANS_SUCCESS;
    if (status != SECTRANS_WOULD_BLOCK)
      return status == SECTRANS_SUCCESS ? SECTRANS_ERR_INTERNAL : status;
    if ((status = tls_wait(ctx, fd, deadline)) != SECTRANS_SUCCESS)
      return status;
  }
}

void tls_close(sectrans_context *ctx, int fd, long long deadline) {
  sectrans_status status;
  char drain[4096];
  while ((status = sectrans_close(ctx)) == SECTRANS_WOULD_BLOCK)
    if (tls_wait(ctx, fd, deadline) != SECTRANS_SUCCESS)
      break;
  shutdown(fd, SHUT_WR);
  for (;;) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, time_left(deadline)) <= 0)
      break;
    ssize_t got = read(fd, drain, sizeof(drain));
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
      break;
  }
  close(fd);
}
