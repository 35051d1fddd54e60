/*
 * self_signed.c: a fresh key and a self-signed leaf for it, in memory, for
 * tests and demos (sectrans_identity_create_self_signed).
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

/* RFC 5280's upper bound for a commonName (ub-common-name). */
#define MAX_COMMON_NAME 64

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
  EVP_PKEY *key = bssl.EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL,
                                                    private_key, 32);
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
static sectrans_status set_random_serial(X509 *x509) {
  uint64_t serial = 0;
  if (!bssl.RAND_bytes((uint8_t *)&serial, sizeof(serial)))
    return SECTRANS_ERR_CRYPTO;
  serial = (serial >> 1) | 1; /* positive and never zero */
  return bssl.ASN1_INTEGER_set_uint64(bssl.X509_get_serialNumber(x509), serial)
             ? SECTRANS_SUCCESS
             : SECTRANS_ERR_CRYPTO;
}

/* Subject and issuer are both CN=name. A name too long for a commonName is
 * left out of the subject and lives only in the subjectAltName. */
static sectrans_status set_names(X509 *x509, const char *common_name) {
  X509_NAME *name = bssl.X509_NAME_new();
  if (name == NULL)
    return SECTRANS_ERR_ALLOCATE;
  int ok = 1;
  if (strlen(common_name) <= MAX_COMMON_NAME)
    ok = bssl.X509_NAME_add_entry_by_txt(
        name, "CN", MBSTRING_UTF8, (const uint8_t *)common_name, -1, -1, 0);
  ok = ok && bssl.X509_set_subject_name(x509, name) &&
       bssl.X509_set_issuer_name(x509, name);
  bssl.X509_NAME_free(name);
  return ok ? SECTRANS_SUCCESS : SECTRANS_ERR_CRYPTO;
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
static sectrans_status add_subject_alt_name(X509 *x509, const char *host,
                                            int critical) {
  GENERAL_NAMES *names = (GENERAL_NAMES *)bssl.sk_new_null();
  GENERAL_NAME *name = new_general_name(host);
  int ok = names != NULL && name != NULL &&
           bssl.sk_push((_STACK *)names, name) != 0;
  if (!ok)
    bssl.GENERAL_NAME_free(name); /* not in the stack */
  ok = ok && bssl.X509_add1_ext_i2d(x509, NID_subject_alt_name, names, critical,
                                    X509V3_ADD_DEFAULT);
  if (names != NULL)
    bssl.GENERAL_NAMES_free(names);
  return ok ? SECTRANS_SUCCESS : SECTRANS_ERR_CRYPTO;
}

static sectrans_status add_not_a_ca(X509 *x509) {
  BASIC_CONSTRAINTS *constraints = bssl.BASIC_CONSTRAINTS_new();
  if (constraints == NULL)
    return SECTRANS_ERR_ALLOCATE;
  constraints->ca = 0;
  int ok = bssl.X509_add1_ext_i2d(x509, NID_basic_constraints, constraints, 1,
                                  X509V3_ADD_DEFAULT);
  bssl.BASIC_CONSTRAINTS_free(constraints);
  return ok ? SECTRANS_SUCCESS : SECTRANS_ERR_CRYPTO;
}

/* Version, validity (from an hour ago, for clock skew, to 30 days) and
 * public key. */
static sectrans_status set_basics(X509 *x509, EVP_PKEY *key) {
  return bssl.X509_set_version(x509, X509_VERSION_3) &&
                 bssl.X509_gmtime_adj(bssl.X509_getm_notBefore(x509), -3600) &&
                 bssl.X509_gmtime_adj(bssl.X509_getm_notAfter(x509),
                                      30L * 86400 - 3600) &&
                 bssl.X509_set_pubkey(x509, key)
             ? SECTRANS_SUCCESS
             : SECTRANS_ERR_CRYPTO;
}

static sectrans_status fill_and_sign(X509 *x509, EVP_PKEY *key,
                                     const char *host) {
  /* Ed25519 signs the message itself: no separate digest. */
  const EVP_MD *digest = bssl.EVP_PKEY_id(key) == EVP_PKEY_ED25519
                             ? NULL
                             : bssl.EVP_sha256();
  sectrans_status status = set_basics(x509, key);
  if (status == SECTRANS_SUCCESS)
    status = set_random_serial(x509);
  if (status == SECTRANS_SUCCESS)
    status = set_names(x509, host);
  if (status == SECTRANS_SUCCESS)
    status = add_subject_alt_name(x509, host, strlen(host) > MAX_COMMON_NAME);
  if (status == SECTRANS_SUCCESS)
    status = add_not_a_ca(x509);
  if (status == SECTRANS_SUCCESS && bssl.X509_sign(x509, key, digest) <= 0)
    status = SECTRANS_ERR_CRYPTO;
  return status;
}

/* A signed leaf for host; NULL on failure (the error queue says why). */
static X509 *new_self_signed(EVP_PKEY *key, const char *host) {
  X509 *x509 = bssl.X509_new();
  if (x509 != NULL && fill_and_sign(x509, key, host) == SECTRANS_SUCCESS)
    return x509;
  bssl.X509_free(x509);
  return NULL;
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
  sectrans_identity *identity;
  sectrans_status status = identity_start(&identity);
  if (status != SECTRANS_SUCCESS)
    return status;
  X509 *x509 = NULL;
  CRYPTO_BUFFER *der = NULL;
  identity->key = generate_key(key_type);
  if (identity->key != NULL)
    x509 = new_self_signed(identity->key, common_name);
  if (x509 != NULL)
    der = buffer_of(x509);
  if (der == NULL)
    status = status_or_allocate(SECTRANS_ERR_CRYPTO);
  else if (identity_push(identity, x509, der) != SECTRANS_SUCCESS)
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
