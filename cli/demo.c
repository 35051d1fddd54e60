/*
 * demo.c: `sectrans demo`, a handshake with itself.
 *
 * Needs nothing but the build: a self-signed identity made in memory, a
 * trust store holding just that certificate, a server thread and a client
 * on a loopback socket, both on the fd transport. The client verifies fully
 * (chain and the name "localhost"), so a working demo shows the whole path
 * an application takes, not a shortcut around verification.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"

#define DEMO_HOST "localhost"
/* Long enough for a slow machine under valgrind; short enough that a peer
 * that stopped talking fails the demo instead of hanging it. */
#define DEMO_TIMEOUT_SECONDS 30

/* RFC 7301 encoding: each name preceded by its length. */
static const unsigned char demo_alpn[] = "\x02h2\x08http/1.1";
static const char demo_message[] = "hello from the sectrans demo";

struct demo_options {
  int key_type;
  int tls12;
};

/* One end of the connection, and what went wrong on it. */
struct side {
  const char *name; /* "client" or "server" */
  sectrans_context *ctx;
  int fd;
  const char *failed_step; /* NULL while all is well */
  sectrans_status status;
  struct session_summary summary; /* captured right after the handshake */
};

static void demo_usage(FILE *out) {
  fprintf(out,
          "usage: sectrans demo [--key-type ecdsa|rsa|ed25519] [--tls12]\n"
          "\n"
          "Runs a TLS server and client in one process over a loopback\n"
          "socket, with a self-signed identity for \"" DEMO_HOST "\" that the\n"
          "client fully verifies, and prints what they negotiated.\n"
          "\n"
          "  --key-type TYPE  the server's key: ecdsa (P-256, default), rsa\n"
          "                   (2048 bits) or ed25519\n"
          "  --tls12          allow at most TLS 1.2 (default: up to TLS 1.3)\n"
          "  --help           show this text\n");
}

static sectrans_status demo_option(int c, void *options) {
  struct demo_options *opts = options;
  switch (c) {
  case 'k':
    if (key_type_from_name(optarg, &opts->key_type) == SECTRANS_SUCCESS)
      return SECTRANS_SUCCESS;
    fprintf(stderr, "sectrans demo: unknown key type '%s'\n", optarg);
    return CLI_ERR_USAGE;
  case 't':
    opts->tls12 = 1;
    return SECTRANS_SUCCESS;
  }
  return SECTRANS_ERR_UNIMPLEMENTED;
}

static enum parse_result parse_options(int argc, char **argv,
                                       struct demo_options *opts) {
  static const struct option longopts[] = {
      {"help", no_argument, NULL, 'h'},
      {"key-type", required_argument, NULL, 'k'},
      {"tls12", no_argument, NULL, 't'},
      {NULL, 0, NULL, 0}};
  opts->key_type = SECTRANS_KEY_ECDSA_P256;
  opts->tls12 = 0;
  enum parse_result parsed = options_parse("demo", argc, argv, longopts,
                                           demo_option, opts);
  if (parsed != PARSE_RUN)
    return parsed;
  if (optind < argc) {
    fprintf(stderr, "sectrans demo: unexpected argument '%s'\n", argv[optind]);
    return PARSE_ERROR;
  }
  return PARSE_RUN;
}

/* Records the first failure of a side; returns status for chaining. */
static sectrans_status side_fail(struct side *side, const char *step,
                                 sectrans_status status) {
  if (side->failed_step == NULL) {
    side->failed_step = step;
    side->status = status;
  }
  return status;
}

/* ---- the identity and the one-certificate trust store -------------------- */

static sectrans_status copy_leaf_pem(const sectrans_identity *identity,
                                     char **pem, size_t *pem_len) {
  sectrans_certificate *leaf = NULL;
  size_t len = 0;
  sectrans_status status = sectrans_identity_copy_certificate(identity, 0,
                                                              &leaf);
  if (status != SECTRANS_SUCCESS)
    return status;
  /* Ask for the size first: the (buf, *len) protocol says -9817. */
  status = sectrans_certificate_copy_pem(leaf, NULL, &len);
  if (status == SECTRANS_ERR_BUFFER_OVERFLOW) {
    *pem = malloc(len);
    status = *pem ? sectrans_certificate_copy_pem(leaf, *pem, &len)
                  : SECTRANS_ERR_ALLOCATE;
    if (status != SECTRANS_SUCCESS) {
      free(*pem);
      *pem = NULL;
    }
  } else if (status == SECTRANS_SUCCESS) {
    status = SECTRANS_ERR_INTERNAL; /* a PEM is never empty */
  }
  *pem_len = len;
  sectrans_certificate_release(leaf);
  return status;
}

static sectrans_status make_trust_store(const sectrans_identity *identity,
                                        sectrans_trust_store **out) {
  sectrans_trust_store *store = NULL;
  char *pem = NULL;
  size_t pem_len = 0;
  sectrans_status status = copy_leaf_pem(identity, &pem, &pem_len);
  if (status == SECTRANS_SUCCESS)
    status = sectrans_trust_store_create(&store);
  if (status == SECTRANS_SUCCESS)
    status = sectrans_trust_store_add_pem(store, pem, pem_len);
  free(pem);
  if (status != SECTRANS_SUCCESS) {
    sectrans_trust_store_release(store);
    return status;
  }
  *out = store;
  return SECTRANS_SUCCESS;
}

/* ---- configuring both ends ----------------------------------------------- */

static sectrans_status configure_common(struct side *side,
                                        const struct demo_options *opts) {
  sectrans_status status;
  if ((status = sectrans_set_fd(side->ctx, side->fd)) != 0)
    return side_fail(side, "set fd", status);
  status = sectrans_set_alpn(side->ctx, demo_alpn, sizeof(demo_alpn) - 1);
  if (status != SECTRANS_SUCCESS)
    return side_fail(side, "set ALPN", status);
  if (opts->tls12) {
    status = sectrans_set_protocol_version_max(side->ctx,
                                               SECTRANS_PROTOCOL_TLS12);
    if (status != SECTRANS_SUCCESS)
      return side_fail(side, "set maximum protocol version", status);
  }
  return SECTRANS_SUCCESS;
}

static sectrans_status configure_server(struct side *side,
                                        sectrans_identity *identity,
                                        const struct demo_options *opts) {
  sectrans_status status = sectrans_context_create(SECTRANS_SERVER,
                                                   SECTRANS_STREAM, &side->ctx);
  if (status != SECTRANS_SUCCESS)
    return side_fail(side, "create context", status);
  if ((status = sectrans_set_identity(side->ctx, identity)) != 0)
    return side_fail(side, "set identity", status);
  return configure_common(side, opts);
}

static sectrans_status configure_client(struct side *side,
                                        sectrans_trust_store *store,
                                        const struct demo_options *opts) {
  sectrans_status status = sectrans_context_create(SECTRANS_CLIENT,
                                                   SECTRANS_STREAM, &side->ctx);
  if (status != SECTRANS_SUCCESS)
    return side_fail(side, "create context", status);
  status = sectrans_set_peer_domain_name(side->ctx, DEMO_HOST,
                                         strlen(DEMO_HOST));
  if (status != SECTRANS_SUCCESS)
    return side_fail(side, "set peer domain name", status);
  if ((status = sectrans_set_trust_store(side->ctx, store)) != 0)
    return side_fail(side, "set trust store", status);
  /* FULL is the default; saying it keeps the demo honest if that changes. */
  status = sectrans_set_verify_mode(side->ctx, SECTRANS_VERIFY_FULL);
  if (status != SECTRANS_SUCCESS)
    return side_fail(side, "set verify mode", status);
  return configure_common(side, opts);
}

/* ---- talking ------------------------------------------------------------- */

/* On a blocking socket, would-block only comes from the socket timeout. */
static sectrans_status write_all(struct side *side, const void *data,
                                 size_t len) {
  size_t processed = 0;
  sectrans_status status = sectrans_write(side->ctx, data, len, &processed);
  if (status != SECTRANS_SUCCESS)
    return side_fail(side, "write", status);
  if (processed != len)
    return side_fail(side, "write (short count)", SECTRANS_ERR_INTERNAL);
  return SECTRANS_SUCCESS;
}

/* Reads exactly len bytes; a read may return fewer (one record at most). */
static sectrans_status read_exactly(struct side *side, void *buf, size_t len) {
  size_t have = 0;
  while (have < len) {
    size_t processed = 0;
    sectrans_status status = sectrans_read(side->ctx, (char *)buf + have,
                                           len - have, &processed);
    have += processed;
    if (processed == 0 && status == SECTRANS_SUCCESS)
      return side_fail(side, "read (success with 0 bytes)",
                       SECTRANS_ERR_INTERNAL);
    if (processed == 0)
      return side_fail(side, "read", status);
  }
  return SECTRANS_SUCCESS;
}

static sectrans_status handshake(struct side *side) {
  sectrans_status status = sectrans_handshake(side->ctx);
  if (status != SECTRANS_SUCCESS)
    return side_fail(side, "handshake", status);
  if ((status = summary_capture(side->ctx, &side->summary)) != 0)
    return side_fail(side, "query the session", status);
  return SECTRANS_SUCCESS;
}

/* The server echoes the client's message, then waits for its close_notify. */
static sectrans_status server_run(struct side *side) {
  char buf[sizeof(demo_message) - 1];
  size_t processed = 0;
  sectrans_status status;

  if ((status = handshake(side)) != SECTRANS_SUCCESS ||
      (status = read_exactly(side, buf, sizeof(buf))) != SECTRANS_SUCCESS ||
      (status = write_all(side, buf, sizeof(buf))) != SECTRANS_SUCCESS)
    return status;
  status = sectrans_read(side->ctx, buf, sizeof(buf), &processed);
  if (status != SECTRANS_CLOSED_GRACEFUL)
    return side_fail(side, "read close_notify",
                     status == SECTRANS_SUCCESS ? SECTRANS_ERR_PROTOCOL
                                                : status);
  if ((status = sectrans_close(side->ctx)) != SECTRANS_SUCCESS)
    return side_fail(side, "close", status);
  return SECTRANS_SUCCESS;
}

static void *server_main(void *arg) {
  struct side *side = arg;
  /* A failed server may have sent nothing: EOF tells the client at once,
   * instead of after the socket timeout. */
  if (server_run(side) != SECTRANS_SUCCESS)
    shutdown(side->fd, SHUT_RDWR);
  return NULL;
}

static sectrans_status client_run(struct side *side) {
  char echo[sizeof(demo_message) - 1];
  sectrans_status status = handshake(side);
  if (status != SECTRANS_SUCCESS)
    return status;
  if ((status = write_all(side, demo_message, sizeof(echo))) != 0 ||
      (status = read_exactly(side, echo, sizeof(echo))) != 0)
    return status;
  if (memcmp(echo, demo_message, sizeof(echo)) != 0)
    return side_fail(side, "echo (bytes differ)", SECTRANS_ERR_PROTOCOL);
  if ((status = sectrans_close(side->ctx)) != SECTRANS_SUCCESS)
    return side_fail(side, "close", status);
  return SECTRANS_SUCCESS;
}

/* ---- the run ------------------------------------------------------------- */

static sectrans_status report_side(const struct side *side) {
  char step[128];
  snprintf(step, sizeof(step), "%s %s", side->name, side->failed_step);
  return report_status("demo", step, side->status, side->ctx);
}

/* The demo's own checks fail as a protocol error: exit status 1. */
static sectrans_status print_results(const struct side *client,
                                     const struct side *server) {
  const struct session_summary *s = &client->summary;
  summary_print(s);
  /* The handshake succeeding with anything but a trusted peer would mean
   * verification was skipped: a demo of that would be a lie. */
  if (!s->peer_sent_certificate || s->trust_result != SECTRANS_SUCCESS) {
    fprintf(stderr, "sectrans demo: the handshake succeeded but the server "
                    "was not verified\n");
    return SECTRANS_ERR_PROTOCOL;
  }
  if (!summaries_agree(s, &server->summary)) {
    fprintf(stderr, "sectrans demo: client and server disagree on the "
                    "negotiated protocol, cipher, group or ALPN\n");
    return SECTRANS_ERR_PROTOCOL;
  }
  printf("exchanged: %zu bytes each way\n", sizeof(demo_message) - 1);
  return SECTRANS_SUCCESS;
}

/* Runs both sides on connected sockets; reports their failures. */
static sectrans_status run_pair(struct side *client, struct side *server) {
  pthread_t thread;
  int err = pthread_create(&thread, NULL, server_main, server);
  if (err != 0) {
    fprintf(stderr, "sectrans demo: pthread_create: %s\n", strerror(err));
    return SECTRANS_ERR_INTERNAL;
  }
  if (client_run(client) != SECTRANS_SUCCESS)
    shutdown(client->fd, SHUT_RDWR); /* the server sees EOF, not a hang */
  pthread_join(thread, NULL);
  /* Either side's failure may explain the other's (a verification error on
   * the client is an alert on the server): say both. */
  if (client->failed_step != NULL || server->failed_step != NULL) {
    sectrans_status status = SECTRANS_SUCCESS;
    if (client->failed_step != NULL)
      status = report_side(client);
    if (server->failed_step != NULL)
      status = report_side(server);
    return status;
  }
  return print_results(client, server);
}

static sectrans_status open_pair(int *client_fd, int *server_fd) {
  uint16_t port = 0;
  int listener = -1;
  if (loopback_listen(&port, &listener) != SECTRANS_SUCCESS)
    return report_errno("demo", "listen on 127.0.0.1");
  /* connect completes from the backlog, so one thread can do both. */
  if (loopback_connect(port, client_fd) != SECTRANS_SUCCESS) {
    report_errno("demo", "connect to 127.0.0.1");
    close(listener);
    return SECTRANS_ERR_IO;
  }
  *server_fd = accept(listener, NULL, NULL);
  close(listener);
  if (*server_fd < 0 || socket_set_timeout(*server_fd, DEMO_TIMEOUT_SECONDS) ||
      socket_set_timeout(*client_fd, DEMO_TIMEOUT_SECONDS)) {
    report_errno("demo", "accept on 127.0.0.1");
    if (*server_fd >= 0)
      close(*server_fd);
    close(*client_fd);
    return SECTRANS_ERR_IO;
  }
  printf("loopback: 127.0.0.1:%u\n", (unsigned)port);
  return SECTRANS_SUCCESS;
}

static sectrans_status run_demo(const struct demo_options *opts,
                                sectrans_identity *identity,
                                sectrans_trust_store *store) {
  struct side client = {.name = "client", .fd = -1};
  struct side server = {.name = "server", .fd = -1};
  sectrans_status status = open_pair(&client.fd, &server.fd);
  if (status != SECTRANS_SUCCESS)
    return status;
  if (configure_server(&server, identity, opts) != SECTRANS_SUCCESS)
    status = report_side(&server);
  else if (configure_client(&client, store, opts) != SECTRANS_SUCCESS)
    status = report_side(&client);
  else
    status = run_pair(&client, &server);
  summary_clear(&client.summary);
  summary_clear(&server.summary);
  sectrans_context_release(client.ctx);
  sectrans_context_release(server.ctx);
  close(client.fd);
  close(server.fd);
  return status;
}

int demo_main(int argc, char **argv) {
  struct demo_options opts;
  sectrans_identity *identity = NULL;
  sectrans_trust_store *store = NULL;
  sectrans_status status;

  switch (parse_options(argc, argv, &opts)) {
  case PARSE_HELP:
    demo_usage(stdout);
    return 0;
  case PARSE_ERROR:
    demo_usage(stderr);
    return EXIT_USAGE;
  case PARSE_RUN:
    break;
  }
  status = sectrans_identity_create_self_signed(DEMO_HOST, opts.key_type,
                                                &identity);
  if (status != SECTRANS_SUCCESS)
    return exit_status(
        report_status("demo", "create self-signed identity", status, NULL));
  if ((status = make_trust_store(identity, &store)) != SECTRANS_SUCCESS) {
    sectrans_identity_release(identity);
    return exit_status(
        report_status("demo", "build trust store", status, NULL));
  }
  printf("identity: %s, self-signed for %s\n",
         key_type_description(opts.key_type), DEMO_HOST);
  status = run_demo(&opts, identity, store);
  sectrans_trust_store_release(store);
  sectrans_identity_release(identity);
  return exit_status(status);
}
