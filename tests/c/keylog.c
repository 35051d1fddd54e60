/*
 * keylog: the key log callback set on a context (not its config).
 *
 * BoringSSL reads the callback from the SSL_CTX, and a config's SSL_CTX
 * has none unless the config logs keys; a context that asks alone moves to
 * a logging twin of it. Checked here: each side logs exactly when it asked,
 * both sides log the same secrets (so the twin negotiated the same session),
 * TLS 1.3 gives its five lines and TLS 1.2 its CLIENT_RANDOM line, and a
 * context of the same config that did not ask still logs nothing.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "fixture.h"

struct log {
  char lines[8][256];
  int count;
};

static void keep_line(void *user, const char *line) {
  struct log *log = user;
  if (log->count < 8)
    snprintf(log->lines[log->count], sizeof(log->lines[0]), "%s", line);
  log->count++;
}

/* Moves one side's queued ciphertext to the other. */
static void move_output(sectrans_context *from, sectrans_context *to) {
  unsigned char buf[32768];
  size_t len = sizeof(buf);
  while (sectrans_take_output(from, buf, &len) == SECTRANS_SUCCESS && len > 0) {
    CHECK_STATUS(sectrans_feed_input(to, buf, len), SECTRANS_SUCCESS);
    len = sizeof(buf);
  }
}

static void handshake(sectrans_context *client, sectrans_context *server) {
  sectrans_status c = SECTRANS_WOULD_BLOCK, s = SECTRANS_WOULD_BLOCK;
  for (int round = 0; round < 20 && (c != 0 || s != 0); round++) {
    if (c != 0)
      c = sectrans_handshake(client);
    move_output(client, server);
    if (s != 0)
      s = sectrans_handshake(server);
    move_output(server, client);
  }
  CHECK_STATUS(c, SECTRANS_SUCCESS);
  CHECK_STATUS(s, SECTRANS_SUCCESS);
}

static int logged(const struct log *log, const char *label) {
  for (int i = 0; i < log->count && i < 8; i++)
    if (strncmp(log->lines[i], label, strlen(label)) == 0)
      return 1;
  return 0;
}

static void run(const struct fixture *f, int protocol, int client_logs,
                int server_logs) {
  sectrans_context *client = NULL, *server = NULL;
  struct log client_log = {0}, server_log = {0};
  if (fixture_client(f, protocol, &client) != 0 ||
      fixture_server(f, protocol, &server) != 0) {
    CHECK(!"fixture contexts");
    return;
  }
  if (client_logs)
    CHECK_STATUS(sectrans_set_keylog_callback(client, keep_line, &client_log),
                 0);
  if (server_logs)
    CHECK_STATUS(sectrans_set_keylog_callback(server, keep_line, &server_log),
                 0);
  handshake(client, server);
  int lines = protocol == SECTRANS_PROTOCOL_TLS13 ? 5 : 1;
  CHECK(client_log.count == (client_logs ? lines : 0));
  CHECK(server_log.count == (server_logs ? lines : 0));
  if (client_logs && server_logs)
    for (int i = 0; i < client_log.count && i < 8; i++)
      CHECK(strcmp(client_log.lines[i], server_log.lines[i]) == 0);
  const struct log *any = client_logs ? &client_log : &server_log;
  if (client_logs || server_logs)
    CHECK(logged(any, protocol == SECTRANS_PROTOCOL_TLS13
                          ? "CLIENT_TRAFFIC_SECRET_0 "
                          : "CLIENT_RANDOM "));
  sectrans_context_release(client);
  sectrans_context_release(server);
}

int main(void) {
  struct fixture f;
  if (fixture_init(&f) != 0)
    return 1;
  int protocols[] = {SECTRANS_PROTOCOL_TLS13, SECTRANS_PROTOCOL_TLS12};
  for (int i = 0; i < 2; i++) {
    run(&f, protocols[i], 1, 1);
    run(&f, protocols[i], 1, 0);
    run(&f, protocols[i], 0, 1);
    run(&f, protocols[i], 0, 0);
  }
  fixture_clear(&f);
  return check_exit_status("keylog");
}
