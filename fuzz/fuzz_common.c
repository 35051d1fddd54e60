/*
 * fuzz_common.c: the harness code the fuzz targets share (fuzz_common.h).
 */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t fuzz_u8(struct fuzz_input *in) {
  uint8_t v = 0;
  if (in->size > 0) {
    v = in->data[0];
    in->data++;
    in->size--;
  }
  return v;
}

uint16_t fuzz_u16(struct fuzz_input *in) {
  uint16_t hi = fuzz_u8(in);
  return (uint16_t)(hi << 8 | fuzz_u8(in));
}

static const uint8_t *take(struct fuzz_input *in, size_t want, size_t *len) {
  const uint8_t *p = in->data;
  *len = want < in->size ? want : in->size;
  in->data += *len;
  in->size -= *len;
  return p;
}

const uint8_t *fuzz_bytes(struct fuzz_input *in, size_t *len) {
  return take(in, fuzz_u16(in), len);
}

const uint8_t *fuzz_short_bytes(struct fuzz_input *in, size_t *len) {
  return take(in, fuzz_u8(in), len);
}

size_t fuzz_suites(struct fuzz_input *in, uint16_t *suites) {
  size_t n = fuzz_u8(in) % (FUZZ_MAX_SUITES + 1), i;
  for (i = 0; i < n; i++)
    suites[i] = fuzz_u16(in);
  return n;
}

char *fuzz_string(struct fuzz_input *in) {
  size_t len;
  const uint8_t *p = fuzz_short_bytes(in, &len);
  char *s = malloc(len + 1);
  if (s == NULL)
    abort();
  memcpy(s, p, len);
  s[len] = '\0';
  return s;
}

void fuzz_check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "fuzz: contract broken: %s\n", what);
    abort();
  }
}

static void must(sectrans_status status, const char *step) {
  if (status != SECTRANS_SUCCESS) {
    fprintf(stderr, "fuzz: %s: %s (%d) %s\n", step,
            sectrans_status_string(status), (int)status, sectrans_load_error());
    abort();
  }
}

const struct fuzz_fixture *fuzz_fixture(void) {
  static struct fuzz_fixture f;
  char *pem;
  size_t len = 0;
  if (f.identity != NULL)
    return &f;
  must(sectrans_identity_create_self_signed(FUZZ_HOST, SECTRANS_KEY_ECDSA_P256,
                                            &f.identity),
       "self-signed identity");
  must(sectrans_identity_copy_certificate(f.identity, 0, &f.leaf), "leaf");
  fuzz_check(sectrans_certificate_copy_pem(f.leaf, NULL, &len) ==
                 SECTRANS_ERR_BUFFER_OVERFLOW,
             "PEM size query");
  if ((pem = malloc(len)) == NULL)
    abort();
  must(sectrans_certificate_copy_pem(f.leaf, pem, &len), "leaf PEM");
  must(sectrans_trust_store_create(&f.store), "trust store");
  must(sectrans_trust_store_add_pem(f.store, pem, len), "anchor");
  free(pem);
  return &f;
}

/* libFuzzer calls this once before any input: the fixture (and the loading
 * of BoringSSL) is made here, not inside the first input's run. */
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_fixture();
  return 0;
}

void fuzz_discard_output(sectrans_context *ctx) {
  uint8_t buf[4096];
  size_t n;
  do {
    n = sizeof(buf);
    if (sectrans_take_output(ctx, buf, &n) != SECTRANS_SUCCESS)
      return;
  } while (n > 0);
}

/* Handshake, then reads, until the context wants more input or fails.
 * Returns 0 when it can take more input. */
static int run(sectrans_context *ctx) {
  uint8_t buf[2048];
  size_t n = 0;
  sectrans_status status = sectrans_handshake(ctx);
  while (status == SECTRANS_PEER_AUTH_COMPLETED ||
         status == SECTRANS_CLIENT_CERT_REQUESTED ||
         status == SECTRANS_CLIENT_HELLO_RECEIVED) {
    if (status == SECTRANS_PEER_AUTH_COMPLETED)
      sectrans_accept_peer_trust(ctx);
    status = sectrans_handshake(ctx);
  }
  fuzz_discard_output(ctx);
  if (status == SECTRANS_WOULD_BLOCK)
    return 0;
  if (status != SECTRANS_SUCCESS)
    return -1;
  do {
    status = sectrans_read(ctx, buf, sizeof(buf), &n);
    fuzz_check(n <= sizeof(buf), "read past its buffer");
    fuzz_discard_output(ctx);
  } while (status == SECTRANS_SUCCESS);
  return status == SECTRANS_WOULD_BLOCK ? 0 : -1;
}

void fuzz_drive(sectrans_context *ctx, const uint8_t *data, size_t size,
                size_t chunk, int eof) {
  int state;
  if (chunk == 0)
    chunk = size;
  if (run(ctx) != 0)
    return;
  while (size > 0) {
    size_t n = size < chunk ? size : chunk;
    if (sectrans_feed_input(ctx, data, n) != SECTRANS_SUCCESS)
      return;
    data += n;
    size -= n;
    if (run(ctx) != 0)
      break;
  }
  if (eof && sectrans_feed_eof(ctx) == SECTRANS_SUCCESS)
    run(ctx);
  fuzz_check(sectrans_get_session_state(ctx, &state) == SECTRANS_SUCCESS,
             "session state");
  sectrans_close(ctx);
  fuzz_discard_output(ctx);
}

void fuzz_peer_bytes(int side, const uint8_t *data, size_t size) {
  static const size_t chunks[8] = {0, 1, 5, 16, 64, 256, 1024, 4096};
  static const uint8_t alpn[] = "\x02h2\x08http/1.1";
  const struct fuzz_fixture *f = fuzz_fixture();
  sectrans_context *ctx = NULL;
  uint8_t flags;
  int client = side == SECTRANS_CLIENT;

  if (size == 0)
    return;
  flags = data[0];
  if (sectrans_context_create(side, SECTRANS_STREAM, &ctx) != SECTRANS_SUCCESS)
    abort();
  if (flags & FUZZ_TLS12_ONLY)
    sectrans_set_protocol_version_max(ctx, SECTRANS_PROTOCOL_TLS12);
  if (flags & FUZZ_ALPN)
    sectrans_set_alpn(ctx, alpn, sizeof(alpn) - 1);
  if (client) {
    sectrans_set_peer_domain_name(ctx, FUZZ_HOST, strlen(FUZZ_HOST));
    sectrans_set_trust_store(ctx, f->store);
    if (flags & FUZZ_NO_VERIFY)
      sectrans_set_verify_mode(ctx, SECTRANS_VERIFY_NONE);
    if (flags & FUZZ_BREAK)
      sectrans_set_session_option(ctx, SECTRANS_OPTION_BREAK_ON_SERVER_AUTH, 1);
  } else {
    sectrans_set_identity(ctx, f->identity);
    if (flags & FUZZ_NO_VERIFY)
      sectrans_set_client_side_authenticate(ctx, SECTRANS_AUTHENTICATE_TRY);
    if (flags & FUZZ_BREAK)
      sectrans_set_session_option(ctx, SECTRANS_OPTION_BREAK_ON_CLIENT_HELLO,
                                  1);
  }
  fuzz_drive(ctx, data + 1, size - 1, chunks[(flags & FUZZ_CHUNK_MASK) >> 1],
             flags & FUZZ_EOF);
  sectrans_context_release(ctx);
}

static void shared_call(const struct fuzz_calls *calls, int code,
                        sectrans_context *ctx, struct fuzz_input *in) {
  static uint8_t buf[16384];
  uint16_t suites[FUZZ_MAX_SUITES];
  const uint8_t *bytes;
  size_t len, n = 0;
  uint8_t option;

  switch (code) {
  case 0:
    calls->handshake(ctx);
    break;
  case 1:
    bytes = fuzz_bytes(in, &len);
    calls->write(ctx, bytes, len, &n);
    fuzz_check(n <= len, "wrote more than it was given");
    break;
  case 2:
    len = fuzz_u16(in) % (sizeof(buf) + 1);
    calls->read(ctx, buf, len, &n);
    fuzz_check(n <= len, "read past its buffer");
    break;
  case 3:
    calls->close(ctx);
    break;
  case 4:
    bytes = fuzz_short_bytes(in, &len);
    calls->set_peer_domain_name(ctx, (const char *)bytes, len);
    break;
  case 5:
    calls->set_protocol_version_min(ctx, fuzz_u8(in) % 12);
    break;
  case 6:
    calls->set_protocol_version_max(ctx, fuzz_u8(in) % 12);
    break;
  case 7:
    option = fuzz_u8(in);
    calls->set_session_option(ctx, option % 11, fuzz_u8(in) & 1);
    break;
  case 8:
    n = fuzz_suites(in, suites);
    calls->set_enabled_ciphers(ctx, suites, n);
    break;
  case 9:
    bytes = fuzz_short_bytes(in, &len);
    calls->add_distinguished_name(ctx, bytes, len);
    break;
  case 10:
    bytes = fuzz_short_bytes(in, &len);
    calls->set_peer_id(ctx, bytes, len);
    break;
  case 11:
    calls->set_error(ctx, -(sectrans_status)fuzz_u16(in));
    break;
  case 12:
    calls->set_client_side_authenticate(ctx, fuzz_u8(in) % 4);
    break;
  case 13:
    calls->set_session_tickets_enabled(ctx, fuzz_u8(in) & 1);
    break;
  }
}

void fuzz_run_calls(const struct fuzz_calls *calls,
                    sectrans_context *const slots[2], fuzz_own_call own,
                    struct fuzz_input *in) {
  int calls_made = 0;
  while (in->size > 0 && calls_made++ < FUZZ_MAX_CALLS) {
    uint8_t op = fuzz_u8(in);
    int code = op >> 1, i = op & 1;
    if (code < FUZZ_SHARED_OPS)
      shared_call(calls, code, slots[i], in);
    else
      own(code - FUZZ_SHARED_OPS, i, in);
  }
}
