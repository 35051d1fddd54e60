/*
 * cli.h: what the files of the sectrans command share.
 *
 * Each subcommand lives in its own file and exposes one entry point shaped
 * like main(): argv[0] is the subcommand's name, the return value is the
 * process exit status.
 */
#ifndef SECTRANS_CLI_H
#define SECTRANS_CLI_H

#include <stdint.h>

#include <sectrans/sectrans.h>

/* Exit statuses: 1 for a TLS or system failure, 2 for a usage error. */
enum { EXIT_TLS_FAILURE = 1, EXIT_USAGE = 2 };

int demo_main(int argc, char **argv);

/* ---- report.c: messages -------------------------------------------------- */

/* Prints "sectrans <cmd>: <step>: <status name> (<number>): <detail>" to
 * stderr, where the detail comes from ctx (may be NULL) or, when BoringSSL
 * could not be loaded, from sectrans_load_error. Returns EXIT_TLS_FAILURE so
 * callers can `return report_status(...)`. */
int report_status(const char *cmd, const char *step, sectrans_status status,
                  const sectrans_context *ctx);
/* The same for a failed system call: appends strerror(errno). */
int report_errno(const char *cmd, const char *step);

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
  char *peer_subject;           /* NULL when the peer sent no certificate */
};

/* Fills s from ctx. Returns 0 or the status of the query that failed;
 * either way summary_clear frees what it holds. */
sectrans_status summary_capture(sectrans_context *ctx,
                                struct session_summary *s);
/* Prints s as "name: value" lines on stdout. */
void summary_print(const struct session_summary *s);
/* 1 when both ends saw the same protocol, cipher, group and ALPN. */
int summaries_agree(const struct session_summary *a,
                    const struct session_summary *b);
void summary_clear(struct session_summary *s);

/* ---- names.c: command-line words and their constants --------------------- */

/* Maps "ecdsa", "rsa", "ed25519" to a sectrans_key_type. Returns 0 and sets
 * *key_type, or -1 for an unknown name. */
int key_type_from_name(const char *name, int *key_type);
const char *key_type_description(int key_type);

/* ---- net.c: loopback sockets --------------------------------------------- */

/* A listening TCP socket on 127.0.0.1 with a port the kernel picked, which
 * goes into *port. Returns the fd, or -1 with errno set. */
int loopback_listen(uint16_t *port);
/* A blocking TCP connection to 127.0.0.1:port. Returns the fd or -1. */
int loopback_connect(uint16_t port);
/* Bounds every blocking read and write on fd, so a peer that stops talking
 * turns into a timeout (EAGAIN) instead of a hang. Returns 0 or -1. */
int socket_set_timeout(int fd, int seconds);

#endif
