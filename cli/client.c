/*
 * client.c: `sectrans client HOST:PORT`, a TLS client for the terminal,
 * in the spirit of `openssl s_client`.
 *
 * It connects, runs the handshake, prints the peer's chain and what was
 * negotiated, then relays stdin to the connection and the connection to
 * stdout. End of stdin sends close_notify (a half-close); the client goes
 * on reading until the server closes. With --reconnect it first makes one
 * short connection and then connects again with the same peer ID, to show
 * whether the session resumed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define CMD "client"
/* After a handshake that is not the last, how long the server may stay
 * silent before we hang up: TLS 1.3 tickets arrive in this window. */
#define TICKET_WINDOW_MS 500

struct client_options {
  struct tls_options tls;
  char target[512];
  char *host, *port;
  const char *servername;
  int insecure, reconnect, quiet, no_tickets;
  int timeout_s;
};

static void client_usage(FILE *out) {
  fprintf(
      out,
      "usage: sectrans client [options] HOST:PORT\n"
      "\n"
      "Connects to HOST:PORT ([ADDR]:PORT for an IPv6 literal), runs a TLS\n"
      "handshake, prints the server's chain and what was negotiated, then sends\n"
      "stdin to the server and prints what it sends. End of stdin sends\n"
      "close_notify; the client exits when the server closes.\n"
      "\n"
      "  --servername NAME  name to send (SNI) and verify (default: HOST; an IP\n"
      "                     literal is verified but not sent)\n"
      "  --alpn LIST        offer these ALPN protocols (comma-separated)\n"
      "  --ca FILE          trust the certificates in FILE (PEM) instead of the\n"
      "                     system store\n"
      "  --cert FILE        client certificate chain (PEM; may hold the key)\n"
      "  --key FILE         its private key (PEM)\n"
      "  --p12 FILE         client identity from a PKCS#12 file\n"
      "  --pass PASSWORD    password of the key or the PKCS#12 file\n"
      "  --min 1.2|1.3      lowest protocol version (default 1.2)\n"
      "  --max 1.2|1.3      highest protocol version (default 1.3)\n"
      "  --ciphers LIST     TLS 1.2 suites, IANA numbers or names\n"
      "  --insecure         do not verify the server (dangerous)\n"
      "  --reconnect        connect twice with the same peer ID and say whether\n"
      "                     the second connection resumed the session\n"
      "  --no-tickets       TLS 1.2: resume by session ID, not by ticket\n"
      "  --keylog FILE      append the session secrets to FILE (NSS key log);\n"
      "                     default: $SSLKEYLOGFILE when set\n"
      "  --timeout SECONDS  limit for connect and handshake (default 10)\n"
      "  --quiet            print only the data the server sends\n"
      "  --help             show this text\n");
}

enum {
  OPT_SERVERNAME = 0x200,
  OPT_INSECURE,
  OPT_RECONNECT,
  OPT_NO_TICKETS,
  OPT_TIMEOUT,
  OPT_QUIET
};

static sectrans_status client_option(int c, void *options) {
  struct client_options *o = options;
  switch (c) {
  case OPT_SERVERNAME:
    o->servername = optarg;
    return SECTRANS_SUCCESS;
  case OPT_INSECURE:
    o->insecure = 1;
    return SECTRANS_SUCCESS;
  case OPT_RECONNECT:
    o->reconnect = 1;
    return SECTRANS_SUCCESS;
  case OPT_NO_TICKETS:
    o->no_tickets = 1;
    return SECTRANS_SUCCESS;
  case OPT_QUIET:
    o->quiet = 1;
    return SECTRANS_SUCCESS;
  case OPT_TIMEOUT:
    return timeout_parse(CMD, optarg, 0, &o->timeout_s);
  }
  return tls_option(CMD, c, optarg, &o->tls);
}

static enum parse_result parse_options(int argc, char **argv,
                                       struct client_options *o) {
  static const struct option longopts[] = {
      {"help", no_argument, NULL, 'h'},
      {"servername", required_argument, NULL, OPT_SERVERNAME},
      {"insecure", no_argument, NULL, OPT_INSECURE},
      {"reconnect", no_argument, NULL, OPT_RECONNECT},
      {"no-tickets", no_argument, NULL, OPT_NO_TICKETS},
      {"timeout", required_argument, NULL, OPT_TIMEOUT},
      {"quiet", no_argument, NULL, OPT_QUIET},
      TLS_LONG_OPTIONS,
      {NULL, 0, NULL, 0}};
  enum parse_result parsed = options_parse(CMD, argc, argv, longopts,
                                           client_option, o);
  if (parsed != PARSE_RUN)
    return parsed;
  if (optind + 1 != argc) {
    fprintf(stderr,
            optind == argc ? "sectrans " CMD ": missing HOST:PORT\n"
                           : "sectrans " CMD ": unexpected argument '%s'\n",
            argv[optind + 1 < argc ? optind + 1 : optind]);
    return PARSE_ERROR;
  }
  if (split_host_port(argv[optind], o->target, sizeof(o->target), &o->host,
                      &o->port) != 0) {
    fprintf(stderr, "sectrans " CMD ": '%s' is not HOST:PORT\n", argv[optind]);
    return PARSE_ERROR;
  }
  return PARSE_RUN;
}

/* ---- the config ---------------------------------------------------------- */

static sectrans_status build_config(const struct client_options *o,
                                    sectrans_config **out) {
  sectrans_config *config = NULL;
  sectrans_status status = config_build(CMD, SECTRANS_CLIENT, &o->tls, &config);
  if (status != SECTRANS_SUCCESS)
    return status;
  if (o->insecure) {
    fprintf(stderr, "sectrans " CMD ": WARNING: --insecure: the server is not "
                    "verified; anyone in the path can read and change this "
                    "connection\n");
    status = sectrans_config_set_verify_mode(config, SECTRANS_VERIFY_NONE);
  }
  if (status == SECTRANS_SUCCESS && !o->no_tickets)
    status = sectrans_config_set_session_option(
        config, SECTRANS_OPTION_ENABLE_SESSION_TICKETS, 1);
  if (status != SECTRANS_SUCCESS) {
    sectrans_config_release(config);
    return report_status(CMD, "configure", status, NULL);
  }
  *out = config;
  return SECTRANS_SUCCESS;
}

/* A context for one connection: the server's name and the peer ID under
 * which sessions are cached (the same for every connection of this run). */
static sectrans_status make_context(const struct client_options *o,
                                    sectrans_config *config, int fd,
                                    sectrans_context **out) {
  const char *name = o->servername ? o->servername : o->host;
  char peer_id[1024];
  sectrans_status status = sectrans_context_create_with_config(config, out);
  if (status != SECTRANS_SUCCESS)
    return status;
  snprintf(peer_id, sizeof(peer_id), "%s:%s/%s", o->host, o->port, name);
  if ((status = sectrans_set_fd(*out, fd)) == 0 &&
      (status = sectrans_set_peer_domain_name(*out, name, strlen(name))) == 0)
    status = sectrans_set_peer_id(*out, peer_id, strlen(peer_id));
  return status;
}

/* ---- printing ------------------------------------------------------------ */

static const char *client_cert_text(const sectrans_context *ctx) {
  int state = SECTRANS_CLIENT_CERT_STATE_NONE;
  sectrans_get_client_certificate_state(ctx, &state);
  switch (state) {
  case SECTRANS_CLIENT_CERT_STATE_REQUESTED:
    return "requested, none sent";
  case SECTRANS_CLIENT_CERT_STATE_SENT:
    return "sent";
  case SECTRANS_CLIENT_CERT_STATE_REJECTED:
    return "rejected";
  default:
    return "not requested";
  }
}

static void print_ocsp(const sectrans_context *ctx) {
  size_t len = 0;
  sectrans_status status = sectrans_copy_ocsp_response(ctx, NULL, &len);
  if ((status == SECTRANS_SUCCESS || status == SECTRANS_ERR_BUFFER_OVERFLOW) &&
      len > 0)
    printf("ocsp: stapled response (%zu bytes)\n", len);
}

static sectrans_status print_session(sectrans_context *ctx) {
  struct session_summary s = {0};
  sectrans_status status;
  if ((status = chain_print(stdout, ctx)) == SECTRANS_SUCCESS &&
      (status = summary_capture(ctx, &s)) == SECTRANS_SUCCESS) {
    summary_print(&s);
    printf("resumed: %s\n", resumed_text(ctx));
    printf("client certificate: %s\n", client_cert_text(ctx));
    print_ocsp(ctx);
    printf("---\n");
  }
  summary_clear(&s);
  fflush(stdout);
  return status ? report_status(CMD, "query the session", status, ctx) : status;
}

/* A failed verification still has a chain worth seeing. */
static sectrans_status handshake_failed(const struct client_options *o,
                                        sectrans_context *ctx,
                                        sectrans_status status) {
  if (!o->quiet) {
    chain_print(stdout, ctx);
    fflush(stdout);
  }
  return report_status(CMD, "handshake", status, ctx);
}

/* ---- connections --------------------------------------------------------- */

/* Everything after the handshake: a short read for tickets (a connection
 * that is not the last), or the relay. */
static sectrans_status talk(sectrans_context *ctx, int fd, int last) {
  struct relay r = {.in_fd = STDIN_FILENO,
                    .out_fd = STDOUT_FILENO,
                    .shutdown_on_eof = 1,
                    .idle_ms = -1};
  if (!last) {
    r.in_fd = -1;
    r.idle_ms = TICKET_WINDOW_MS;
  }
  sectrans_status status = relay_run(ctx, fd, &r);
  if (status == SECTRANS_SUCCESS ||
      (!last && status == SECTRANS_ERR_NETWORK_TIMEOUT))
    return SECTRANS_SUCCESS;
  return report_status(CMD, "connection", status, ctx);
}

static sectrans_status run_connection(const struct client_options *o,
                                      sectrans_config *config, int last) {
  char addr[128];
  sectrans_context *ctx = NULL;
  long long timeout = (long long)o->timeout_s * 1000;
  int fd = -1;
  sectrans_status status = tcp_connect(CMD, o->host, o->port, (int)timeout,
                                       addr, sizeof(addr), &fd);
  if (status != SECTRANS_SUCCESS)
    return status;
  if (!o->quiet)
    printf("connected: %s\n", addr);
  status = make_context(o, config, fd, &ctx);
  if (status != SECTRANS_SUCCESS)
    report_status(CMD, "set up the connection", status, ctx);
  else if ((status = tls_handshake(ctx, fd, now_ms() + timeout)) != 0)
    handshake_failed(o, ctx, status);
  else if ((status = o->quiet ? 0 : print_session(ctx)) == 0)
    status = talk(ctx, fd, last);
  tls_close(ctx, fd, now_ms() + 1000);
  sectrans_context_release(ctx);
  return status;
}

int client_command(int argc, char **argv) {
  struct client_options o = {.timeout_s = 10};
  sectrans_config *config = NULL;
  sectrans_status status;

  switch (parse_options(argc, argv, &o)) {
  case PARSE_HELP:
    client_usage(stdout);
    return 0;
  case PARSE_ERROR:
    client_usage(stderr);
    return EXIT_USAGE;
  case PARSE_RUN:
    break;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  if ((status = build_config(&o, &config)) != SECTRANS_SUCCESS)
    return exit_status(status);
  status = run_connection(&o, config, !o.reconnect);
  if (status == SECTRANS_SUCCESS && o.reconnect)
    status = run_connection(&o, config, 1);
  sectrans_config_release(config);
  return exit_status(status);
}
