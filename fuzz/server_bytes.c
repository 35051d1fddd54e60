/*
 * server_bytes.c, fuzz target (b): a server context (the fixture's
 * identity) fed arbitrary client bytes through the memory transport. Input:
 * a flags byte (enum fuzz_peer_flags), then the bytes. Seeds: ClientHellos
 * of openssl s_client and gnutls-cli.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_peer_bytes(SECTRANS_SERVER, data, size);
  return 0;
}
