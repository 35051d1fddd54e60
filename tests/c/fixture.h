/*
 * fixture.h: what every C test needs before it can talk TLS: a self-signed
 * identity for "localhost", a trust store holding its certificate, and a
 * client and a server context configured against them.
 */
#ifndef SECTRANS_TEST_FIXTURE_H
#define SECTRANS_TEST_FIXTURE_H

#include <sectrans/sectrans.h>

#define FIXTURE_HOST "localhost"

struct fixture {
  sectrans_identity *identity;
  sectrans_trust_store *store; /* holds the identity's certificate only */
};

/* Makes a fresh ECDSA P-256 identity and its store. Returns 0 or the status
 * of the step that failed (and prints it); frees what it made on failure. */
sectrans_status fixture_init(struct fixture *f);
void fixture_clear(struct fixture *f);

/* A server with the fixture's identity, and a fully verifying client for
 * FIXTURE_HOST trusting the fixture's store; both allow at most
 * max_protocol (SECTRANS_PROTOCOL_TLS12 or _TLS13). The transport is left
 * at its default (memory). Return 0 or a printed failure status. */
sectrans_status fixture_server(const struct fixture *f, int max_protocol,
                               sectrans_context **out);
sectrans_status fixture_client(const struct fixture *f, int max_protocol,
                               sectrans_context **out);

#endif
