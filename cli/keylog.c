/*
 * keylog.c: the NSS key log (SSLKEYLOGFILE), for Wireshark and friends.
 *
 * The core hands over one line per secret; we append it with its newline
 * in a single write(2) on an O_APPEND descriptor, so lines of concurrent
 * processes sharing one file never interleave.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void keylog_write(void *user, const char *line) {
  int fd = (int)(intptr_t)user;
  size_t len = strlen(line);
  char stack[512];
  char *buf = len + 1 <= sizeof(stack) ? stack : malloc(len + 1);
  if (buf == NULL)
    return;
  memcpy(buf, line, len);
  buf[len] = '\n';
  /* A failed write means a full disk: nothing useful to do mid-handshake. */
  ssize_t written = write(fd, buf, len + 1);
  (void)written;
  if (buf != stack)
    free(buf);
}

sectrans_status keylog_install(const char *cmd, sectrans_config *config,
                               const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    char step[512];
    snprintf(step, sizeof(step), "open key log %s", path);
    return report_errno(cmd, step);
  }
  sectrans_status status = sectrans_config_set_keylog_callback(
      config, keylog_write, (void *)(intptr_t)fd);
  if (status != SECTRANS_SUCCESS) {
    close(fd);
    return report_status(cmd, "set key log callback", status, NULL);
  }
  /* Whoever reads this file can decrypt the traffic: say so. */
  fprintf(stderr, "sectrans %s: logging TLS secrets to %s\n", cmd, path);
  return SECTRANS_SUCCESS;
}
