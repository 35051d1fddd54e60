/*
 * cli.h: what the files of the sectrans command share.
 *
 * Each subcommand lives in its own file and exposes one entry point shaped
 * like main(): argv[0] is the subcommand's name, the return value is the
 * process exit status (exit_status() below).
 *
 * Every other function follows the core's return rule (core/src/
 * internal.h): one that can fail returns sectrans_status, 0 on success;
 * results go through out-parameters (a socket's descriptor too). A failed
 * system call is SECTRANS_ERR_IO with errno saying why; a bad command line
 * is CLI_ERR_USAGE. Helpers that print their own message say so; the
 * status they return has then been reported. Predicates (summaries_agree)
 * return int truth; options_parse returns what it found.
 */
#ifndef SECTRANS_CLI_H
#define SECTRANS_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sectrans/sectrans.h>

/* Exit statuses: 1 for a TLS or system failure, 2 for a usage error. */
enum {
  EXIT_TLS_FAILURE = 1,
  EXIT_USAGE = 2
};

/* The command's one status of its own: a usage error, already reported.
 * No sectrans function returns -1. */
#define CLI_ERR_USAGE ((sectrans_status)-1)

/* The exit status for what a subcommand ended with: 0, EXIT_USAGE for
 * CLI_ERR_USAGE, EXIT_TLS_FAILURE for any other failure. */
int exit_status(sectrans_status status);

int demo_main(int argc, char **argv);
int client_command(int argc, char **argv);
int server_command(int argc, char **argv);

/* ---- report.c: messages -------------------------------------------------- */

/* Prints "sectrans <cmd>: <step>: <status name> (<number>): <detail>" to
 * stderr, where the detail comes from ctx (may be NULL) or, when BoringSSL
 * could not be loaded, from sectrans_load_error. Returns status so callers
 * can `return report_status(...)`. */
sectrans_status report_status(const char *cmd, const char *step,
                              sectrans_status status,
                              const sectrans_context *ctx);
/* The same for a failed system call: appends strerror(errno). Returns
 * SECTRANS_ERR_IO. */
sectrans_status report_errno(const char *cmd, const char *step);

/* What a handshake negotiated and how the peer was verified, captured
 * while the session is active (Secure Transport answers -909 for the
 * cipher once it closed). */
struct session_summary {
  int protocol;
  uint16_t cipher, group;
  unsigned char alpn[255]; /* an ALPN name is at most 255 bytes */
  size_t alpn_len;
  int peer_sent_certificate;
  sectrans_status trust_result; /* 0 when trusted */
  char *trust_detail;           /* why not trusted; NULL when none */
  char *peer_subject;           /* NULL when the peer sent no certificate */
};

/* Fills s from ctx. Returns 0 or the status of the query that failed;
 * either way summary_clear frees what it holds. */
sectrans_status summary_capture(sectrans_context *ctx,
                                struct session_summary *s);
/* Prints s as "name: value" lines on stdout (or out). */
void summary_print(const struct session_summary *s);
void summary_fprint(FILE *out, const struct session_summary *s);
/* 1 when both ends saw the same protocol, cipher, group and ALPN. */
int summaries_agree(const struct session_summary *a,
                    const struct session_summary *b);
void summary_clear(struct session_summary *s);
/* Prints the peer's chain as sent, leaf first: subject, issuer, validity
 * and SHA-256 fingerprint of each certificate. Nothing when the peer sent
 * none. Returns 0 or the status of the query that failed. */
sectrans_status chain_print(FILE *out, sectrans_context *ctx);
/* "yes" or "no" for sectrans_get_session_resumed (or "unknown"). */
const char *resumed_text(const sectrans_context *ctx);

/* ---- names.c: command-line words and their constants --------------------- */

/* Maps "ecdsa", "rsa", "ed25519" to a sectrans_key_type in *key_type;
 * -50 for an unknown name. */
sectrans_status key_type_from_name(const char *name, int *key_type);
const char *key_type_description(int key_type);

/* ---- options.c: option values shared by client and server ---------------- */

/* Splits "HOST:PORT", "[V6]:PORT" or "V6:PORT" (last colon) into host and
 * port (both NUL-terminated, pointing into the modified copy in buf, which
 * holds size bytes). -50 when there is no port. */
sectrans_status split_host_port(const char *text, char *buf, size_t size,
                                char **host, char **port);
/* "1.2" or "1.3" to a sectrans_protocol; -50 for anything else. */
sectrans_status protocol_from_text(const char *text, int *protocol);
/* "h2,http/1.1" to the RFC 7301 encoding in out (size bytes), its length
 * in *len; -50 for an empty name, a name over 255 bytes, or no room. */
sectrans_status alpn_encode(const char *list, unsigned char *out, size_t size,
                            size_t *len);
/* "0xc02b,TLS_AES_128_GCM_SHA256,4865" to IANA numbers, their count in
 * *count. CLI_ERR_USAGE (after a message naming the bad entry) when one
 * is neither a number nor a name sectrans knows, or there are more than
 * max. */
sectrans_status ciphers_parse(const char *cmd, const char *list, uint16_t *out,
                              size_t max, size_t *count);

/* Options both commands take, applied to a config by config_apply. */
struct tls_options {
  const char *alpn;    /* comma-separated, NULL for none */
  const char *ca_file; /* anchors; NULL: the system store */
  const char *cert_file, *key_file, *p12_file, *password;
  const char *ciphers;            /* comma-separated, NULL for the defaults */
  const char *keylog;             /* --keylog; NULL: $SSLKEYLOGFILE if set */
  int min_protocol, max_protocol; /* 0: the library's default */
};
/* Handles one of the shared options (getopt_long's code c with optarg):
 * 0 when taken, -4 (SECTRANS_ERR_UNIMPLEMENTED) when c is not one of
 * them, CLI_ERR_USAGE for a bad value (after a message). The codes are the
 * OPT_* below. */
enum {
  OPT_ALPN = 0x100,
  OPT_CA,
  OPT_CERT,
  OPT_KEY,
  OPT_P12,
  OPT_PASS,
  OPT_CIPHERS,
  OPT_KEYLOG,
  OPT_MIN,
  OPT_MAX
};
#define TLS_LONG_OPTIONS                                                       \
  {"alpn", required_argument, NULL, OPT_ALPN},                                 \
      {"ca", required_argument, NULL, OPT_CA},                                 \
      {"cert", required_argument, NULL, OPT_CERT},                             \
      {"key", required_argument, NULL, OPT_KEY},                               \
      {"p12", required_argument, NULL, OPT_P12},                               \
      {"pass", required_argument, NULL, OPT_PASS},                             \
      {"ciphers", required_argument, NULL, OPT_CIPHERS},                       \
      {"keylog", required_argument, NULL, OPT_KEYLOG},                         \
      {"min", required_argument, NULL, OPT_MIN}, {                             \
    "max", required_argument, NULL, OPT_MAX                                    \
  }
sectrans_status tls_option(const char *cmd, int c, const char *arg,
                           struct tls_options *o);

/* What parsing a command line found. */
enum parse_result {
  PARSE_RUN,
  PARSE_HELP,
  PARSE_ERROR
};
struct option;
/* Runs getopt_long over argv: -h/--help gives PARSE_HELP; an unknown
 * option, a missing value or a value given to a flag is reported here,
 * naming the word, and gives PARSE_ERROR; every other option goes to
 * handle(c, options), which returns what tls_option does. Operands are
 * left at argv[optind...]. */
enum parse_result options_parse(const char *cmd, int argc, char **argv,
                                const struct option *longopts,
                                sectrans_status (*handle)(int c, void *options),
                                void *options);
/* A --timeout value in seconds (0 allowed only with allow_zero) in *out;
 * CLI_ERR_USAGE after a message. */
sectrans_status timeout_parse(const char *cmd, const char *arg, int allow_zero,
                              int *out);
/* Builds a config of side from o: identity, anchors, ALPN, ciphers,
 * protocol range, key log. Reports its failures. */
sectrans_status config_build(const char *cmd, int side,
                             const struct tls_options *o,
                             sectrans_config **out);

/* ---- files.c: reading files --------------------------------------------- */

/* The whole file in a malloc'ed buffer (NUL-terminated, the NUL not
 * counted). -36 with errno set on failure. */
sectrans_status read_file(const char *path, char **data, size_t *len);
/* An identity from --cert/--key PEM files or a --p12 file. Reports its
 * failures. */
sectrans_status identity_load(const char *cmd, const struct tls_options *o,
                              sectrans_identity **out);
/* A trust store holding the anchors of a PEM file. Reports its failures. */
sectrans_status trust_store_load(const char *cmd, const char *path,
                                 sectrans_trust_store **out);

/* ---- keylog.c: the NSS key log ------------------------------------------ */

/* Opens path for appending (created with mode 0600) and installs a key log
 * callback on config that writes each line and a newline. The file stays
 * open for the life of the process. Reports its failures. */
sectrans_status keylog_install(const char *cmd, sectrans_config *config,
                               const char *path);

/* ---- net.c: TCP sockets ------------------------------------------------- */

/* A listening TCP socket (*fd) on 127.0.0.1 with a port the kernel
 * picked, which goes into *port. -36 with errno set on failure. */
sectrans_status loopback_listen(uint16_t *port, int *fd);
/* A blocking TCP connection (*fd) to 127.0.0.1:port; -36 with errno. */
sectrans_status loopback_connect(uint16_t port, int *fd);
/* Bounds every blocking read and write on fd, so a peer that stops talking
 * turns into a timeout (EAGAIN) instead of a hang. -36 with errno. */
sectrans_status socket_set_timeout(int fd, int seconds);
/* A non-blocking TCP connection (*fd) to host:port (names through
 * getaddrinfo, IPv4 and IPv6), each address tried within timeout_ms.
 * Reports its failures (-36). The address reached goes into addr (size
 * bytes) as "1.2.3.4:443" or "[::1]:443". */
sectrans_status tcp_connect(const char *cmd, const char *host, const char *port,
                            int timeout_ms, char *addr, size_t size, int *fd);
/* A listening TCP socket (*fd) on host:port (port "0": the kernel picks).
 * Reports its failures (-36); the bound address goes into addr. */
sectrans_status tcp_listen(const char *cmd, const char *host, const char *port,
                           char *addr, size_t size, int *fd);
/* The address of a socket's peer (or of the socket, local != 0) as text. */
void socket_address(int fd, int local, char *addr, size_t size);
/* -36 with errno set on failure. */
sectrans_status set_nonblocking(int fd);

/* ---- tls.c: a context on a non-blocking socket --------------------------- */

/* Milliseconds on a monotonic clock. */
long long now_ms(void);
/* After SECTRANS_WOULD_BLOCK: polls fd for what the context wants until
 * deadline (a now_ms() value; -1 for none). Returns 0, or
 * SECTRANS_ERR_NETWORK_TIMEOUT. */
sectrans_status tls_wait(sectrans_context *ctx, int fd, long long deadline);
sectrans_status tls_handshake(sectrans_context *ctx, int fd,
                              long long deadline);
/* Writes all len bytes and flushes them. */
sectrans_status tls_write_all(sectrans_context *ctx, int fd, const void *data,
                              size_t len, long long deadline);
/* Reads what arrives first (at least one byte): 0 with *n > 0, or the
 * status that ended the stream (-9805, -9806, an error, a timeout). */
sectrans_status tls_read_some(sectrans_context *ctx, int fd, void *buf,
                              size_t len, size_t *n, long long deadline);
/* sectrans_close until flushed, then a lingering close of the socket:
 * shut down the sending side and wait (until deadline) for the peer's end
 * of stream, so unread input cannot turn into a reset that destroys what we
 * sent. Closes fd. */
void tls_close(sectrans_context *ctx, int fd, long long deadline);

/* ---- relay.c: moving data between files and a connection --------------- */

struct relay {
  int in_fd;           /* sent to the peer; -1 for none */
  int out_fd;          /* what the peer sends goes here; -1 to drop it */
  int echo;            /* what the peer sends goes back to it */
  int shutdown_on_eof; /* end of in_fd: close_notify, keep reading */
  int idle_ms;         /* give up after this long without traffic; -1 never */
  int in_eof;          /* set when in_fd ended */
};
/* Runs until the peer closes (returns 0 after its close_notify), an error
 * (its status) or the idle timeout (SECTRANS_ERR_NETWORK_TIMEOUT). */
sectrans_status relay_run(sectrans_context *ctx, int fd, struct relay *r);

#endif
