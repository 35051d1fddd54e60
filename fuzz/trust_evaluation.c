/*
 * trust_evaluation.c, fuzz target (d): offline trust evaluation over an
 * arbitrary chain and name. Input: a flags byte, the host name (one length
 * byte), then certificates, each u16-length-prefixed DER, leaf first (at
 * most 10). The one anchor is the fixture's certificate, or (flag 0x02) the
 * input's last certificate. The time is fixed (FUZZ_VERIFY_TIME).
 */
#include <stdlib.h>

#include "fuzz_common.h"

#define MAX_CHAIN 10

/* A store whose one anchor is cert, through its PEM. */
static sectrans_trust_store *store_of(sectrans_certificate *cert) {
  sectrans_trust_store *store = NULL;
  size_t len = 0;
  char *pem;
  if (sectrans_certificate_copy_pem(cert, NULL, &len) !=
          SECTRANS_ERR_BUFFER_OVERFLOW ||
      (pem = malloc(len)) == NULL)
    return NULL;
  if (sectrans_certificate_copy_pem(cert, pem, &len) == 0 &&
      sectrans_trust_store_create(&store) == 0 &&
      sectrans_trust_store_add_pem(store, pem, len) != 0) {
    sectrans_trust_store_release(store);
    store = NULL;
  }
  free(pem);
  return store;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fuzz_input in = {data, size};
  sectrans_certificate *chain[MAX_CHAIN];
  sectrans_trust_store *store = NULL;
  sectrans_trust *trust = NULL;
  sectrans_status result = 0, kept = 0;
  uint8_t flags = fuzz_u8(&in), buf[256];
  char *host = fuzz_string(&in);
  size_t count = 0, i, len;
  int32_t code;

  while (in.size > 0 && count < MAX_CHAIN) {
    const uint8_t *der = fuzz_bytes(&in, &len);
    if (sectrans_certificate_create_from_der(der, len, &chain[count]) == 0)
      count++;
  }
  if (count == 0 || sectrans_trust_create(chain, count, &trust) != 0)
    goto done;
  if (flags & 0x02)
    store = store_of(chain[count - 1]);
  else
    store = sectrans_trust_store_retain(fuzz_fixture()->store);
  sectrans_trust_set_anchors(trust, store);
  sectrans_trust_set_policy(trust, flags & 0x01, flags & 0x04 ? host : NULL);
  sectrans_trust_set_verify_time(trust, FUZZ_VERIFY_TIME);
  if (sectrans_trust_evaluate(trust, &result) == 0) {
    fuzz_check(sectrans_trust_get_result(trust, &kept) == 0 && kept == result,
               "the result is kept");
    sectrans_trust_get_verify_code(trust, &code);
    fuzz_check((code == 0) == (result == 0), "verify code agrees");
  }
  len = sizeof(buf);
  sectrans_trust_copy_detail(trust, buf, &len);
  fuzz_check(sectrans_trust_get_certificate_count(trust, &len) == 0 &&
                 len == count,
             "the chain is kept");
  for (i = 0; i < count; i++) {
    sectrans_certificate *cert = NULL;
    fuzz_check(sectrans_trust_copy_certificate(trust, i, &cert) == 0,
               "copy certificate");
    sectrans_certificate_release(cert);
  }
done:
  sectrans_trust_release(trust);
  sectrans_trust_store_release(store);
  for (i = 0; i < count; i++)
    sectrans_certificate_release(chain[i]);
  free(host);
  return 0;
}
