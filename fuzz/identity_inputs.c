/*
 * identity_inputs.c, fuzz target (c): identity loading from PEM, DER and
 * PKCS#12. Input: a mode byte, then two u16-length-prefixed parts (the
 * certificate and the key; PKCS#12 takes the first part only), then the
 * password (the rest; none when the mode's 0x80 bit is clear). Seeds: files
 * made by openssl (fuzz/make_corpus.py).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

enum {
  MODE_PEM,
  MODE_PEM_ONE_FILE,
  MODE_DER,
  MODE_PKCS12,
  MODE_CERT
};

static void inspect(sectrans_identity *identity) {
  size_t count = 0, i, len;
  uint8_t buf[64];
  fuzz_check(sectrans_identity_get_certificate_count(identity, &count) == 0 &&
                 count > 0,
             "an identity has a leaf");
  for (i = 0; i <= count; i++) {
    sectrans_certificate *cert = NULL;
    sectrans_status st = sectrans_identity_copy_certificate(identity, i, &cert);
    fuzz_check((st == 0) == (i < count), "certificate index");
    len = sizeof(buf);
    sectrans_certificate_copy_subject(cert, buf, &len);
    sectrans_certificate_release(cert);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fuzz_input in = {data, size};
  sectrans_identity *identity = NULL;
  sectrans_certificate *cert = NULL;
  uint8_t mode = fuzz_u8(&in);
  size_t cert_len, key_len;
  const uint8_t *cert_part = fuzz_bytes(&in, &cert_len);
  const uint8_t *key_part = fuzz_bytes(&in, &key_len);
  char *password = NULL;
  sectrans_status st = SECTRANS_ERR_PARAM;

  if (mode & 0x80) {
    if ((password = malloc(in.size + 1)) == NULL)
      abort();
    memcpy(password, in.data, in.size);
    password[in.size] = '\0';
  }
  switch ((mode & 0x7f) % 5) {
  case MODE_PEM:
    st = sectrans_identity_create_from_pem(cert_part, cert_len, key_part,
                                           key_len, password, &identity);
    break;
  case MODE_PEM_ONE_FILE:
    st = sectrans_identity_create_from_pem(cert_part, cert_len, NULL, 0,
                                           password, &identity);
    break;
  case MODE_DER:
    st = sectrans_identity_create_from_der(cert_part, cert_len, key_part,
                                           key_len, &identity);
    break;
  case MODE_PKCS12:
    st = sectrans_identity_create_from_pkcs12(cert_part, cert_len, password,
                                              &identity);
    break;
  case MODE_CERT: {
    uint8_t buf[512];
    size_t len = sizeof(buf);
    int64_t from, to;
    st = (mode & 0x40 ? sectrans_certificate_create_from_pem
                      : sectrans_certificate_create_from_der)(cert_part,
                                                              cert_len, &cert);
    fuzz_check((st == 0) == (cert != NULL), "certificate out on success only");
    sectrans_certificate_copy_san(cert, buf, &len);
    len = sizeof(buf);
    sectrans_certificate_copy_issuer(cert, buf, &len);
    sectrans_certificate_get_validity(cert, &from, &to);
    sectrans_certificate_release(cert);
    break;
  }
  }
  if ((mode & 0x7f) % 5 != MODE_CERT) {
    fuzz_check((st == 0) == (identity != NULL), "identity out on success only");
    if (identity != NULL)
      inspect(identity);
  }
  sectrans_identity_release(identity);
  free(password);
  return 0;
}
