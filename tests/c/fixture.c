/*
 * fixture.c: identity, trust store and contexts for the C tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static sectrans_status fail(const char *step, sectrans_status status,
                            const sectrans_context *ctx) {
  fprintf(stderr, "fixture: %s: %s (%d) %s\n", step,
          sectrans_status_string(status), (int)status,
          sectrans_context_error_detail(ctx));
  return status;
}

/* The leaf as PEM, through the (buf, *len) protocol's size query. */
static sectrans_status copy_leaf_pem(const sectrans_identity *identity,
                                     char **pem, size_t *len) {
  sectrans_certificate *leaf = NULL;
  sectrans_status status = sectrans_identity_copy_certificate(identity, 0,
                                                              &leaf);
  *pem = NULL;
  *len = 0;
  if (status == SECTRANS_SUCCESS) {
    status = sectrans_certificate_copy_pem(leaf, NULL, len);
    if (status == SECTRANS_SUCCESS) {
      status = SECTRANS_ERR_INTERNAL; /* a size query cannot succeed */
    } else if (status == SECTRANS_ERR_BUFFER_OVERFLOW) {
      *pem = malloc(*len);
      status = *pem ? sectrans_certificate_copy_pem(leaf, *pem, len)
                    : SECTRANS_ERR_ALLOCATE;
    }
  }
  sectrans_certificate_release(leaf);
  return status;
}

sectrans_status fixture_init(struct fixture *f) {
  char *pem = NULL;
  size_t len = 0;
  sectrans_status status;

  memset(f, 0, sizeof(*f));
  status = sectrans_identity_create_self_signed(
      FIXTURE_HOST, SECTRANS_KEY_ECDSA_P256, &f->identity);
  if (status != SECTRANS_SUCCESS)
    return fail("create self-signed identity", status, NULL);
  if ((status = copy_leaf_pem(f->identity, &pem, &len)) == SECTRANS_SUCCESS &&
      (status = sectrans_trust_store_create(&f->store)) == SECTRANS_SUCCESS)
    status = sectrans_trust_store_add_pem(f->store, pem, len);
  free(pem);
  if (status != SECTRANS_SUCCESS) {
    fixture_clear(f);
    return fail("build trust store", status, NULL);
  }
  return SECTRANS_SUCCESS;
}

void fixture_clear(struct fixture *f) {
  sectrans_trust_store_release(f->store);
  sectrans_identity_release(f->identity);
  memset(f, 0, sizeof(*f));
}

static sectrans_status create(int side, int max_protocol,
                              sectrans_context **out) {
  static const unsigned char alpn[] = "\x02h2\x08http/1.1";
  sectrans_context *ctx = NULL;
  sectrans_status status = sectrans_context_create(side, SECTRANS_STREAM, &ctx);
  if (status != SECTRANS_SUCCESS)
    return fail("create context", status, NULL);
  if ((status = sectrans_set_protocol_version_max(ctx, max_protocol)) != 0)
    fail("set maximum protocol", status, ctx);
  else if ((status = sectrans_set_alpn(ctx, alpn, sizeof(alpn) - 1)) != 0)
    fail("set ALPN", status, ctx);
  if (status != SECTRANS_SUCCESS) {
    sectrans_context_release(ctx);
    return status;
  }
  *out = ctx;
  return SECTRANS_SUCCESS;
}

sectrans_status fixture_server(const struct fixture *f, int max_protocol,
                               sectrans_context **out) {
  sectrans_status status = create(SECTRANS_SERVER, max_protocol, out);
  if (status != SECTRANS_SUCCESS)
    return status;
  if ((status = sectrans_set_identity(*out, f->identity)) != 0) {
    fail("set identity", status, *out);
    sectrans_context_release(*out);
    *out = NULL;
  }
  return status;
}

sectrans_status fixture_client(const struct fixture *f, int max_protocol,
                               sectrans_context **out) {
  sectrans_status status = create(SECTRANS_CLIENT, max_protocol, out);
  if (status != SECTRANS_SUCCESS)
    return status;
  status = sectrans_set_peer_domain_name(*out, FIXTURE_HOST,
                                         strlen(FIXTURE_HOST));
  if (status != SECTRANS_SUCCESS)
    fail("set peer domain name", status, *out);
  else if ((status = sectrans_set_trust_store(*out, f->store)) != 0)
    fail("set trust store", status, *out);
  else if ((status = sectrans_set_verify_mode(*out, SECTRANS_VERIFY_FULL)) != 0)
    fail("set verify mode", status, *out);
  if (status != SECTRANS_SUCCESS) {
    sectrans_context_release(*out);
    *out = NULL;
  }
  return status;
}
