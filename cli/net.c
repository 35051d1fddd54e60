/*
 * net.c: TCP sockets: loopback pairs for the demo, connections and
 * listeners for the client and the server.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
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

/* After a failed call on fd: closes it, keeping the errno that failed
 * (close() may change it). Returns -36. */
static sectrans_status close_keeping_errno(int fd) {
  int saved = errno;
  close(fd);
  errno = saved;
  return SECTRANS_ERR_IO;
}

sectrans_status loopback_listen(uint16_t *port, int *fd) {
  struct sockaddr_in sin = loopback_address(0);
  socklen_t len = sizeof(sin);
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return SECTRANS_ERR_IO;
  if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(s, 1) != 0 ||
      getsockname(s, (struct sockaddr *)&sin, &len) != 0)
    return close_keeping_errno(s);
  *port = ntohs(sin.sin_port);
  *fd = s;
  return SECTRANS_SUCCESS;
}

sectrans_status loopback_connect(uint16_t port, int *fd) {
  struct sockaddr_in sin = loopback_address(port);
  int one = 1;
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return SECTRANS_ERR_IO;
  if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) != 0)
    return close_keeping_errno(s);
  /* Handshake flights are small and latency-bound: do not batch them. */
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  *fd = s;
  return SECTRANS_SUCCESS;
}

sectrans_status socket_set_timeout(int fd, int seconds) {
  struct timeval tv = {.tv_sec = seconds, .tv_usec = 0};
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0)
    return SECTRANS_ERR_IO;
  return SECTRANS_SUCCESS;
}

sectrans_status set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0)
    return SECTRANS_ERR_IO;
  return SECTRANS_SUCCESS;
}

static void format_address(const struct sockaddr *sa, socklen_t len, char *addr,
                           size_t size) {
  char host[NI_MAXHOST], port[NI_MAXSERV];
  if (getnameinfo(sa, len, host, sizeof(host), port, sizeof(port),
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    snprintf(addr, size, "(unknown)");
    return;
  }
  snprintf(addr, size, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host,
           port);
}

void socket_address(int fd, int local, char *addr, size_t size) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  int rc = local ? getsockname(fd, (struct sockaddr *)&ss, &len)
                 : getpeername(fd, (struct sockaddr *)&ss, &len);
  if (rc != 0)
    snprintf(addr, size, "(unknown)");
  else
    format_address((struct sockaddr *)&ss, len, addr, size);
}

/* A non-blocking connect, bounded by timeout_ms; -36 with errno set. */
static sectrans_status connect_within(int fd, const struct addrinfo *ai,
                                      int timeout_ms) {
  struct pollfd p = {.fd = fd, .events = POLLOUT};
  int err = 0;
  socklen_t len = sizeof(err);
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
    return SECTRANS_SUCCESS;
  if (errno != EINPROGRESS)
    return SECTRANS_ERR_IO;
  int n = poll(&p, 1, timeout_ms);
  if (n == 0)
    err = ETIMEDOUT;
  else if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
    return SECTRANS_ERR_IO;
  errno = err;
  return err == 0 ? SECTRANS_SUCCESS : SECTRANS_ERR_IO;
}

sectrans_status tcp_connect(const char *cmd, const char *host, const char *port,
                            int timeout_ms, char *addr, size_t size, int *fd) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  struct addrinfo *list, *ai;
  int one = 1, err = 0;
  int rc = getaddrinfo(host, port, &hints, &list);
  if (rc != 0) {
    fprintf(stderr, "sectrans %s: %s port %s: %s\n", cmd, host, port,
            gai_strerror(rc));
    return SECTRANS_ERR_IO;
  }
  for (ai = list; ai != NULL; ai = ai->ai_next) {
    int s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    if (s < 0) {
      err = errno;
      continue;
    }
    if (set_nonblocking(s) == SECTRANS_SUCCESS &&
        connect_within(s, ai, timeout_ms) == SECTRANS_SUCCESS) {
      setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      format_address(ai->ai_addr, ai->ai_addrlen, addr, size);
      freeaddrinfo(list);
      *fd = s;
      return SECTRANS_SUCCESS;
    }
    err = errno;
    close(s);
  }
  freeaddrinfo(list);
  fprintf(stderr, "sectrans %s: connect to %s port %s: %s\n", cmd, host, port,
          strerror(err));
  return SECTRANS_ERR_IO;
}

sectrans_status tcp_listen(const char *cmd, const char *host, const char *port,
                           char *addr, size_t size, int *fd) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC,
                           .ai_socktype = SOCK_STREAM,
                           .ai_flags = AI_PASSIVE};
  struct addrinfo *list;
  int one = 1;
  int rc = getaddrinfo(host, port, &hints, &list);
  if (rc != 0) {
    fprintf(stderr, "sectrans %s: %s port %s: %s\n", cmd, host, port,
            gai_strerror(rc));
    return SECTRANS_ERR_IO;
  }
  int s = socket(list->ai_family, list->ai_socktype | SOCK_CLOEXEC, 0);
  sectrans_status status = s < 0 ? SECTRANS_ERR_IO : SECTRANS_SUCCESS;
  if (s >= 0) {
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(s, list->ai_addr, list->ai_addrlen) != 0 || listen(s, 16) != 0)
      status = close_keeping_errno(s);
  }
  freeaddrinfo(list);
  if (status != SECTRANS_SUCCESS) {
    fprintf(stderr, "sectrans %s: listen on %s port %s: %s\n", cmd, host, port,
            strerror(errno));
    return status;
  }
  socket_address(s, 1, addr, size);
  *fd = s;
  return SECTRANS_SUCCESS;
}
