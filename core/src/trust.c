/*
 * trust.c: the peer's chain and the one place that verifies it.
 *
 * Verification runs in two steps so that chain errors always win over name
 * errors: first the chain against the anchors, then the name against the
 * leaf's subjectAltNames (never the subject CN).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* A new trust, and one whose inputs changed, is unevaluated. */
static void forget_outcome(sectrans_trust *trust) {
  trust->evaluated = 0;
  trust->result = SECTRANS_ERR_BAD_REQ;
  trust->verify_code = 0;
  snprintf(trust->detail, sizeof(trust->detail), "not evaluated");
}

static sectrans_trust *trust_alloc(size_t count) {
  sectrans_trust *trust = calloc(1, sizeof(*trust));
  if (trust == NULL)
    return NULL;
  object_init(&trust->obj, KIND_TRUST);
  trust->peer_is_server = 1;
  forget_outcome(trust);
  if ((trust->chain = calloc(count ? count : 1, sizeof(X509 *))) == NULL) {
    free(trust);
    return NULL;
  }
  return trust;
}

static sectrans_status set_host(sectrans_trust *trust, const char *host) {
  char *copy = NULL;
  if (host != NULL && (copy = strdup(host)) == NULL)
    return SECTRANS_ERR_ALLOCATE;
  free(trust->host);
  trust->host = copy;
  return SECTRANS_SUCCESS;
}

sectrans_trust *trust_create_from_buffers(const STACK_OF(CRYPTO_BUFFER) *certs,
                                          sectrans_trust_store *anchors,
                                          int peer_is_server,
                                          const char *host) {
  size_t count = certs ? bssl.sk_num((const _STACK *)certs) : 0;
  sectrans_trust *trust = trust_alloc(count);
  if (trust == NULL)
    return NULL;
  for (size_t i = 0; i < count; i++) {
    CRYPTO_BUFFER *buf = bssl.sk_value((const _STACK *)certs, i);
    if ((trust->chain[i] = bssl.X509_parse_from_buffer(buf)) == NULL)
      goto fail;
    trust->count++;
  }
  trust->anchors = anchors ? sectrans_trust_store_retain(anchors) : NULL;
  trust->peer_is_server = peer_is_server;
  if (set_host(trust, host) != SECTRANS_SUCCESS)
    goto fail;
  return trust;
fail:
  trust_free(trust);
  return NULL;
}

void trust_free(sectrans_trust *trust) {
  for (size_t i = 0; i < trust->count; i++)
    bssl.X509_free(trust->chain[i]);
  sectrans_trust_store_release(trust->anchors);
  free(trust->chain);
  free(trust->host);
  free(trust);
}

/* ---- the verification table (design: "Verification failures") ---------- */

struct verify_outcome {
  sectrans_status status;
  uint8_t alert;
};

/* OpenSSL-style verifiers cannot tell an unknown issuer from a missing
 * intermediate (both are "unable to get local issuer certificate"), so
 * -9813 means "no path to any anchor" and -9812 "the path ends at a
 * self-signed certificate that is not an anchor". */
static struct verify_outcome outcome_for(int code) {
  switch (code) {
  case X509_V_OK:
    return (struct verify_outcome){SECTRANS_SUCCESS, 0};
  case X509_V_ERR_HOSTNAME_MISMATCH:
  case X509_V_ERR_IP_ADDRESS_MISMATCH:
    return (struct verify_outcome){SECTRANS_ERR_HOST_NAME_MISMATCH,
                                   SSL_AD_BAD_CERTIFICATE};
  case X509_V_ERR_CERT_HAS_EXPIRED:
    return (struct verify_outcome){SECTRANS_ERR_CERT_EXPIRED,
                                   SSL_AD_CERTIFICATE_EXPIRED};
  case X509_V_ERR_CERT_NOT_YET_VALID:
    return (struct verify_outcome){SECTRANS_ERR_CERT_NOT_YET_VALID,
                                   SSL_AD_BAD_CERTIFICATE};
  case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
  case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
  case X509_V_ERR_CERT_UNTRUSTED:
  case X509_V_ERR_CERT_REJECTED:
    return (struct verify_outcome){SECTRANS_ERR_UNKNOWN_ROOT_CERT,
                                   SSL_AD_UNKNOWN_CA};
  case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
  case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
  case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    return (struct verify_outcome){SECTRANS_ERR_NO_ROOT_CERT,
                                   SSL_AD_UNKNOWN_CA};
  default:
    return (struct verify_outcome){SECTRANS_ERR_X_CERT_CHAIN_INVALID,
                                   SSL_AD_BAD_CERTIFICATE};
  }
}

static int verify_chain(const sectrans_trust *trust, X509_STORE *anchors) {
  X509_STORE_CTX *store_ctx = bssl.X509_STORE_CTX_new();
  _STACK *untrusted = bssl.sk_new_null();
  int code = X509_V_ERR_OUT_OF_MEM;
  if (store_ctx == NULL || untrusted == NULL)
    goto done;
  for (size_t i = 1; i < trust->count; i++)
    if (!bssl.sk_push(untrusted, trust->chain[i]))
      goto done;
  if (!bssl.X509_STORE_CTX_init(store_ctx, anchors, trust->chain[0],
                                (STACK_OF(X509) *)untrusted))
    goto done;
  X509_VERIFY_PARAM *param = bssl.X509_STORE_CTX_get0_param(store_ctx);
  bssl.X509_VERIFY_PARAM_set_purpose(param, trust->peer_is_server
                                                ? X509_PURPOSE_SSL_SERVER
                                                : X509_PURPOSE_SSL_CLIENT);
  if (trust->verify_time != 0)
    bssl.X509_STORE_CTX_set_time(store_ctx, 0, (time_t)trust->verify_time);
  code = bssl.X509_verify_cert(store_ctx) == 1
             ? X509_V_OK
             : bssl.X509_STORE_CTX_get_error(store_ctx);
done:
  bssl.sk_free(untrusted); /* the certificates belong to trust */
  if (store_ctx != NULL)
    bssl.X509_STORE_CTX_free(store_ctx);
  return code;
}

int is_ip_literal(const char *name) {
  unsigned char ip[16];
  return inet_pton(AF_INET, name, ip) == 1 ||
         inet_pton(AF_INET6, name, ip) == 1;
}

static int verify_name(X509 *leaf, const char *host) {
  if (is_ip_literal(host))
    return bssl.X509_check_ip_asc(leaf, host, 0) == 1
               ? X509_V_OK
               : X509_V_ERR_IP_ADDRESS_MISMATCH;
  return bssl.X509_check_host(leaf, host, strlen(host),
                              X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL) == 1
             ? X509_V_OK
             : X509_V_ERR_HOSTNAME_MISMATCH;
}

/* The anchors as an X509_STORE: the trust's own, or the system store. */
static int chain_code(const sectrans_trust *trust) {
  sectrans_trust_store *system = NULL;
  sectrans_trust_store *anchors = trust->anchors;
  if (anchors == NULL) {
    if (sectrans_trust_store_copy_system(&system) != SECTRANS_SUCCESS)
      return X509_V_ERR_OUT_OF_MEM;
    anchors = system;
  }
  X509_STORE *store = trust_store_x509(anchors);
  int code = store ? verify_chain(trust, store) : X509_V_ERR_OUT_OF_MEM;
  sectrans_trust_store_release(system);
  return code;
}

sectrans_status trust_evaluate(sectrans_trust *trust, uint8_t *alert) {
  int code = trust->count == 0 ? X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
                               : chain_code(trust);
  if (code == X509_V_OK && trust->host != NULL)
    code = verify_name(trust->chain[0], trust->host);
  struct verify_outcome outcome = outcome_for(code);
  trust->evaluated = 1;
  trust->result = outcome.status;
  trust->verify_code = code;
  snprintf(trust->detail, sizeof(trust->detail), "%s",
           trust->count == 0 ? "peer sent no certificate"
                             : bssl.X509_verify_cert_error_string(code));
  if (alert != NULL)
    *alert = outcome.alert;
  return outcome.status;
}

/* ---- offline evaluation -------------------------------------------------- */

sectrans_status sectrans_trust_create(sectrans_certificate *const *chain,
                                      size_t count, sectrans_trust **out) {
  if (out == NULL)
    return SECTRANS_ERR_PARAM;
  *out = NULL;
  if (chain == NULL || count == 0 || count > 64)
    return SECTRANS_ERR_PARAM;
  for (size_t i = 0; i < count; i++)
    if (bad_handle(chain[i], KIND_CERTIFICATE))
      return SECTRANS_ERR_PARAM;
  sectrans_trust *trust = trust_alloc(count);
  if (trust == NULL)
    return SECTRANS_ERR_ALLOCATE;
  for (size_t i = 0; i < count; i++) {
    bssl.X509_up_ref(chain[i]->x509);
    trust->chain[trust->count++] = chain[i]->x509;
  }
  *out = trust;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_trust_set_anchors(sectrans_trust *trust,
                                           sectrans_trust_store *store) {
  if (bad_handle(trust, KIND_TRUST) || bad_handle(store, KIND_TRUST_STORE))
    return SECTRANS_ERR_PARAM;
  trust_store_freeze(store);
  sectrans_trust_store_retain(store);
  sectrans_trust_store_release(trust->anchors);
  trust->anchors = store;
  forget_outcome(trust);
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_trust_set_policy(sectrans_trust *trust,
                                          int peer_is_server,
                                          const char *host) {
  if (bad_handle(trust, KIND_TRUST) ||
      (host != NULL && strlen(host) > SECTRANS_MAX_PEER_NAME_LENGTH))
    return SECTRANS_ERR_PARAM;
  if (set_host(trust, host) != SECTRANS_SUCCESS)
    return SECTRANS_ERR_ALLOCATE;
  trust->peer_is_server = peer_is_server != 0;
  forget_outcome(trust);
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_trust_set_verify_time(sectrans_trust *trust,
                                               int64_t unix_time) {
  if (bad_handle(trust, KIND_TRUST))
    return SECTRANS_ERR_PARAM;
  trust->verify_time = unix_time;
  forget_outcome(trust);
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_trust_evaluate(sectrans_trust *trust,
                                        sectrans_status *result) {
  if (bad_handle(trust, KIND_TRUST) || result == NULL)
    return SECTRANS_ERR_PARAM;
  *result = trust_evaluate(trust, NULL);
  return SECTRANS_SUCCESS;
}

/* ---- public accessors ---------------------------------------------------- */

sectrans_status sectrans_trust_get_result(const sectrans_trust *trust,
                                          sectrans_status *result) {
  if (bad_handle(trust, KIND_TRUST) || result == NULL)
    return SECTRANS_ERR_PARAM;
  *result = trust->result;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_trust_get_verify_code(const sectrans_trust *trust,
                                               int32_t *code) {
  if (bad_handle(trust, KIND_TRUST) || code == NULL)
    return SECTRANS_ERR_PARAM;
  *code = trust->verify_code;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_trust_copy_detail(const sectrans_trust *trust,
                                           void *buf, size_t *len) {
  if (bad_handle(trust, KIND_TRUST) || len == NULL)
    return SECTRANS_ERR_PARAM;
  return copy_out(trust->detail, strlen(trust->detail), buf, len);
}

sectrans_status sectrans_trust_get_certificate_count(
    const sectrans_trust *trust, size_t *count) {
  if (bad_handle(trust, KIND_TRUST) || count == NULL)
    return SECTRANS_ERR_PARAM;
  *count = trust->count;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_trust_copy_certificate(const sectrans_trust *trust,
                                                size_t index,
                                                sectrans_certificate **out) {
  if (out == NULL)
    return SECTRANS_ERR_PARAM;
  *out = NULL;
  if (bad_handle(trust, KIND_TRUST) || index >= trust->count)
    return SECTRANS_ERR_PARAM;
  *out = certificate_wrap(trust->chain[index]);
  return *out ? SECTRANS_SUCCESS : SECTRANS_ERR_ALLOCATE;
}

OBJECT_RETAIN_RELEASE(sectrans_trust, trust, KIND_TRUST)
