/*
 * fuzz_common.h: what the libFuzzer targets of fuzz/ share: a reader that
 * decodes the fuzzer's bytes into numbers and byte strings, the fixed test
 * identity and trust store (made once per process), and a driver that pumps
 * a memory-transport context.
 */
#ifndef SECTRANS_FUZZ_COMMON_H
#define SECTRANS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <sectrans/sectrans.h>

#define FUZZ_HOST "localhost"
/* 2030-03-17: after every seed certificate's notBefore, before notAfter. */
#define FUZZ_VERIFY_TIME 1900000000

/* The fuzzer's input, consumed front to back. Reads past the end give
 * zeros and empty strings, never a failure. */
struct fuzz_input {
  const uint8_t *data;
  size_t size;
};

uint8_t fuzz_u8(struct fuzz_input *in);
uint16_t fuzz_u16(struct fuzz_input *in); /* big-endian */
/* A byte string of fuzz_u16() bytes (fewer when the input ends first). */
const uint8_t *fuzz_bytes(struct fuzz_input *in, size_t *len);
/* A byte string of fuzz_u8() bytes (fewer when the input ends first). */
const uint8_t *fuzz_short_bytes(struct fuzz_input *in, size_t *len);
/* Up to FUZZ_MAX_SUITES cipher suite numbers into suites; their count. */
#define FUZZ_MAX_SUITES 16
size_t fuzz_suites(struct fuzz_input *in, uint16_t *suites);
/* A fresh NUL-terminated copy of a fuzz_short_bytes string: free() it. */
char *fuzz_string(struct fuzz_input *in);

/* A self-signed ECDSA P-256 identity for FUZZ_HOST and a store holding its
 * certificate, made once (LLVMFuzzerInitialize, defined in fuzz_common.c,
 * makes them before the first input); aborts when they cannot be made. */
struct fuzz_fixture {
  sectrans_identity *identity;
  sectrans_certificate *leaf;
  sectrans_trust_store *store;
};
const struct fuzz_fixture *fuzz_fixture(void);

/* Copies out and drops whatever ctx queued on the memory transport. */
void fuzz_discard_output(sectrans_context *ctx);

/* Feeds data to a memory-transport context in chunks of chunk bytes (0: all
 * at once), running the handshake and then reads after each chunk, until
 * the context fails or the data runs out; then optionally the end of
 * stream, and a close. */
void fuzz_drive(sectrans_context *ctx, const uint8_t *data, size_t size,
                size_t chunk, int eof);

/* Targets (a) and (b): a context of side (SECTRANS_CLIENT or _SERVER) with
 * the fixture, set up by the input's first byte, then fed the rest
 * (fuzz_drive). The flag bits: */
enum fuzz_peer_flags {
  FUZZ_TLS12_ONLY = 0x01, /* maximum TLS 1.2 */
  FUZZ_CHUNK_MASK = 0x0e, /* >> 1: the feed's chunk size, an index */
  FUZZ_NO_VERIFY = 0x10,  /* client: VERIFY_NONE; server: client auth TRY */
  FUZZ_EOF = 0x20,        /* end of stream after the data */
  FUZZ_BREAK = 0x40,      /* client: break on server auth; server: on hello */
  FUZZ_ALPN = 0x80        /* offer "h2", "http/1.1" */
};
void fuzz_peer_bytes(int side, const uint8_t *data, size_t size);

/* Targets (e) and (f): the calls both make, each through its own names
 * (the C API, or the Apple layer's). */
struct fuzz_calls {
  sectrans_status (*handshake)(sectrans_context *);
  sectrans_status (*write)(sectrans_context *, const void *, size_t, size_t *);
  sectrans_status (*read)(sectrans_context *, void *, size_t, size_t *);
  sectrans_status (*close)(sectrans_context *);
  sectrans_status (*set_peer_domain_name)(sectrans_context *, const char *,
                                          size_t);
  sectrans_status (*set_protocol_version_min)(sectrans_context *, int);
  sectrans_status (*set_protocol_version_max)(sectrans_context *, int);
  sectrans_status (*set_session_option)(sectrans_context *, int, int);
  sectrans_status (*set_enabled_ciphers)(sectrans_context *, const uint16_t *,
                                         size_t);
  sectrans_status (*add_distinguished_name)(sectrans_context *, const void *,
                                            size_t);
  sectrans_status (*set_peer_id)(sectrans_context *, const void *, size_t);
  sectrans_status (*set_error)(sectrans_context *, sectrans_status);
  sectrans_status (*set_client_side_authenticate)(sectrans_context *, int);
  sectrans_status (*set_session_tickets_enabled)(sectrans_context *, int);
};
/* Decodes in into at most FUZZ_MAX_CALLS calls on two context slots, each
 * an op byte (its low bit picks the slot, the rest is the op code) and its
 * arguments. Op codes 0 to FUZZ_SHARED_OPS - 1 are the calls of the table,
 * in its order; the others go to own, as code - FUZZ_SHARED_OPS. */
#define FUZZ_SHARED_OPS 14
#define FUZZ_MAX_CALLS 200
typedef void (*fuzz_own_call)(int code, int slot, struct fuzz_input *in);
void fuzz_run_calls(const struct fuzz_calls *calls,
                    sectrans_context *const slots[2], fuzz_own_call own,
                    struct fuzz_input *in);

/* Aborts the fuzzer (a crash it reports) when a result breaks the API's
 * contract. */
void fuzz_check(int ok, const char *what);

#endif
