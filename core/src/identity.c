/*
 * identity.c: a private key with its leaf certificate and intermediates.
 *
 * The chain is kept twice: as CRYPTO_BUFFERs, which is what
 * SSL_set_chain_and_key takes (no re-encoding per connection), and parsed,
 * for sectrans_identity_copy_certificate. An identity never changes after
 * creation, so it may be shared across threads.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

/* RFC 5280's upper bound for a commonName (ub-common-name). */
#define MAX_COMMON_NAME 64

static sectrans_identity *identity_new(void) {
  sectrans_identity *identity = calloc(1, sizeof(*identity));
  if (identity != NULL)
    object_init(&identity->obj, KIND_IDENTITY);
  return identity;
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
static int identity_push(sectrans_identity *identity, X509 *x509,
                         CRYPTO_BUFFER *der) {
  size_t n = identity->count + 1;
  CRYPTO_BUFFER **chain = realloc(identity->chain, n * sizeof(*chain));
  if (chain == NULL)
    return 0;
  identity->chain = chain;
  X509 **certs = realloc(identity->certs, n * sizeof(*certs));
  if (certs == NULL)
    return 0;
  identity->certs = certs;
  chain[identity->count] = der;
  certs[identity->count] = x509;
  identity->count = n;
  return 1;
}

int identity_install(const sectrans_identity *identity, SSL *ssl) {
  if (identity == NULL || ssl == NULL || identity->count == 0)
    return 0;
  return bssl.SSL_set_chain_and_key(ssl, identity->chain, identity->count,
                                    identity->key, NULL);
}

/* BoringSSL says "out of memory" only through its error queue. */
static sectrans_status failure_status(sectrans_status otherwise) {
  uint32_t err = bssl.ERR_peek_last_error();
  bssl.ERR_clear_error();
  if (ERR_GET_REASON(err) == ERR_R_MALLOC_FAILURE)
    return SECTRANS_ERR_ALLOCATE;
  return otherwise;
}

/* ---- keys ----------------------------------------------------------------- */

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
      return failure_status(SECTRANS_ERR_DECODE); /* no key at all */
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
  return failure_status(encrypted ? SECTRANS_ERR_AUTH_FAILED
                                  : SECTRANS_ERR_DECODE);
}

/* ---- certificates ---------------------------------------------------------- */

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
    if (!identity_push(identity, x509, der)) {
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

/* ---- sectrans_identity_create_from_pem ------------------------------------ */

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
  if (!key_is_acceptable(identity->key))
    return SECTRANS_ERR_BAD_CERT;
  if (!bssl.X509_check_private_key(identity->certs[0], identity->key))
    return failure_status(SECTRANS_ERR_BAD_CERT);
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_identity_create_from_pem(
    const void *cert_pem, size_t cert_len, const void *key_pem, size_t key_len,
    const char *password, sectrans_identity **out) {
  if (out != NULL)
    *out = NULL;
  if (!arguments_ok(cert_pem, cert_len, key_pem, key_len, out))
    return SECTRANS_ERR_PARAM;
  if (!bssl_load())
    return SECTRANS_ERR_INTERNAL;
  if (key_pem == NULL) {
    key_pem = cert_pem;
    key_len = cert_len;
  }

  sectrans_identity *identity = identity_new();
  if (identity == NULL)
    return SECTRANS_ERR_ALLOCATE;
  sectrans_status status = read_chain(cert_pem, cert_len, identity);
  if (status == SECTRANS_SUCCESS)
    status = read_key(key_pem, key_len, password, &identity->key);
  if (status == SECTRANS_SUCCESS)
    status = check_key(identity);
  if (status != SECTRANS_SUCCESS) {
    identity_free(identity);
    return status;
  }
  *out = identity;
  return SECTRANS_SUCCESS;
}

/* ---- sectrans_identity_create_self_signed --------------------------------- */

static EVP_PKEY *generate_ec_key(int nid) {
  EC_KEY *ec = bssl.EC_KEY_new_by_curve_name(nid);
  EVP_PKEY *key = bssl.EVP_PKEY_new();
  if (ec != NULL && key != NULL && bssl.EC_KEY_generate_key(ec) &&
      bssl.EVP_PKEY_assign_EC_KEY(key, ec))
    return key; /* key owns ec now */
  bssl.EC_KEY_free(ec);
  bssl.EVP_PKEY_free(key);
  return NULL;
}

static EVP_PKEY *generate_rsa_key(int bits) {
  RSA *rsa = bssl.RSA_new();
  BIGNUM *e = bssl.BN_new();
  EVP_PKEY *key = bssl.EVP_PKEY_new();
  int ok = rsa != NULL && e != NULL && key != NULL &&
           bssl.BN_set_word(e, RSA_F4) &&
           bssl.RSA_generate_key_ex(rsa, bits, e, NULL) &&
           bssl.EVP_PKEY_assign_RSA(key, rsa);
  bssl.BN_free(e);
  if (ok)
    return key; /* key owns rsa now */
  bssl.RSA_free(rsa);
  bssl.EVP_PKEY_free(key);
  return NULL;
}

static EVP_PKEY *generate_ed25519_key(void) {
  uint8_t public_key[32], private_key[64];
  bssl.ED25519_keypair(public_key, private_key);
  /* The raw private key is the 32-byte seed that starts private_key. */
  EVP_PKEY *key =
      bssl.EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, private_key, 32);
  bssl.OPENSSL_cleanse(private_key, sizeof(private_key));
  return key;
}

static EVP_PKEY *generate_key(int key_type) {
  switch (key_type) {
  case SECTRANS_KEY_ECDSA_P256:
    return generate_ec_key(NID_X9_62_prime256v1);
  case SECTRANS_KEY_ECDSA_P384:
    return generate_ec_key(NID_secp384r1);
  case SECTRANS_KEY_RSA_2048:
    return generate_rsa_key(2048);
  case SECTRANS_KEY_RSA_3072:
    return generate_rsa_key(3072);
  case SECTRANS_KEY_ED25519:
    return generate_ed25519_key();
  default:
    return NULL;
  }
}

/* A random positive 63-bit serial: unique enough for throwaway leaves. */
static int set_random_serial(X509 *x509) {
  uint64_t serial = 0;
  if (!bssl.RAND_bytes((uint8_t *)&serial, sizeof(serial)))
    return 0;
  serial = (serial >> 1) | 1; /* positive and never zero */
  return bssl.ASN1_INTEGER_set_uint64(bssl.X509_get_serialNumber(x509),
                                      serial);
}

/* Subject and issuer are both CN=name. A name too long for a commonName is
 * left out of the subject and lives only in the subjectAltName. */
static int set_names(X509 *x509, const char *common_name) {
  X509_NAME *name = bssl.X509_NAME_new();
  if (name == NULL)
    return 0;
  int ok = 1;
  if (strlen(common_name) <= MAX_COMMON_NAME)
    ok = bssl.X509_NAME_add_entry_by_txt(
        name, "CN", MBSTRING_UTF8, (const uint8_t *)common_name, -1, -1, 0);
  ok = ok && bssl.X509_set_subject_name(x509, name) &&
       bssl.X509_set_issuer_name(x509, name);
  bssl.X509_NAME_free(name);
  return ok;
}

/* One GENERAL_NAME: iPAddress when the name is an IP literal, else dNSName. */
static GENERAL_NAME *new_general_name(const char *host) {
  uint8_t ip[16];
  size_t ip_len = 0;
  if (inet_pton(AF_INET, host, ip) == 1)
    ip_len = 4;
  else if (inet_pton(AF_INET6, host, ip) == 1)
    ip_len = 16;

  GENERAL_NAME *name = bssl.GENERAL_NAME_new();
  ASN1_STRING *value = ip_len ? bssl.ASN1_OCTET_STRING_new()
                              : bssl.ASN1_IA5STRING_new();
  const void *data = ip_len ? (const void *)ip : (const void *)host;
  int data_len = ip_len ? (int)ip_len : (int)strlen(host);
  if (name == NULL || value == NULL ||
      !bssl.ASN1_STRING_set(value, data, data_len)) {
    bssl.GENERAL_NAME_free(name);
    bssl.ASN1_STRING_free(value);
    return NULL;
  }
  bssl.GENERAL_NAME_set0_value(name, ip_len ? GEN_IPADD : GEN_DNS, value);
  return name;
}

/* The SAN is critical when the subject is empty (RFC 5280, 4.2.1.6). */
static int add_subject_alt_name(X509 *x509, const char *host, int critical) {
  GENERAL_NAMES *names = (GENERAL_NAMES *)bssl.sk_new_null();
  GENERAL_NAME *name = new_general_name(host);
  int ok = names != NULL && name != NULL &&
           bssl.sk_push((_STACK *)names, name) != 0;
  if (!ok)
    bssl.GENERAL_NAME_free(name); /* not in the stack */
  ok = ok && bssl.X509_add1_ext_i2d(x509, NID_subject_alt_name, names,
                                    critical, X509V3_ADD_DEFAULT);
  if (names != NULL)
    bssl.GENERAL_NAMES_free(names);
  return ok;
}

static int add_not_a_ca(X509 *x509) {
  BASIC_CONSTRAINTS *constraints = bssl.BASIC_CONSTRAINTS_new();
  if (constraints == NULL)
    return 0;
  constraints->ca = 0;
  int ok = bssl.X509_add1_ext_i2d(x509, NID_basic_constraints, constraints, 1,
                                  X509V3_ADD_DEFAULT);
  bssl.BASIC_CONSTRAINTS_free(constraints);
  return ok;
}

static X509 *new_self_signed(EVP_PKEY *key, const char *host) {
  X509 *x509 = bssl.X509_new();
  /* Ed25519 signs the message itself: no separate digest. */
  const EVP_MD *digest =
      bssl.EVP_PKEY_id(key) == EVP_PKEY_ED25519 ? NULL : bssl.EVP_sha256();
  int ok = x509 != NULL && bssl.X509_set_version(x509, X509_VERSION_3) &&
           set_random_serial(x509) && set_names(x509, host) &&
           bssl.X509_gmtime_adj(bssl.X509_getm_notBefore(x509), -3600) &&
           bssl.X509_gmtime_adj(bssl.X509_getm_notAfter(x509),
                                30L * 86400 - 3600) &&
           bssl.X509_set_pubkey(x509, key) &&
           add_subject_alt_name(x509, host, strlen(host) > MAX_COMMON_NAME) &&
           add_not_a_ca(x509) && bssl.X509_sign(x509, key, digest) > 0;
  if (ok)
    return x509;
  bssl.X509_free(x509);
  return NULL;
}

/* The DER of a certificate we built, as the CRYPTO_BUFFER TLS sends. */
static CRYPTO_BUFFER *buffer_of(X509 *x509) {
  uint8_t *der = NULL;
  int len = bssl.i2d_X509(x509, &der);
  if (len <= 0)
    return NULL;
  CRYPTO_BUFFER *buffer = bssl.CRYPTO_BUFFER_new(der, (size_t)len, NULL);
  bssl.OPENSSL_free(der);
  return buffer;
}

static int self_signed_arguments_ok(const char *common_name, int key_type,
                                    sectrans_identity **out) {
  if (common_name == NULL || out == NULL)
    return 0;
  size_t len = strnlen(common_name, SECTRANS_MAX_PEER_NAME_LENGTH + 1);
  return len > 0 && len <= SECTRANS_MAX_PEER_NAME_LENGTH &&
         key_type >= SECTRANS_KEY_ECDSA_P256 &&
         key_type <= SECTRANS_KEY_ED25519;
}

sectrans_status sectrans_identity_create_self_signed(const char *common_name,
                                                     int key_type,
                                                     sectrans_identity **out) {
  if (out != NULL)
    *out = NULL;
  if (!self_signed_arguments_ok(common_name, key_type, out))
    return SECTRANS_ERR_PARAM;
  if (!bssl_load())
    return SECTRANS_ERR_INTERNAL;

  sectrans_identity *identity = identity_new();
  if (identity == NULL)
    return SECTRANS_ERR_ALLOCATE;
  bssl.ERR_clear_error();
  X509 *x509 = NULL;
  CRYPTO_BUFFER *der = NULL;
  identity->key = generate_key(key_type);
  if (identity->key != NULL)
    x509 = new_self_signed(identity->key, common_name);
  if (x509 != NULL)
    der = buffer_of(x509);
  sectrans_status status = SECTRANS_SUCCESS;
  if (der == NULL)
    status = failure_status(SECTRANS_ERR_CRYPTO);
  else if (!identity_push(identity, x509, der))
    status = SECTRANS_ERR_ALLOCATE;
  if (status != SECTRANS_SUCCESS) {
    bssl.CRYPTO_BUFFER_free(der);
    bssl.X509_free(x509);
    identity_free(identity);
    return status;
  }
  *out = identity;
  return SECTRANS_SUCCESS;
}

/* ---- accessors --------------------------------------------------------------- */

sectrans_status sectrans_identity_get_certificate_count(
    const sectrans_identity *identity, size_t *count) {
  if (identity == NULL || count == NULL)
    return SECTRANS_ERR_PARAM;
  *count = identity->count;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_identity_copy_certificate(
    const sectrans_identity *identity, size_t index,
    sectrans_certificate **out) {
  if (out != NULL)
    *out = NULL;
  if (identity == NULL || out == NULL || index >= identity->count)
    return SECTRANS_ERR_PARAM;
  *out = certificate_wrap(identity->certs[index]);
  return *out != NULL ? SECTRANS_SUCCESS : SECTRANS_ERR_ALLOCATE;
}

sectrans_identity *sectrans_identity_retain(sectrans_identity *identity) {
  if (identity != NULL)
    object_retain(&identity->obj);
  return identity;
}

void sectrans_identity_release(sectrans_identity *identity) {
  if (identity != NULL && object_release(&identity->obj))
    identity_free(identity);
}
