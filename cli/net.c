/*
 * net.c: loopback TCP sockets for the demo (and later client and server).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "cli.h"

static struct sockaddr_in loopback_address(uint16_t port) {
  struct sockaddr_in sin = {0};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sin;
}

/* close() may change errno; the caller wants the one that failed. */
static int close_keeping_errno(int fd) {
  int saved = errno;
  close(fd);
  errno = saved;
  return -1;
}

int loopback_listen(uint16_t *port) {
  struct sockaddr_in sin = loopback_address(0);
  socklen_t len = sizeof(sin);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
      listen(fd, 1) != 0 ||
      getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
    return close_keeping_errno(fd);
  *port = ntohs(sin.sin_port);
  return fd;
}

int loopback_connect(uint16_t port) {
  struct sockaddr_in sin = loopback_address(port);
  int one = 1;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
    return close_keeping_errno(fd);
  /* Handshake flights are small and latency-bound: do not batch them. */
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

int socket_set_timeout(int fd, int seconds) {
  struct timeval tv = {.tv_sec = seconds, .tv_usec = 0};
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0)
    return -1;
  return 0;
}
