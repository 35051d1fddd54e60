/*
 * coexistence.c: sectrans in a process that loaded OpenSSL 3 first.
 *
 * Debian's BoringSSL exports the same unversioned names as OpenSSL. Had
 * sectrans linked it normally, its calls would bind to OpenSSL's SSL_new
 * and friends here, mixing two incompatible libraries. The program only
 * has to work; tests/core/test_c_programs.py runs it under LD_DEBUG=bindings and
 * checks that nothing from BoringSSL or libsectrans bound into OpenSSL.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/ssl.h>

#include "check.h"
#include "fixture.h"

#define MAX_ROUNDS 100

/* Moves every queued byte from one memory transport to the other. */
static int move_bytes(sectrans_context *from, sectrans_context *to) {
  unsigned char buf[4096];
  size_t len;
  do {
    len = sizeof(buf);
    if (!CHECK_STATUS(sectrans_take_output(from, buf, &len), SECTRANS_SUCCESS))
      return 0;
    if (len > 0 &&
        !CHECK_STATUS(sectrans_feed_input(to, buf, len), SECTRANS_SUCCESS))
      return 0;
  } while (len > 0);
  return 1;
}

static int handshake(sectrans_context *client, sectrans_context *server) {
  sectrans_status cs = SECTRANS_WOULD_BLOCK, ss = SECTRANS_WOULD_BLOCK;
  for (int round = 0; round < MAX_ROUNDS; round++) {
    if (cs != SECTRANS_SUCCESS)
      cs = sectrans_handshake(client);
    if (!move_bytes(client, server))
      return 0;
    if (ss != SECTRANS_SUCCESS)
      ss = sectrans_handshake(server);
    if (!move_bytes(server, client))
      return 0;
    if ((cs != SECTRANS_SUCCESS && cs != SECTRANS_WOULD_BLOCK) ||
        (ss != SECTRANS_SUCCESS && ss != SECTRANS_WOULD_BLOCK) ||
        (cs == SECTRANS_SUCCESS && ss == SECTRANS_SUCCESS))
      break;
  }
  return CHECK_STATUS(cs, SECTRANS_SUCCESS) &
         CHECK_STATUS(ss, SECTRANS_SUCCESS);
}

static void exchange(sectrans_context *client, sectrans_context *server) {
  static const char message[] = "sectrans beside OpenSSL";
  char buf[64];
  size_t processed = 0;

  CHECK_STATUS(sectrans_write(client, message, sizeof(message), &processed),
               SECTRANS_SUCCESS);
  CHECK(processed == sizeof(message));
  if (!move_bytes(client, server))
    return;
  CHECK_STATUS(sectrans_read(server, buf, sizeof(buf), &processed),
               SECTRANS_SUCCESS);
  CHECK(processed == sizeof(message) && memcmp(buf, message, processed) == 0);
}

static void check_trusted(sectrans_context *client) {
  sectrans_trust *trust = NULL;
  sectrans_status result = SECTRANS_ERR_INTERNAL;
  CHECK_STATUS(sectrans_copy_peer_trust(client, &trust), SECTRANS_SUCCESS);
  if (CHECK(trust != NULL)) {
    CHECK_STATUS(sectrans_trust_get_result(trust, &result), SECTRANS_SUCCESS);
    CHECK_STATUS(result, SECTRANS_SUCCESS);
  }
  sectrans_trust_release(trust);
}

int main(void) {
  /* OpenSSL first: its names are in the global scope before BoringSSL is
   * ever opened, the order that used to capture sectrans's calls. */
  SSL_CTX *openssl_ctx = SSL_CTX_new(TLS_method());
  struct fixture f;
  sectrans_context *client = NULL, *server = NULL;

  if (!CHECK(openssl_ctx != NULL))
    return 1;
  if (fixture_init(&f) != SECTRANS_SUCCESS) {
    SSL_CTX_free(openssl_ctx);
    return 1;
  }
  if (fixture_client(&f, SECTRANS_PROTOCOL_TLS13, &client) == 0 &&
      fixture_server(&f, SECTRANS_PROTOCOL_TLS13, &server) == 0 &&
      handshake(client, server)) {
    check_trusted(client);
    exchange(client, server);
  } else {
    check_failures++;
  }
  sectrans_context_release(client);
  sectrans_context_release(server);
  fixture_clear(&f);
  /* OpenSSL still works after BoringSSL was loaded beside it. */
  CHECK(SSL_CTX_get_max_proto_version(openssl_ctx) >= 0);
  SSL_CTX_free(openssl_ctx);
  return check_exit_status("coexistence");
}
