/*
 * client_bytes.c, fuzz target (a): a client context (the fixture's trust
 * store, FUZZ_HOST) fed arbitrary server bytes through the memory
 * transport. Input: a flags byte (enum fuzz_peer_flags), then the bytes.
 * Seeds: TLS 1.2 server flights of openssl s_server and gnutls-serv.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_peer_bytes(SECTRANS_CLIENT, data, size);
  return 0;
}
