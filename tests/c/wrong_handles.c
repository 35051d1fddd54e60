/*
 * wrong_handles: every public function given a handle of the wrong kind.
 *
 * Handles are opaque pointers, so C lets a caller pass a certificate where
 * an identity belongs (Apple's SSLSetCertificate takes an untyped array).
 * Each call below must return -50 (or NULL, "", 0, or do nothing), never
 * crash or touch the object; valgrind runs this program too, so a wrong
 * handle that was freed or retained shows up as an error or a leak.
 * The calls were listed from sectrans.h, one per handle parameter.
 */
#include <stdint.h>
#include <string.h>

#include <sectrans/SecureTransport.h>
#include <sectrans/sectrans.h>

#include "check.h"

enum {
  KIND_CONTEXT,
  KIND_CONFIG,
  KIND_IDENTITY,
  KIND_CERTIFICATE,
  KIND_TRUST,
  KIND_TRUST_STORE,
  KIND_COUNT
};

static void *good[KIND_COUNT];
/* Room for any output argument; passed as void * to every pointer. */
static uint64_t scratch_words[2048];
static void *const scratch = scratch_words;
static size_t scratch_len;

/* Runs the statement once with h set to each handle not of `kind`. */
#define FOR_EACH_WRONG(kind)                                                   \
  for (int other = 0; other < KIND_COUNT; other++)                             \
    for (void *h = good[other]; other != (kind) && h != NULL; h = NULL)        \
      if ((scratch_len = sizeof(scratch_words)), 1)

#define EXPECT_PARAM(call) CHECK_STATUS(call, SECTRANS_ERR_PARAM)

static void make_handles(void) {
  sectrans_identity *identity = NULL;
  sectrans_certificate *cert = NULL;
  sectrans_trust *trust = NULL;
  CHECK_STATUS(
      sectrans_context_create(SECTRANS_CLIENT, SECTRANS_STREAM,
                              (sectrans_context **)&good[KIND_CONTEXT]),
      SECTRANS_SUCCESS);
  CHECK_STATUS(sectrans_config_create(SECTRANS_SERVER,
                                      (sectrans_config **)&good[KIND_CONFIG]),
               SECTRANS_SUCCESS);
  CHECK_STATUS(sectrans_identity_create_self_signed(
                   "wrong.test", SECTRANS_KEY_ECDSA_P256, &identity),
               SECTRANS_SUCCESS);
  CHECK_STATUS(sectrans_identity_copy_certificate(identity, 0, &cert),
               SECTRANS_SUCCESS);
  CHECK_STATUS(sectrans_trust_create(&cert, 1, &trust), SECTRANS_SUCCESS);
  CHECK_STATUS(sectrans_trust_store_create(
                   (sectrans_trust_store **)&good[KIND_TRUST_STORE]),
               SECTRANS_SUCCESS);
  good[KIND_IDENTITY] = identity;
  good[KIND_CERTIFICATE] = cert;
  good[KIND_TRUST] = trust;
}

/* What the issue saw crash: Apple's calls with an identity and a
 * certificate swapped. */
static void check_apple_calls(void) {
  const void *values[1] = {good[KIND_CERTIFICATE]};
  CFArrayRef certs = CFArrayCreate(NULL, values, 1, &kCFTypeArrayCallBacks);
  SecTrustRef trust = NULL;
  CHECK_STATUS(SSLSetCertificate(good[KIND_CONTEXT], certs), errSecParam);
  CFRelease(certs);
  CHECK_STATUS(
      SecTrustCreateWithCertificates(good[KIND_IDENTITY], NULL, &trust),
      errSecParam);
  CHECK(trust == NULL);
}

static void check_every_function(void) {
  FOR_EACH_WRONG(KIND_CERTIFICATE)
  CHECK(sectrans_certificate_retain(h) == NULL);
  FOR_EACH_WRONG(KIND_CERTIFICATE) sectrans_certificate_release(h);
  FOR_EACH_WRONG(KIND_CERTIFICATE)
  EXPECT_PARAM(sectrans_certificate_copy_der(h, scratch, &scratch_len));
  FOR_EACH_WRONG(KIND_CERTIFICATE)
  EXPECT_PARAM(sectrans_certificate_copy_pem(h, scratch, &scratch_len));
  FOR_EACH_WRONG(KIND_CERTIFICATE)
  EXPECT_PARAM(sectrans_certificate_copy_subject(h, scratch, &scratch_len));
  FOR_EACH_WRONG(KIND_CERTIFICATE)
  EXPECT_PARAM(sectrans_certificate_copy_issuer(h, scratch, &scratch_len));
  FOR_EACH_WRONG(KIND_CERTIFICATE)
  EXPECT_PARAM(sectrans_certificate_copy_san(h, scratch, &scratch_len));
  FOR_EACH_WRONG(KIND_CERTIFICATE)
  EXPECT_PARAM(sectrans_certificate_copy_sha256(h, scratch, &scratch_len));
  FOR_EACH_WRONG(KIND_CERTIFICATE)
  EXPECT_PARAM(sectrans_certificate_get_validity(h, scratch, scratch));
  FOR_EACH_WRONG(KIND_IDENTITY)
  EXPECT_PARAM(sectrans_identity_get_certificate_count(h, &scratch_len));
  FOR_EACH_WRONG(KIND_IDENTITY)
  EXPECT_PARAM(sectrans_identity_copy_certificate(h, 1, scratch));
  FOR_EACH_WRONG(KIND_IDENTITY) CHECK(sectrans_identity_retain(h) == NULL);
  FOR_EACH_WRONG(KIND_IDENTITY) sectrans_identity_release(h);
  FOR_EACH_WRONG(KIND_TRUST_STORE)
  EXPECT_PARAM(sectrans_trust_store_add_pem(h, scratch, 1));
  FOR_EACH_WRONG(KIND_TRUST_STORE)
  EXPECT_PARAM(sectrans_trust_store_add_pem_file(h, "x"));
  FOR_EACH_WRONG(KIND_TRUST_STORE)
  EXPECT_PARAM(sectrans_trust_store_add_system(h));
  FOR_EACH_WRONG(KIND_TRUST_STORE)
  EXPECT_PARAM(sectrans_trust_store_add_directory(h, ".", &scratch_len));
  FOR_EACH_WRONG(KIND_TRUST_STORE)
  EXPECT_PARAM(sectrans_trust_store_add_der(h, scratch, 1));
  FOR_EACH_WRONG(KIND_TRUST_STORE)
  EXPECT_PARAM(sectrans_trust_store_get_count(h, &scratch_len));
  FOR_EACH_WRONG(KIND_TRUST_STORE)
  CHECK(sectrans_trust_store_retain(h) == NULL);
  FOR_EACH_WRONG(KIND_TRUST_STORE) sectrans_trust_store_release(h);
  FOR_EACH_WRONG(KIND_TRUST)
  EXPECT_PARAM(sectrans_trust_get_result(h, scratch));
  FOR_EACH_WRONG(KIND_TRUST)
  EXPECT_PARAM(sectrans_trust_get_verify_code(h, scratch));
  FOR_EACH_WRONG(KIND_TRUST)
  EXPECT_PARAM(sectrans_trust_copy_detail(h, scratch, &scratch_len));
  FOR_EACH_WRONG(KIND_TRUST)
  EXPECT_PARAM(sectrans_trust_get_certificate_count(h, &scratch_len));
  FOR_EACH_WRONG(KIND_TRUST)
  EXPECT_PARAM(sectrans_trust_copy_certificate(h, 1, scratch));
  FOR_EACH_WRONG(KIND_CERTIFICATE)
  EXPECT_PARAM(
      sectrans_trust_create((sectrans_certificate *const *)&h, 1, scratch));
  FOR_EACH_WRONG(KIND_TRUST)
  EXPECT_PARAM(sectrans_trust_set_anchors(h, good[KIND_TRUST_STORE]));
  FOR_EACH_WRONG(KIND_TRUST_STORE)
  EXPECT_PARAM(sectrans_trust_set_anchors(good[KIND_TRUST], h));
  FOR_EACH_WRONG(KIND_TRUST) EXPECT_PARAM(sectrans_trust_set_policy(h, 1, "x"));
  FOR_EACH_WRONG(KIND_TRUST) EXPECT_PARAM(sectrans_trust_set_verify_time(h, 1));
  FOR_EACH_WRONG(KIND_TRUST) EXPECT_PARAM(sectrans_trust_evaluate(h, scratch));
  FOR_EACH_WRONG(KIND_TRUST) CHECK(sectrans_trust_retain(h) == NULL);
  FOR_EACH_WRONG(KIND_TRUST) sectrans_trust_release(h);
  FOR_EACH_WRONG(KIND_CONFIG) CHECK(sectrans_config_retain(h) == NULL);
  FOR_EACH_WRONG(KIND_CONFIG) sectrans_config_release(h);
  FOR_EACH_WRONG(KIND_CONFIG)
  EXPECT_PARAM(sectrans_config_set_protocol_version_min(h, 1));
  FOR_EACH_WRONG(KIND_CONFIG)
  EXPECT_PARAM(sectrans_config_set_protocol_version_max(h, 1));
  FOR_EACH_WRONG(KIND_CONFIG)
  EXPECT_PARAM(sectrans_config_set_identity(h, good[KIND_IDENTITY]));
  FOR_EACH_WRONG(KIND_IDENTITY)
  EXPECT_PARAM(sectrans_config_set_identity(good[KIND_CONFIG], h));
  FOR_EACH_WRONG(KIND_CONFIG)
  EXPECT_PARAM(sectrans_config_set_trust_store(h, good[KIND_TRUST_STORE]));
  FOR_EACH_WRONG(KIND_TRUST_STORE)
  EXPECT_PARAM(sectrans_config_set_trust_store(good[KIND_CONFIG], h));
  FOR_EACH_WRONG(KIND_CONFIG)
  EXPECT_PARAM(sectrans_config_set_verify_mode(h, 1));
  FOR_EACH_WRONG(KIND_CONFIG)
  EXPECT_PARAM(sectrans_config_set_alpn(h, scratch, 1));
  FOR_EACH_WRONG(KIND_CONFIG)
  EXPECT_PARAM(sectrans_config_set_enabled_ciphers(h, scratch, 1));
  FOR_EACH_WRONG(KIND_CONFIG)
  EXPECT_PARAM(sectrans_config_set_client_side_authenticate(h, 1));
  FOR_EACH_WRONG(KIND_CONFIG)
  EXPECT_PARAM(sectrans_config_set_session_option(h, 1, 1));
  FOR_EACH_WRONG(KIND_CONFIG)
  EXPECT_PARAM(sectrans_config_set_keylog_callback(h, NULL, scratch));
  FOR_EACH_WRONG(KIND_CONFIG)
  EXPECT_PARAM(sectrans_context_create_with_config(h, scratch));
  FOR_EACH_WRONG(KIND_CONTEXT) CHECK(sectrans_context_retain(h) == NULL);
  FOR_EACH_WRONG(KIND_CONTEXT) sectrans_context_release(h);
  FOR_EACH_WRONG(KIND_CONTEXT)
  CHECK(strcmp(sectrans_context_error_detail(h), "") == 0);
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_set_io_funcs(h, NULL, NULL));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_set_connection(h, scratch));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_connection(h, scratch));
  FOR_EACH_WRONG(KIND_CONTEXT) EXPECT_PARAM(sectrans_set_fd(h, 1));
  FOR_EACH_WRONG(KIND_CONTEXT) EXPECT_PARAM(sectrans_feed_input(h, scratch, 1));
  FOR_EACH_WRONG(KIND_CONTEXT) EXPECT_PARAM(sectrans_feed_eof(h));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_take_output(h, scratch, &scratch_len));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_output_pending(h, &scratch_len));
  FOR_EACH_WRONG(KIND_CONTEXT) CHECK(sectrans_wants(h) == 0);
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_set_peer_domain_name(h, "x", 1));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_peer_domain_name(h, "x", &scratch_len));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_set_identity(h, good[KIND_IDENTITY]));
  FOR_EACH_WRONG(KIND_IDENTITY)
  EXPECT_PARAM(sectrans_set_identity(good[KIND_CONTEXT], h));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_set_trust_store(h, good[KIND_TRUST_STORE]));
  FOR_EACH_WRONG(KIND_TRUST_STORE)
  EXPECT_PARAM(sectrans_set_trust_store(good[KIND_CONTEXT], h));
  FOR_EACH_WRONG(KIND_CONTEXT) EXPECT_PARAM(sectrans_set_verify_mode(h, 1));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_verify_mode(h, scratch));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_set_protocol_version_min(h, 1));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_set_protocol_version_max(h, 1));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_protocol_version_min(h, scratch));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_protocol_version_max(h, scratch));
  FOR_EACH_WRONG(KIND_CONTEXT) EXPECT_PARAM(sectrans_set_alpn(h, scratch, 1));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_set_enabled_ciphers(h, scratch, 1));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_enabled_ciphers(h, scratch, &scratch_len));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_supported_ciphers(h, scratch, &scratch_len));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_set_session_option(h, 1, 1));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_session_option(h, 1, scratch));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_set_session_tickets_enabled(h, 1));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_set_peer_id(h, scratch, 1));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_peer_id(h, scratch, &scratch_len));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_session_resumed(h, scratch));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_set_client_side_authenticate(h, 1));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_client_certificate_state(h, scratch));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_add_distinguished_name(h, scratch, 1));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_distinguished_name_count(h, &scratch_len));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_copy_distinguished_name(h, 1, scratch, &scratch_len));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_requested_peer_name(h, scratch, &scratch_len));
  FOR_EACH_WRONG(KIND_CONTEXT) EXPECT_PARAM(sectrans_accept_peer_trust(h));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_set_ocsp_response(h, scratch, 1));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_copy_ocsp_response(h, scratch, &scratch_len));
  FOR_EACH_WRONG(KIND_CONTEXT) EXPECT_PARAM(sectrans_set_error(h, 1));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_set_keylog_callback(h, NULL, scratch));
  FOR_EACH_WRONG(KIND_CONTEXT) EXPECT_PARAM(sectrans_handshake(h));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_write(h, scratch, 1, &scratch_len));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_read(h, scratch, 1, &scratch_len));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_buffered_read_size(h, &scratch_len));
  FOR_EACH_WRONG(KIND_CONTEXT) EXPECT_PARAM(sectrans_close(h));
  FOR_EACH_WRONG(KIND_CONTEXT) EXPECT_PARAM(sectrans_shutdown_write(h));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_session_state(h, scratch));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_negotiated_protocol_version(h, scratch));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_negotiated_cipher(h, scratch));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_negotiated_group(h, scratch));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_negotiated_alpn(h, scratch, &scratch_len));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_copy_peer_trust(h, scratch));
  /* 1.1: keying-material exporters */
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(
      sectrans_export_keying_material(h, scratch, 32, "label", 5, NULL, 0, 0));
  FOR_EACH_WRONG(KIND_CONTEXT)
  EXPECT_PARAM(sectrans_get_tls_unique(h, scratch, &scratch_len));
  EXPECT_PARAM(sectrans_export_keying_material(NULL, scratch, 32, "label", 5,
                                               NULL, 0, 0));
  EXPECT_PARAM(sectrans_get_tls_unique(NULL, scratch, &scratch_len));
}

int main(void) {
  make_handles();
  check_apple_calls();
  check_every_function();
  FOR_EACH_WRONG(KIND_COUNT) {
    CHECK(sectrans_retain(h) == h); /* the generic calls take every kind */
    sectrans_release(h);
  }
  CHECK(sectrans_retain(scratch) == NULL); /* not a handle at all */
  sectrans_release(scratch);
  for (int kind = 0; kind < KIND_COUNT; kind++)
    sectrans_release(good[kind]);
  return check_exit_status("wrong_handles");
}
