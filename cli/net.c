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

int set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static void format_address(const struct sockaddr *sa, socklen_t len,
                           char *addr, size_t size) {
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

/* A non-blocking connect, bounded by timeout_ms. Returns 0 or errno. */
static int connect_within(int fd, const struct addrinfo *ai, int timeout_ms) {
  struct pollfd p = {.fd = fd, .events = POLLOUT};
  int err = 0;
  socklen_t len = sizeof(err);
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
    return 0;
  if (errno != EINPROGRESS)
    return errno;
  int n = poll(&p, 1, timeout_ms);
  if (n == 0)
    return ETIMEDOUT;
  if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
    return errno;
  return err;
}

int tcp_connect(const char *cmd, const char *host, const char *port,
                int timeout_ms, char *addr, size_t size) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  struct addrinfo *list, *ai;
  int one = 1, err = 0;
  int rc = getaddrinfo(host, port, &hints, &list);
  if (rc != 0) {
    fprintf(stderr, "sectrans %s: %s port %s: %s\n", cmd, host, port,
            gai_strerror(rc));
    return -1;
  }
  for (ai = list; ai != NULL; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      err = errno;
      continue;
    }
    if (set_nonblocking(fd) == 0 && (err = connect_within(fd, ai, timeout_ms)) == 0) {
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      format_address(ai->ai_addr, ai->ai_addrlen, addr, size);
      freeaddrinfo(list);
      return fd;
    }
    close(fd);
  }
  freeaddrinfo(list);
  fprintf(stderr, "sectrans %s: connect to %s port %s: %s\n", cmd, host, port,
          strerror(err));
  return -1;
}

int tcp_listen(const char *cmd, const char *host, const char *port,
               char *addr, size_t size) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                           .ai_flags = AI_PASSIVE};
  struct addrinfo *list;
  int one = 1;
  int rc = getaddrinfo(host, port, &hints, &list);
  if (rc != 0) {
    fprintf(stderr, "sectrans %s: %s port %s: %s\n", cmd, host, port,
            gai_strerror(rc));
    return -1;
  }
  int fd = socket(list->ai_family, list->ai_socktype | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, list->ai_addr, list->ai_addrlen) != 0 || listen(fd, 16) != 0)
      fd = close_keeping_errno(fd);
  }
  freeaddrinfo(list);
  if (fd < 0) {
    fprintf(stderr, "sectrans %s: listen on %s port %s: %s\n", cmd, host,
            port, strerror(errno));
    return -1;
  }
  socket_address(fd, 1, addr, size);
  return fd;
}
