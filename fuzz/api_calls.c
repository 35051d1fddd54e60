/*
 * api_calls.c, fuzz target (e): the C API as a state machine. The input is
 * a sequence of calls, each an op byte (its low bit picks one of two
 * context slots) and its arguments, on a client and a server context over
 * the memory transport; one op moves the queued output of a slot into the
 * other, so the two can complete real handshakes and then be fed, read,
 * written, closed and released in any order. Every context is released at
 * the end: ASan's leak check catches what the calls leaked.
 */
#include <stdlib.h>

#include "fuzz_common.h"

static sectrans_context *slot[2];

static void create(int i, struct fuzz_input *in) {
  const struct fuzz_fixture *f = fuzz_fixture();
  uint8_t how = fuzz_u8(in);
  int side = i == 0 ? SECTRANS_CLIENT : SECTRANS_SERVER;
  sectrans_context_release(slot[i]);
  slot[i] = NULL;
  if (how & 1) {
    sectrans_config *config = NULL;
    if (sectrans_config_create(side, &config) != 0)
      abort();
    sectrans_config_set_identity(config, f->identity);
    sectrans_config_set_trust_store(config, f->store);
    sectrans_config_set_verify_mode(config, (how >> 1) % 3);
    sectrans_context_create_with_config(config, &slot[i]);
    sectrans_config_release(config);
  } else {
    sectrans_context_create(how & 2 ? !side : side, SECTRANS_STREAM, &slot[i]);
  }
}

/* Queued output of slot i, cut at a length from the input, into slot !i. */
static void transfer(int i, struct fuzz_input *in) {
  uint8_t buf[16384];
  size_t n = fuzz_u8(in) ? sizeof(buf) : fuzz_u8(in);
  if (sectrans_take_output(slot[i], buf, &n) == 0 && n > 0)
    sectrans_feed_input(slot[!i], buf, n);
}

static void getters(sectrans_context *ctx) {
  uint8_t buf[300];
  uint16_t u16, suites[600];
  size_t len, count;
  int v;
  sectrans_trust *trust = NULL;
  sectrans_get_session_state(ctx, &v);
  sectrans_wants(ctx);
  sectrans_get_negotiated_protocol_version(ctx, &v);
  sectrans_get_negotiated_cipher(ctx, &u16);
  sectrans_get_negotiated_group(ctx, &u16);
  len = sizeof(buf);
  sectrans_get_negotiated_alpn(ctx, buf, &len);
  sectrans_get_buffered_read_size(ctx, &len);
  sectrans_output_pending(ctx, &len);
  len = sizeof(buf);
  sectrans_get_requested_peer_name(ctx, buf, &len);
  len = sizeof(buf);
  sectrans_get_peer_domain_name(ctx, (char *)buf, &len);
  len = sizeof(buf);
  sectrans_get_peer_id(ctx, buf, &len);
  if (sectrans_get_distinguished_name_count(ctx, &count) == 0 && count > 0) {
    len = sizeof(buf);
    sectrans_copy_distinguished_name(ctx, count - 1, buf, &len);
  }
  len = sizeof(buf);
  sectrans_copy_ocsp_response(ctx, buf, &len);
  count = 600;
  sectrans_get_enabled_ciphers(ctx, suites, &count);
  count = 1;
  sectrans_get_supported_ciphers(ctx, suites, &count);
  sectrans_get_client_certificate_state(ctx, &v);
  sectrans_get_session_resumed(ctx, &v);
  sectrans_get_verify_mode(ctx, &v);
  sectrans_get_protocol_version_min(ctx, &v);
  sectrans_get_protocol_version_max(ctx, &v);
  sectrans_get_session_option(ctx, v % 11, &v);
  sectrans_context_error_detail(ctx);
  if (sectrans_copy_peer_trust(ctx, &trust) == 0 && trust != NULL) {
    sectrans_status result;
    sectrans_trust_evaluate(trust, &result);
    sectrans_trust_release(trust);
  }
}

static void keylog(void *user, const char *line) {
  (void)user;
  (void)line;
}

static const struct fuzz_calls calls = {
    sectrans_handshake,
    sectrans_write,
    sectrans_read,
    sectrans_close,
    sectrans_set_peer_domain_name,
    sectrans_set_protocol_version_min,
    sectrans_set_protocol_version_max,
    sectrans_set_session_option,
    sectrans_set_enabled_ciphers,
    sectrans_add_distinguished_name,
    sectrans_set_peer_id,
    sectrans_set_error,
    sectrans_set_client_side_authenticate,
    sectrans_set_session_tickets_enabled,
};

/* The target's own op codes, after those of the table. */
static void own_call(int code, int i, struct fuzz_input *in) {
  const struct fuzz_fixture *f = fuzz_fixture();
  sectrans_context *ctx = slot[i];
  const uint8_t *bytes;
  size_t len;

  switch (code) {
  case 0:
    create(i, in);
    break;
  case 1:
    sectrans_context_release(ctx);
    slot[i] = NULL;
    break;
  case 2:
    sectrans_set_identity(ctx, fuzz_u8(in) & 1 ? f->identity : NULL);
    break;
  case 3:
    sectrans_set_trust_store(ctx, f->store);
    break;
  case 4:
    sectrans_set_verify_mode(ctx, fuzz_u8(in) % 4);
    break;
  case 5:
    bytes = fuzz_short_bytes(in, &len);
    sectrans_set_alpn(ctx, bytes, len);
    break;
  case 6:
    sectrans_shutdown_write(ctx);
    break;
  case 7:
    bytes = fuzz_bytes(in, &len);
    sectrans_feed_input(ctx, bytes, len);
    break;
  case 8:
    sectrans_feed_eof(ctx);
    break;
  case 9:
  case 10:
  case 11:
    transfer(i, in);
    break;
  case 12:
    getters(ctx);
    break;
  case 13:
    sectrans_accept_peer_trust(ctx);
    break;
  case 14:
    bytes = fuzz_short_bytes(in, &len);
    sectrans_set_ocsp_response(ctx, bytes, len);
    break;
  case 15:
    sectrans_set_keylog_callback(ctx, fuzz_u8(in) & 1 ? keylog : NULL, NULL);
    break;
  case 16:
    sectrans_release(sectrans_retain(ctx));
    break;
  default:
    fuzz_discard_output(ctx);
    break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fuzz_input in = {data, size};
  fuzz_run_calls(&calls, slot, own_call, &in);
  sectrans_context_release(slot[0]);
  sectrans_context_release(slot[1]);
  slot[0] = slot[1] = NULL;
  return 0;
}
