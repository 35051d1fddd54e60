/*
 * identity.c: a private key with its leaf certificate and intermediates.
 *
 * The chain is kept twice: as CRYPTO_BUFFERs, which is what
 * SSL_set_chain_and_key takes (no re-encoding per connection), and parsed,
 * for sectrans_identity_copy_certificate. An identity never changes after
 * creation, so it may be shared across threads.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

sectrans_status identity_start(sectrans_identity **identity) {
  if (bssl_load() != SECTRANS_SUCCESS)
    return SECTRANS_ERR_INTERNAL;
  if ((*identity = calloc(1, sizeof(**identity))) == NULL)
    return SECTRANS_ERR_ALLOCATE;
  object_init(&(*identity)->obj, KIND_IDENTITY);
  bssl.ERR_clear_error();
  return SECTRANS_SUCCESS;
}

void identity_free(sectrans_identity *identity) {
  if (identity == NULL)
    return;
  for (size_t i = 0; i < identity->count; i++) {
    bssl.CRYPTO_BUFFER_free(identity->chain[i]);
    bssl.X509_free(identity->certs[i]);
  }
  free(identity->chain);
  free(identity->certs);
  bssl.EVP_PKEY_free(identity->key);
  free(identity);
}

/* Appends one certificate, taking ownership of both forms on success. */
sectrans_status identity_push(sectrans_identity *identity, X509 *x509,
                              CRYPTO_BUFFER *der) {
  size_t n = identity->count + 1;
  CRYPTO_BUFFER **chain = realloc(identity->chain, n * sizeof(*chain));
  if (chain == NULL)
    return SECTRANS_ERR_ALLOCATE;
  identity->chain = chain;
  X509 **certs = realloc(identity->certs, n * sizeof(*certs));
  if (certs == NULL)
    return SECTRANS_ERR_ALLOCATE;
  identity->certs = certs;
  chain[identity->count] = der;
  certs[identity->count] = x509;
  identity->count = n;
  return SECTRANS_SUCCESS;
}

sectrans_status identity_install(const sectrans_identity *identity, SSL *ssl) {
  if (identity == NULL || ssl == NULL || identity->count == 0 ||
      !bssl.SSL_set_chain_and_key(ssl, identity->chain, identity->count,
                                  identity->key, NULL))
    return SECTRANS_ERR_BAD_CERT;
  return SECTRANS_SUCCESS;
}

/* ---- keys ---------------------------------------------------------------- */

/* Only what every TLS 1.2/1.3 peer can verify, at a sound strength. */
static int key_is_acceptable(const EVP_PKEY *key) {
  switch (bssl.EVP_PKEY_id(key)) {
  case EVP_PKEY_RSA:
    return bssl.EVP_PKEY_bits(key) >= 2048;
  case EVP_PKEY_EC: {
    const EC_KEY *ec = bssl.EVP_PKEY_get0_EC_KEY(key);
    int curve = ec ? bssl.EC_GROUP_get_curve_name(bssl.EC_KEY_get0_group(ec))
                   : NID_undef;
    return curve == NID_X9_62_prime256v1 || curve == NID_secp384r1;
  }
  case EVP_PKEY_ED25519:
    return 1;
  default:
    return 0;
  }
}

/* The PEM names PEM_read_bio_PrivateKey accepts. */
static int is_key_block(const char *name) {
  static const char *const names[] = {"PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
                                      "RSA PRIVATE KEY", "EC PRIVATE KEY",
                                      "DSA PRIVATE KEY"};
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strcmp(name, names[i]) == 0)
      return 1;
  return 0;
}

/* Finds the first key block, to learn whether it is encrypted: a key that
 * then fails to load was most likely given the wrong password, and the
 * error queue does not say so the same way for PKCS#8 and legacy PEM. */
static sectrans_status find_key_block(BIO *bio, int *encrypted) {
  for (;;) {
    char *name = NULL, *header = NULL;
    uint8_t *data = NULL;
    long len = 0;
    if (!bssl.PEM_read_bio(bio, &name, &header, &data, &len))
      return status_or_allocate(SECTRANS_ERR_DECODE); /* no key at all */
    int found = is_key_block(name);
    if (found)
      *encrypted = strcmp(name, "ENCRYPTED PRIVATE KEY") == 0 ||
                   strstr(header, "ENCRYPTED") != NULL;
    bssl.OPENSSL_free(name);
    bssl.OPENSSL_free(header);
    bssl.OPENSSL_free(data);
    if (found)
      return SECTRANS_SUCCESS;
  }
}

/* Hands BoringSSL the caller's password; none means decryption fails. */
static int password_callback(char *buf, int size, int rwflag, void *arg) {
  const char *password = arg;
  if (password == NULL || size <= 0)
    return 0;
  size_t len = strlen(password);
  if (len > (size_t)size)
    return 0;
  memcpy(buf, password, len);
  return (int)len;
}

static sectrans_status read_key(const void *pem, size_t len,
                                const char *password, EVP_PKEY **out) {
  *out = NULL;
  BIO *bio = bssl.BIO_new_mem_buf(pem, (int)len);
  if (bio == NULL)
    return SECTRANS_ERR_ALLOCATE;
  int encrypted = 0;
  bssl.ERR_clear_error();
  sectrans_status status = find_key_block(bio, &encrypted);
  bssl.BIO_free(bio);
  if (status != SECTRANS_SUCCESS)
    return status;

  bio = bssl.BIO_new_mem_buf(pem, (int)len);
  if (bio == NULL)
    return SECTRANS_ERR_ALLOCATE;
  *out = bssl.PEM_read_bio_PrivateKey(bio, NULL, password_callback,
                                      (void *)password);
  bssl.BIO_free(bio);
  if (*out != NULL)
    return SECTRANS_SUCCESS;
  return status_or_allocate(encrypted ? SECTRANS_ERR_AUTH_FAILED
                                      : SECTRANS_ERR_DECODE);
}

/* ---- certificates -------------------------------------------------------- */

static sectrans_status read_chain(const void *pem, size_t len,
                                  sectrans_identity *identity) {
  BIO *bio = bssl.BIO_new_mem_buf(pem, (int)len);
  if (bio == NULL)
    return SECTRANS_ERR_ALLOCATE;
  sectrans_status status;
  for (;;) {
    X509 *x509 = NULL;
    CRYPTO_BUFFER *der = NULL;
    status = certificate_read_pem(bio, &x509, &der);
    if (status != SECTRANS_SUCCESS || x509 == NULL)
      break;
    if (identity_push(identity, x509, der) != SECTRANS_SUCCESS) {
      bssl.X509_free(x509);
      bssl.CRYPTO_BUFFER_free(der);
      status = SECTRANS_ERR_ALLOCATE;
      break;
    }
  }
  bssl.BIO_free(bio);
  if (status == SECTRANS_SUCCESS && identity->count == 0)
    status = SECTRANS_ERR_DECODE; /* no certificate at all */
  return status;
}

/* ---- sectrans_identity_create_from_pem ----------------------------------- */

static int pem_input_ok(const void *pem, size_t len) {
  return pem != NULL && len > 0 && len <= SECTRANS_MAX_PEM_LENGTH;
}

/* key_pem may be NULL (the key is then in cert_pem), but only with 0. */
static int arguments_ok(const void *cert_pem, size_t cert_len,
                        const void *key_pem, size_t key_len,
                        sectrans_identity **out) {
  if (out == NULL || !pem_input_ok(cert_pem, cert_len))
    return 0;
  if (key_pem == NULL)
    return key_len == 0;
  return pem_input_ok(key_pem, key_len);
}

static sectrans_status check_key(sectrans_identity *identity) {
  if (identity->count == 0 || identity->key == NULL)
    return SECTRANS_ERR_DECODE;
  if (!key_is_acceptable(identity->key))
    return SECTRANS_ERR_BAD_CERT;
  if (!bssl.X509_check_private_key(identity->certs[0], identity->key))
    return status_or_allocate(SECTRANS_ERR_BAD_CERT);
  return SECTRANS_SUCCESS;
}

/* The one exit of every constructor that takes a caller's key (PEM, DER,
 * PKCS#12): after the reading went well (status 0), the key must be
 * acceptable and match the leaf. Hands identity out on success and frees
 * it otherwise. */
static sectrans_status identity_finish(sectrans_identity *identity,
                                       sectrans_status status,
                                       sectrans_identity **out) {
  if (status == SECTRANS_SUCCESS)
    status = check_key(identity);
  if (status != SECTRANS_SUCCESS) {
    identity_free(identity);
    return status;
  }
  *out = identity;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_identity_create_from_pem(
    const void *cert_pem, size_t cert_len, const void *key_pem, size_t key_len,
    const char *password, sectrans_identity **out) {
  if (out != NULL)
    *out = NULL;
  if (!arguments_ok(cert_pem, cert_len, key_pem, key_len, out))
    return SECTRANS_ERR_PARAM;
  if (key_pem == NULL) {
    key_pem = cert_pem;
    key_len = cert_len;
  }
  sectrans_identity *identity;
  sectrans_status status = identity_start(&identity);
  if (status != SECTRANS_SUCCESS)
    return status;
  status = read_chain(cert_pem, cert_len, identity);
  if (status == SECTRANS_SUCCESS)
    status = read_key(key_pem, key_len, password, &identity->key);
  return identity_finish(identity, status, out);
}

/* The DER of a certificate we built, as the CRYPTO_BUFFER TLS sends. */
CRYPTO_BUFFER *buffer_of(X509 *x509) {
  uint8_t *der = NULL;
  int len = bssl.i2d_X509(x509, &der);
  if (len <= 0)
    return NULL;
  CRYPTO_BUFFER *buffer = bssl.CRYPTO_BUFFER_new(der, (size_t)len, NULL);
  bssl.OPENSSL_free(der);
  return buffer;
}

/* ---- shared by the DER and PKCS#12 readers ------------------------------- */

/* Appends x509 (a new reference) and its DER. */
static sectrans_status push_x509(sectrans_identity *identity, X509 *x509) {
  CRYPTO_BUFFER *der = buffer_of(x509);
  if (der == NULL)
    return status_or_allocate(SECTRANS_ERR_DECODE);
  bssl.X509_up_ref(x509);
  if (identity_push(identity, x509, der) != SECTRANS_SUCCESS) {
    bssl.X509_free(x509);
    bssl.CRYPTO_BUFFER_free(der);
    return SECTRANS_ERR_ALLOCATE;
  }
  return SECTRANS_SUCCESS;
}

/* ---- sectrans_identity_create_from_der ----------------------------------- */

/* Exactly one DER certificate, kept in the CRYPTO_BUFFER it was parsed
 * from (trailing bytes are refused by the parser). */
static sectrans_status push_der_certificate(sectrans_identity *identity,
                                            const void *der, size_t len) {
  CRYPTO_BUFFER *buffer = bssl.CRYPTO_BUFFER_new(der, len, NULL);
  if (buffer == NULL)
    return SECTRANS_ERR_ALLOCATE;
  X509 *x509 = bssl.X509_parse_from_buffer(buffer);
  if (x509 == NULL) {
    bssl.CRYPTO_BUFFER_free(buffer);
    return status_or_allocate(SECTRANS_ERR_DECODE);
  }
  if (identity_push(identity, x509, buffer) != SECTRANS_SUCCESS) {
    bssl.X509_free(x509);
    bssl.CRYPTO_BUFFER_free(buffer);
    return SECTRANS_ERR_ALLOCATE;
  }
  return SECTRANS_SUCCESS;
}

static EVP_PKEY *parse_pkcs8_key(CBS *cbs) {
  return bssl.EVP_parse_private_key(cbs);
}

static EVP_PKEY *parse_sec1_key(CBS *cbs) {
  EC_KEY *ec = bssl.EC_KEY_parse_private_key(cbs, NULL);
  EVP_PKEY *key = ec != NULL ? bssl.EVP_PKEY_new() : NULL;
  if (key != NULL && bssl.EVP_PKEY_assign_EC_KEY(key, ec))
    return key; /* key owns ec now */
  bssl.EC_KEY_free(ec);
  bssl.EVP_PKEY_free(key);
  return NULL;
}

static EVP_PKEY *parse_pkcs1_key(CBS *cbs) {
  RSA *rsa = bssl.RSA_parse_private_key(cbs);
  EVP_PKEY *key = rsa != NULL ? bssl.EVP_PKEY_new() : NULL;
  if (key != NULL && bssl.EVP_PKEY_assign_RSA(key, rsa))
    return key; /* key owns rsa now */
  bssl.RSA_free(rsa);
  bssl.EVP_PKEY_free(key);
  return NULL;
}

/* PKCS#8 PrivateKeyInfo, then SEC1 ECPrivateKey (with its curve named
 * inside), then PKCS#1 RSAPrivateKey; the first parser that takes every
 * byte wins. Encrypted PKCS#8 has no password here, so it is not a key. */
static sectrans_status read_der_key(const void *der, size_t len,
                                    EVP_PKEY **out) {
  static EVP_PKEY *(*const parsers[])(CBS *) = {parse_pkcs8_key, parse_sec1_key,
                                                parse_pkcs1_key};
  *out = NULL;
  bssl.ERR_clear_error();
  for (size_t i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++) {
    CBS cbs;
    bssl.CBS_init(&cbs, der, len);
    EVP_PKEY *key = parsers[i](&cbs);
    if (key != NULL && bssl.CBS_len(&cbs) == 0) {
      bssl.ERR_clear_error(); /* what the earlier parsers complained about */
      *out = key;
      return SECTRANS_SUCCESS;
    }
    bssl.EVP_PKEY_free(key);
  }
  return status_or_allocate(SECTRANS_ERR_DECODE);
}

sectrans_status sectrans_identity_create_from_der(const void *cert_der,
                                                  size_t cert_len,
                                                  const void *key_der,
                                                  size_t key_len,
                                                  sectrans_identity **out) {
  if (out != NULL)
    *out = NULL;
  if (out == NULL || !pem_input_ok(cert_der, cert_len) ||
      !pem_input_ok(key_der, key_len))
    return SECTRANS_ERR_PARAM;
  sectrans_identity *identity;
  sectrans_status status = identity_start(&identity);
  if (status != SECTRANS_SUCCESS)
    return status;
  status = push_der_certificate(identity, cert_der, cert_len);
  if (status == SECTRANS_SUCCESS)
    status = read_der_key(key_der, key_len, &identity->key);
  return identity_finish(identity, status, out);
}

/* ---- sectrans_identity_create_from_pkcs12 -------------------------------- */

static void free_x509_stack(STACK_OF(X509) *certs) {
  if (certs == NULL)
    return;
  size_t count = bssl.sk_num((const _STACK *)certs);
  for (size_t i = 0; i < count; i++)
    bssl.X509_free(bssl.sk_value((const _STACK *)certs, i));
  bssl.sk_free((_STACK *)certs);
}

/* Verifies the MAC and decrypts. BoringSSL tries both encodings of an
 * empty password (none, and the two zero bytes of an empty BMPString)
 * when password is NULL or "", as OpenSSL does. */
static sectrans_status read_pkcs12(const void *data, size_t len,
                                   const char *password, EVP_PKEY **key,
                                   STACK_OF(X509) *certs) {
  CBS cbs;
  bssl.CBS_init(&cbs, data, len);
  bssl.ERR_clear_error();
  if (!bssl.PKCS12_get_key_and_certs(key, certs, &cbs, password))
    return status_of_password_failure(SECTRANS_ERR_DECODE);
  return *key != NULL ? SECTRANS_SUCCESS : SECTRANS_ERR_DECODE; /* no key */
}

/* The leaf is the certificate that matches the key; the others follow in
 * the file's order. No match: -26275, as the file holds no identity. */
static sectrans_status push_pkcs12_chain(sectrans_identity *identity,
                                         STACK_OF(X509) *certs) {
  size_t count = bssl.sk_num((const _STACK *)certs), leaf = count;
  for (size_t i = 0; i < count && leaf == count; i++)
    if (bssl.X509_check_private_key(bssl.sk_value((const _STACK *)certs, i),
                                    identity->key))
      leaf = i;
  bssl.ERR_clear_error(); /* the mismatches on the way */
  if (leaf == count)
    return SECTRANS_ERR_DECODE;
  sectrans_status status = push_x509(
      identity, bssl.sk_value((const _STACK *)certs, leaf));
  for (size_t i = 0; i < count && status == SECTRANS_SUCCESS; i++)
    if (i != leaf)
      status = push_x509(identity, bssl.sk_value((const _STACK *)certs, i));
  return status;
}

sectrans_status sectrans_identity_create_from_pkcs12(const void *data,
                                                     size_t len,
                                                     const char *password,
                                                     sectrans_identity **out) {
  if (out != NULL)
    *out = NULL;
  if (out == NULL || !pem_input_ok(data, len))
    return SECTRANS_ERR_PARAM;
  sectrans_identity *identity;
  sectrans_status status = identity_start(&identity);
  if (status != SECTRANS_SUCCESS)
    return status;
  STACK_OF(X509) *certs = (STACK_OF(X509) *)bssl.sk_new_null();
  status = SECTRANS_ERR_ALLOCATE;
  if (certs != NULL)
    status = read_pkcs12(data, len, password, &identity->key, certs);
  if (status == SECTRANS_SUCCESS)
    status = push_pkcs12_chain(identity, certs);
  free_x509_stack(certs);
  return identity_finish(identity, status, out);
}

/* ---- accessors ----------------------------------------------------------- */

sectrans_status sectrans_identity_get_certificate_count(
    const sectrans_identity *identity, size_t *count) {
  if (bad_handle(identity, KIND_IDENTITY) || count == NULL)
    return SECTRANS_ERR_PARAM;
  *count = identity->count;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_identity_copy_certificate(
    const sectrans_identity *identity, size_t index,
    sectrans_certificate **out) {
  if (out != NULL)
    *out = NULL;
  if (bad_handle(identity, KIND_IDENTITY) || out == NULL ||
      index >= identity->count)
    return SECTRANS_ERR_PARAM;
  *out = certificate_wrap(identity->certs[index]);
  return *out != NULL ? SECTRANS_SUCCESS : SECTRANS_ERR_ALLOCATE;
}

OBJECT_RETAIN_RELEASE(sectrans_identity, identity, KIND_IDENTITY)
