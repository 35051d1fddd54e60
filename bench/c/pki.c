/*
 * pki.c: the benchmark's certificates, made at startup with BoringSSL.
 *
 * A CA (ECDSA P-256) and a leaf (ECDSA P-256, SAN DNS:BENCH_HOST, EKU
 * serverAuth) signed by it, valid from an hour ago for a day. Both subjects
 * load the same PEM text. Builds against BoringSSL or OpenSSL 3.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/ec.h>
#ifdef OPENSSL_IS_BORINGSSL
#include <openssl/ec_key.h>
#endif
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bench.h"

#ifdef OPENSSL_IS_BORINGSSL
static EVP_PKEY *new_p256_key(void) {
  EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  EVP_PKEY *key = EVP_PKEY_new();
  if (ec == NULL || key == NULL || !EC_KEY_generate_key(ec) ||
      !EVP_PKEY_assign_EC_KEY(key, ec)) {
    EC_KEY_free(ec);
    EVP_PKEY_free(key);
    return NULL;
  }
  return key;
}

static int memory_contents(const BIO *bio, const uint8_t **data, size_t *len) {
  return BIO_mem_contents(bio, data, len);
}
#else /* OpenSSL 3 */
static EVP_PKEY *new_p256_key(void) { return EVP_EC_gen("P-256"); }

static int memory_contents(BIO *bio, const uint8_t **data, size_t *len) {
  char *start;
  long n = BIO_get_mem_data(bio, &start);
  *data = (const uint8_t *)start;
  *len = n > 0 ? (size_t)n : 0;
  return n > 0;
}
#endif

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value) {
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
  X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, &v3, nid, value);
  int ok = ext != NULL && X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok;
}

/* One X.509v3 extension in OpenSSL's configuration syntax. */
struct ext_spec {
  int nid;
  const char *value;
};

static int set_name(X509_NAME *name, const char *common_name) {
  return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                    (const uint8_t *)common_name, -1, -1, 0);
}

/* A certificate for key, named common_name, signed by issuer_key (issuer
 * NULL: self-signed), with extensions up to one whose nid is NID_undef. */
static X509 *new_cert(EVP_PKEY *key, const char *common_name, X509 *issuer,
                      EVP_PKEY *issuer_key, long serial,
                      const struct ext_spec *extensions) {
  X509 *cert = X509_new();
  int ok = cert != NULL && X509_set_version(cert, X509_VERSION_3) &&
           ASN1_INTEGER_set(X509_get_serialNumber(cert), serial) &&
           X509_gmtime_adj(X509_getm_notBefore(cert), -3600) &&
           X509_gmtime_adj(X509_getm_notAfter(cert), 86400) &&
           set_name(X509_get_subject_name(cert), common_name) &&
           X509_set_issuer_name(
               cert, X509_get_subject_name(issuer ? issuer : cert)) &&
           X509_set_pubkey(cert, key);
  for (size_t i = 0; ok && extensions[i].nid != NID_undef; i++)
    ok = add_ext(cert, issuer ? issuer : cert, extensions[i].nid,
                 extensions[i].value);
  if (ok && X509_sign(cert, issuer_key, EVP_sha256()))
    return cert;
  X509_free(cert);
  return NULL;
}

/* The PEM text a writer puts in a memory BIO, as a C string. */
static char *pem_of(int (*write)(BIO *, void *), void *object) {
  BIO *bio = BIO_new(BIO_s_mem());
  const uint8_t *data;
  size_t len;
  char *text = NULL;
  if (bio != NULL && write(bio, object) && memory_contents(bio, &data, &len) &&
      (text = malloc(len + 1)) != NULL) {
    memcpy(text, data, len);
    text[len] = '\0';
  }
  BIO_free(bio);
  return text;
}

static int write_cert(BIO *bio, void *cert) {
  return PEM_write_bio_X509(bio, cert);
}

static int write_key(BIO *bio, void *key) {
  return PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
}

int pki_create(struct pki *pki) {
  static const struct ext_spec ca_ext[] = {
      {NID_basic_constraints, "critical,CA:TRUE"},
      {NID_key_usage, "critical,keyCertSign,cRLSign"},
      {NID_undef, NULL}};
  static const struct ext_spec leaf_ext[] = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, "serverAuth"},
      {NID_subject_alt_name, "DNS:" BENCH_HOST},
      {NID_undef, NULL}};
  memset(pki, 0, sizeof(*pki));
  EVP_PKEY *ca_key = new_p256_key();
  EVP_PKEY *leaf_key = new_p256_key();
  X509 *ca = ca_key ? new_cert(ca_key, "sectrans bench CA", NULL, ca_key, 1,
                               ca_ext)
                    : NULL;
  X509 *leaf = ca && leaf_key
                   ? new_cert(leaf_key, BENCH_HOST, ca, ca_key, 2, leaf_ext)
                   : NULL;
  if (leaf != NULL) {
    pki->ca_pem = pem_of(write_cert, ca);
    pki->leaf_pem = pem_of(write_cert, leaf);
    pki->key_pem = pem_of(write_key, leaf_key);
  }
  X509_free(leaf);
  X509_free(ca);
  EVP_PKEY_free(leaf_key);
  EVP_PKEY_free(ca_key);
  if (pki->ca_pem == NULL || pki->leaf_pem == NULL || pki->key_pem == NULL) {
    pki_free(pki);
    return bench_fail("pki", "could not make the test certificates");
  }
  return 1;
}

void pki_free(struct pki *pki) {
  free(pki->ca_pem);
  free(pki->leaf_pem);
  free(pki->key_pem);
  memset(pki, 0, sizeof(*pki));
}
