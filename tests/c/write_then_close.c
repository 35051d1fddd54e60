/*
 * write_then_close: a client that writes and closes loses nothing.
 *
 * Over loopback TCP with the fd transport, TLS 1.3: the server's session
 * tickets arrive after the client's handshake ended and nobody reads them.
 * Closing a socket with unread bytes sends a reset, and a reset makes the
 * server's kernel drop what the server had not read yet. sectrans_close
 * takes in what arrived first, so the socket closes with a FIN. Checked over
 * repeated rounds against a server that reads slower than the client
 * writes: every byte arrives, in order, and ends with close_notify.
 *
 * Then the other half: a reset that still happens (the client closes with
 * unread application data and SO_LINGER 0) reaches the reader as an I/O
 * error, never as an end of stream.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "fixture.h"

#include <stdlib.h>

enum {
  WRITE_SIZE = 16384
};

/* Rounds and MiB a round: argv can lower them (valgrind runs one small
 * round: the close path is the same). */
static int rounds = 5;
static size_t total = 16 << 20;

static unsigned char pattern_byte(size_t offset) {
  return (unsigned char)(offset * 7 + offset / 4099);
}

/* A connected loopback pair: *client and *server. */
static int tcp_pair(int *client, int *server) {
  struct sockaddr_in addr = {0};
  socklen_t len = sizeof(addr);
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (listener < 0 ||
      bind(listener, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
      listen(listener, 1) != 0 ||
      getsockname(listener, (struct sockaddr *)&addr, &len) != 0)
    return -1;
  *client = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(*client, (struct sockaddr *)&addr, sizeof(addr)) != 0)
    return -1;
  *server = accept(listener, NULL, NULL);
  close(listener);
  return *server < 0 ? -1 : 0;
}

/* TLS 1.3 client and server contexts over a loopback pair; 1 on success. */
static int connected_pair(const struct fixture *f, int *cfd, int *sfd,
                          sectrans_context **client,
                          sectrans_context **server) {
  return CHECK(tcp_pair(cfd, sfd) == 0) &&
         fixture_client(f, SECTRANS_PROTOCOL_TLS13, client) == 0 &&
         fixture_server(f, SECTRANS_PROTOCOL_TLS13, server) == 0 &&
         CHECK_STATUS(sectrans_set_fd(*client, *cfd), SECTRANS_SUCCESS) &&
         CHECK_STATUS(sectrans_set_fd(*server, *sfd), SECTRANS_SUCCESS);
}

struct reader {
  sectrans_context *ctx;
  size_t received;
  int in_order;
  sectrans_status end; /* the status that ended the reading */
};

/* The server: handshake, then read everything, pausing now and then so
 * the client's bytes pile up in the kernel's buffers. */
static void *read_all(void *arg) {
  struct reader *r = arg;
  unsigned char buf[WRITE_SIZE];
  struct timespec pause = {0, 200000};
  r->in_order = 1;
  r->end = sectrans_handshake(r->ctx);
  while (r->end == SECTRANS_SUCCESS) {
    size_t n = 0;
    r->end = sectrans_read(r->ctx, buf, sizeof(buf), &n);
    for (size_t i = 0; i < n && r->in_order; i++)
      r->in_order = buf[i] == pattern_byte(r->received + i);
    r->received += n;
    if (r->received % (1 << 20) < n)
      nanosleep(&pause, NULL);
  }
  return NULL;
}

static void write_pattern(sectrans_context *ctx, size_t total) {
  unsigned char buf[WRITE_SIZE];
  for (size_t off = 0; off < total; off += sizeof(buf)) {
    size_t n = 0;
    for (size_t i = 0; i < sizeof(buf); i++)
      buf[i] = pattern_byte(off + i);
    if (!CHECK_STATUS(sectrans_write(ctx, buf, sizeof(buf), &n),
                      SECTRANS_SUCCESS))
      return;
  }
}

static void write_then_close(const struct fixture *f, int round) {
  sectrans_context *client = NULL;
  struct reader server = {0};
  int cfd, sfd;
  pthread_t thread;
  if (!connected_pair(f, &cfd, &sfd, &client, &server.ctx))
    return;
  pthread_create(&thread, NULL, read_all, &server);
  CHECK_STATUS(sectrans_handshake(client), SECTRANS_SUCCESS);
  write_pattern(client, total);
  CHECK_STATUS(sectrans_close(client), SECTRANS_SUCCESS);
  close(cfd);
  pthread_join(thread, NULL);
  if (server.received != total || server.end != SECTRANS_CLOSED_GRACEFUL)
    fprintf(stderr, "round %d: %zu of %zu bytes, ended with %s\n", round,
            server.received, total, sectrans_status_string(server.end));
  CHECK(server.received == total);
  CHECK(server.in_order);
  CHECK_STATUS(server.end, SECTRANS_CLOSED_GRACEFUL);
  close(sfd);
  sectrans_context_release(client);
  sectrans_context_release(server.ctx);
}

static void *handshake_only(void *ctx) {
  CHECK_STATUS(sectrans_handshake(ctx), SECTRANS_SUCCESS);
  return NULL;
}

/* The client leaves application data unread and closes abortively: the
 * server must see an I/O error, not an end. */
static void reset_is_an_error(const struct fixture *f) {
  sectrans_context *client = NULL;
  struct reader server = {0};
  struct linger abortive = {1, 0};
  unsigned char buf[64];
  size_t n = 0;
  int cfd, sfd;
  pthread_t thread;
  if (!connected_pair(f, &cfd, &sfd, &client, &server.ctx))
    return;
  pthread_create(&thread, NULL, handshake_only, server.ctx);
  CHECK_STATUS(sectrans_handshake(client), SECTRANS_SUCCESS);
  pthread_join(thread, NULL);
  CHECK_STATUS(sectrans_write(server.ctx, "unread", 6, &n), SECTRANS_SUCCESS);
  CHECK_STATUS(sectrans_write(client, "hello", 5, &n), SECTRANS_SUCCESS);
  CHECK_STATUS(sectrans_read(server.ctx, buf, sizeof(buf), &n),
               SECTRANS_SUCCESS);
  setsockopt(cfd, SOL_SOCKET, SO_LINGER, &abortive, sizeof(abortive));
  close(cfd); /* a reset, with no close_notify before it */
  CHECK_STATUS(sectrans_read(server.ctx, buf, sizeof(buf), &n),
               SECTRANS_ERR_IO);
  CHECK(strstr(sectrans_context_error_detail(server.ctx), "reset") != NULL);
  close(sfd);
  sectrans_context_release(client);
  sectrans_context_release(server.ctx);
}

int main(int argc, char **argv) {
  struct fixture f;
  if (argc == 3) {
    rounds = atoi(argv[1]);
    total = (size_t)atoi(argv[2]) << 20;
  }
  if (fixture_init(&f) != 0)
    return 1;
  for (int round = 0; round < rounds; round++)
    write_then_close(&f, round);
  reset_is_an_error(&f);
  fixture_clear(&f);
  return check_exit_status("write_then_close");
}
