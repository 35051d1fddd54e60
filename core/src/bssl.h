/*
 * bssl.h: BoringSSL, reached only through one table of function pointers.
 *
 * sectrans never links BoringSSL: Debian's build exports the same names as
 * OpenSSL 3, and a process that loaded OpenSSL first would bind our calls to
 * it. loader.c opens BoringSSL privately (RTLD_LOCAL | RTLD_DEEPBIND) and
 * fills `bssl`; every call goes through it, spelled bssl.SSL_new(...).
 * The headers are used for types and constants only. A stray direct call
 * (or a header inline that calls one) fails the link, which uses
 * --no-undefined.
 */
#ifndef SECTRANS_BSSL_H
#define SECTRANS_BSSL_H

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bytestring.h>
#include <openssl/crypto.h>
#include <openssl/curve25519.h>
#include <openssl/digest.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/pem.h>
#include <openssl/pkcs8.h> /* PKCS12_get_key_and_certs */
#include <openssl/pool.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/stack.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <sectrans/sectrans.h>

struct bssl_table {
#define BSSL_FN(name) __typeof__(name) *name;
#include "bssl_functions.h"
#undef BSSL_FN
};

/* The table. Valid after bssl_load() succeeded; read-only afterwards. */
extern struct bssl_table bssl;

/* Loads BoringSSL once per process (thread-safe). Returns 0 when the table
 * is ready, -9810 when loading failed (sectrans_load_error() says why). */
sectrans_status bssl_load(void);

#endif
