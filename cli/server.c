/*
 * server.c: `sectrans server`, a TLS server for testing clients, in the
 * spirit of `openssl s_server`.
 *
 * It listens, prints the address it bound (so a script can use port 0),
 * and serves one connection (or, with --loop, one after another). Per
 * connection it prints what was negotiated, then either relays (the
 * client's data to stdout, stdin to the client), echoes, answers one HTTP
 * request (--www), or sends a file (--file). Every wait for the client is
 * bounded by --timeout, so a dead client cannot hold the server forever.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"

#define CMD "server"
#define DEFAULT_BIND "127.0.0.1:4433"

enum mode {
  MODE_RELAY,
  MODE_ECHO,
  MODE_WWW,
  MODE_FILE
};

struct server_options {
  struct tls_options tls;
  char bind[512];
  char *host, *port;
  int verify_client; /* enum sectrans_authenticate */
  enum mode mode;
  const char *file;
  int loop;
  int timeout_s; /* 0: wait forever */
};

/* What every connection shares. */
struct server {
  const struct server_options *o;
  sectrans_config *config;
  char *file_data; /* --file, read once at start */
  size_t file_len;
  int stdin_eof;
};

static void server_usage(FILE *out) {
  fprintf(
      out,
      "usage: sectrans server [options] (--cert FILE [--key FILE] | --p12 FILE)\n"
      "\n"
      "Listens for TLS connections and prints what each one negotiated. By\n"
      "default it prints what the client sends and sends stdin to the client;\n"
      "--echo, --www and --file serve the client instead.\n"
      "\n"
      "  --bind ADDR:PORT   where to listen (default " DEFAULT_BIND
      "; port 0:\n"
      "                     any free port, printed as \"listening on ADDR:PORT\")\n"
      "  --cert FILE        certificate chain (PEM, leaf first; may hold the key)\n"
      "  --key FILE         its private key (PEM)\n"
      "  --p12 FILE         identity from a PKCS#12 file\n"
      "  --pass PASSWORD    password of the key or the PKCS#12 file\n"
      "  --alpn LIST        ALPN protocols to choose from, preferred first\n"
      "  --verify-client never|try|always\n"
      "                     ask for a client certificate (default never); try\n"
      "                     goes on without one, always fails the handshake\n"
      "  --ca FILE          anchors for client certificates (PEM; default: the\n"
      "                     system store)\n"
      "  --min 1.2|1.3      lowest protocol version (default 1.2)\n"
      "  --max 1.2|1.3      highest protocol version (default 1.3)\n"
      "  --ciphers LIST     TLS 1.2 suites, IANA numbers or names\n"
      "  --echo             send the client's data back to it\n"
      "  --www              answer GET / with a page showing the session\n"
      "                     (HTTP/1.x: --alpn may offer only http/1.1, http/1.0)\n"
      "  --file PATH        send the file's content, then close\n"
      "  --loop             serve connections until killed (default: one)\n"
      "  --keylog FILE      append the session secrets to FILE (NSS key log);\n"
      "                     default: $SSLKEYLOGFILE when set\n"
      "  --timeout SECONDS  limit for each wait on a client (default 30; 0: none)\n"
      "  --help             show this text\n");
}

enum {
  OPT_BIND = 0x200,
  OPT_VERIFY_CLIENT,
  OPT_ECHO,
  OPT_WWW,
  OPT_FILE,
  OPT_LOOP,
  OPT_TIMEOUT
};

static sectrans_status set_mode(struct server_options *o, enum mode mode) {
  if (o->mode != MODE_RELAY && o->mode != mode) {
    fprintf(stderr, "sectrans " CMD ": --echo, --www and --file exclude each "
                    "other\n");
    return CLI_ERR_USAGE;
  }
  o->mode = mode;
  return SECTRANS_SUCCESS;
}

static sectrans_status verify_client_from_text(const char *text, int *auth) {
  static const struct {
    const char *name;
    int auth;
  } names[] = {{"never", SECTRANS_AUTHENTICATE_NEVER},
               {"try", SECTRANS_AUTHENTICATE_TRY},
               {"always", SECTRANS_AUTHENTICATE_ALWAYS}};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (strcmp(names[i].name, text) == 0) {
      *auth = names[i].auth;
      return SECTRANS_SUCCESS;
    }
  }
  fprintf(stderr,
          "sectrans " CMD ": --verify-client takes never, try or "
          "always, not '%s'\n",
          text);
  return CLI_ERR_USAGE;
}

static sectrans_status server_option(int c, void *options) {
  struct server_options *o = options;
  switch (c) {
  case OPT_BIND:
    if (split_host_port(optarg, o->bind, sizeof(o->bind), &o->host, &o->port) ==
        SECTRANS_SUCCESS)
      return SECTRANS_SUCCESS;
    fprintf(stderr, "sectrans " CMD ": '%s' is not ADDR:PORT\n", optarg);
    return CLI_ERR_USAGE;
  case OPT_VERIFY_CLIENT:
    return verify_client_from_text(optarg, &o->verify_client);
  case OPT_ECHO:
    return set_mode(o, MODE_ECHO);
  case OPT_WWW:
    return set_mode(o, MODE_WWW);
  case OPT_FILE:
    o->file = optarg;
    return set_mode(o, MODE_FILE);
  case OPT_LOOP:
    o->loop = 1;
    return SECTRANS_SUCCESS;
  case OPT_TIMEOUT:
    return timeout_parse(CMD, optarg, 1, &o->timeout_s);
  }
  return tls_option(CMD, c, optarg, &o->tls);
}

/* --www answers in HTTP/1.x: a client that got h2 (or any other protocol)
 * from ALPN would wait for frames that never come, so such a name in
 * --alpn is a usage error, before anything is negotiated. */
static sectrans_status www_alpn_check(const char *list) {
  for (const char *name = list;; name++) {
    size_t len = strcspn(name, ",");
    int http1 = len == 8 && (strncmp(name, "http/1.1", 8) == 0 ||
                             strncmp(name, "http/1.0", 8) == 0);
    /* An empty name is alpn_encode's to report, as for any mode. */
    if (len > 0 && !http1) {
      fprintf(stderr,
              "sectrans " CMD ": --www answers in HTTP/1.x only, so "
              "--alpn cannot offer '%.*s' (http/1.1 and http/1.0 "
              "can be)\n",
              (int)len, name);
      return CLI_ERR_USAGE;
    }
    name += len;
    if (*name == '\0')
      return SECTRANS_SUCCESS;
  }
}

static enum parse_result parse_options(int argc, char **argv,
                                       struct server_options *o) {
  static const struct option longopts[] = {
      {"help", no_argument, NULL, 'h'},
      {"bind", required_argument, NULL, OPT_BIND},
      {"verify-client", required_argument, NULL, OPT_VERIFY_CLIENT},
      {"echo", no_argument, NULL, OPT_ECHO},
      {"www", no_argument, NULL, OPT_WWW},
      {"file", required_argument, NULL, OPT_FILE},
      {"loop", no_argument, NULL, OPT_LOOP},
      {"timeout", required_argument, NULL, OPT_TIMEOUT},
      TLS_LONG_OPTIONS,
      {NULL, 0, NULL, 0}};
  enum parse_result parsed = options_parse(CMD, argc, argv, longopts,
                                           server_option, o);
  if (parsed != PARSE_RUN)
    return parsed;
  if (optind < argc) {
    fprintf(stderr, "sectrans " CMD ": unexpected argument '%s'\n",
            argv[optind]);
    return PARSE_ERROR;
  }
  if (o->mode == MODE_WWW && o->tls.alpn != NULL &&
      www_alpn_check(o->tls.alpn) != 0)
    return PARSE_ERROR;
  if (o->tls.cert_file == NULL && o->tls.p12_file == NULL) {
    fprintf(stderr, "sectrans " CMD ": needs an identity: --cert FILE "
                    "[--key FILE] or --p12 FILE\n");
    return PARSE_ERROR;
  }
  return PARSE_RUN;
}

/* ---- what a connection negotiated ---------------------------------------- */

static void requested_name(const sectrans_context *ctx, char *buf,
                           size_t size) {
  size_t len = size - 1;
  if (sectrans_get_requested_peer_name(ctx, buf, &len) != SECTRANS_SUCCESS)
    len = 0;
  buf[len] = '\0';
}

/* The session as "name: value" lines: on stdout, and the --www page. */
static sectrans_status session_fprint(FILE *out, sectrans_context *ctx) {
  struct session_summary s = {0};
  char name[SECTRANS_MAX_PEER_NAME_LENGTH + 2];
  sectrans_status status = summary_capture(ctx, &s);
  if (status == SECTRANS_SUCCESS) {
    summary_fprint(out, &s);
    requested_name(ctx, name, sizeof(name));
    fprintf(out, "servername: %s\n", name[0] ? name : "(none)");
    fprintf(out, "resumed: %s\n", resumed_text(ctx));
    fprintf(out, "client certificate: %s\n",
            s.peer_subject ? s.peer_subject : "none");
  }
  summary_clear(&s);
  return status;
}

/* ---- serving ------------------------------------------------------------- */

static long long deadline(const struct server *srv) {
  return srv->o->timeout_s ? now_ms() + srv->o->timeout_s * 1000LL : -1;
}

static sectrans_status serve_file(struct server *srv, sectrans_context *ctx,
                                  int fd) {
  size_t off = 0;
  while (off < srv->file_len) {
    size_t chunk = srv->file_len - off < 65536 ? srv->file_len - off : 65536;
    sectrans_status status = tls_write_all(ctx, fd, srv->file_data + off, chunk,
                                           deadline(srv));
    if (status != SECTRANS_SUCCESS)
      return status;
    off += chunk;
  }
  return SECTRANS_SUCCESS;
}

/* Reads the request head (up to an empty line, or what fits). */
static sectrans_status read_request(struct server *srv, sectrans_context *ctx,
                                    int fd, char *buf, size_t size) {
  size_t used = 0;
  long long until = deadline(srv);
  while (used + 1 < size) {
    size_t n = 0;
    sectrans_status status = tls_read_some(ctx, fd, buf + used, size - 1 - used,
                                           &n, until);
    if (status != SECTRANS_SUCCESS)
      return status;
    used += n;
    buf[used] = '\0';
    if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
      break;
  }
  return SECTRANS_SUCCESS;
}

static sectrans_status serve_www(struct server *srv, sectrans_context *ctx,
                                 int fd) {
  char request[4096], *body = NULL, *reply = NULL;
  size_t body_len = 0;
  const char *status_line = "200 OK";
  sectrans_status status = read_request(srv, ctx, fd, request, sizeof(request));
  if (status != SECTRANS_SUCCESS)
    return status;
  FILE *page = open_memstream(&body, &body_len);
  if (page == NULL)
    return SECTRANS_ERR_ALLOCATE;
  if (strncmp(request, "GET / ", 6) == 0) {
    fprintf(page, "sectrans server\n\n");
    status = session_fprint(page, ctx);
  } else {
    status_line = strncmp(request, "GET ", 4) == 0 ? "404 Not Found"
                                                   : "400 Bad Request";
    fprintf(page, "%s\n", status_line);
  }
  fclose(page);
  int len = asprintf(&reply,
                     "HTTP/1.0 %s\r\nContent-Type: text/plain\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                     status_line, body_len, body);
  free(body);
  if (len < 0)
    return SECTRANS_ERR_ALLOCATE;
  if (status == SECTRANS_SUCCESS)
    status = tls_write_all(ctx, fd, reply, (size_t)len, deadline(srv));
  free(reply);
  return status;
}

static sectrans_status serve_relay(struct server *srv, sectrans_context *ctx,
                                   int fd) {
  struct relay r = {.in_fd = srv->stdin_eof ? -1 : STDIN_FILENO,
                    .out_fd = STDOUT_FILENO,
                    .echo = srv->o->mode == MODE_ECHO,
                    .idle_ms = srv->o->timeout_s ? srv->o->timeout_s * 1000
                                                 : -1};
  if (r.echo)
    r.in_fd = -1;
  sectrans_status status = relay_run(ctx, fd, &r);
  srv->stdin_eof |= r.in_eof;
  return status;
}

static sectrans_status serve(struct server *srv, sectrans_context *ctx,
                             int fd) {
  switch (srv->o->mode) {
  case MODE_WWW:
    return serve_www(srv, ctx, fd);
  case MODE_FILE:
    return serve_file(srv, ctx, fd);
  default:
    return serve_relay(srv, ctx, fd);
  }
}

/* One connection, from the handshake to the close. Reports its failure. */
static sectrans_status serve_connection(struct server *srv, int fd,
                                        unsigned number) {
  char addr[128], step[64];
  sectrans_context *ctx = NULL;
  int one = 1;
  socket_address(fd, 0, addr, sizeof(addr));
  printf("connection %u from %s\n", number, addr);
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sectrans_status status = set_nonblocking(fd);
  if (status == SECTRANS_SUCCESS)
    status = sectrans_context_create_with_config(srv->config, &ctx);
  if (status == SECTRANS_SUCCESS)
    status = sectrans_set_fd(ctx, fd);
  snprintf(step, sizeof(step), "connection %u: handshake", number);
  if (status == SECTRANS_SUCCESS &&
      (status = tls_handshake(ctx, fd, deadline(srv))) == SECTRANS_SUCCESS) {
    snprintf(step, sizeof(step), "connection %u", number);
    if ((status = session_fprint(stdout, ctx)) == SECTRANS_SUCCESS) {
      printf("---\n");
      fflush(stdout);
      status = serve(srv, ctx, fd);
    }
  }
  if (status != SECTRANS_SUCCESS)
    report_status(CMD, step, status, ctx);
  tls_close(ctx, fd, now_ms() + 2000);
  sectrans_context_release(ctx);
  printf("connection %u closed\n", number);
  return status;
}

static sectrans_status accept_loop(struct server *srv, int listener) {
  unsigned number = 0;
  for (;;) {
    int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
      continue;
    if (fd < 0)
      return report_errno(CMD, "accept");
    sectrans_status status = serve_connection(srv, fd, ++number);
    if (!srv->o->loop)
      return status;
  }
}

static sectrans_status start(struct server *srv) {
  const struct server_options *o = srv->o;
  char addr[128];
  int listener = -1;
  sectrans_status status;
  if (o->mode == MODE_FILE &&
      (status = read_file(o->file, &srv->file_data, &srv->file_len)) !=
          SECTRANS_SUCCESS) {
    fprintf(stderr, "sectrans " CMD ": %s: %s\n", o->file, strerror(errno));
    return status;
  }
  status = config_build(CMD, SECTRANS_SERVER, &o->tls, &srv->config);
  if (status != SECTRANS_SUCCESS)
    return status;
  status = sectrans_config_set_client_side_authenticate(srv->config,
                                                        o->verify_client);
  if (status != SECTRANS_SUCCESS)
    return report_status(CMD, "set client authentication", status, NULL);
  status = tcp_listen(CMD, o->host, o->port, addr, sizeof(addr), &listener);
  if (status != SECTRANS_SUCCESS)
    return status;
  printf("listening on %s\n", addr);
  fflush(stdout);
  status = accept_loop(srv, listener);
  close(listener);
  return status;
}

int server_command(int argc, char **argv) {
  struct server_options o = {.timeout_s = 30};
  struct server srv = {.o = &o};
  split_host_port(DEFAULT_BIND, o.bind, sizeof(o.bind), &o.host, &o.port);
  switch (parse_options(argc, argv, &o)) {
  case PARSE_HELP:
    server_usage(stdout);
    return 0;
  case PARSE_ERROR:
    server_usage(stderr);
    return EXIT_USAGE;
  case PARSE_RUN:
    break;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  sectrans_status status = start(&srv);
  sectrans_config_release(srv.config);
  free(srv.file_data);
  return exit_status(status);
}
