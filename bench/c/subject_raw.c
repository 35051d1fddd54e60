/*
 * subject_raw.c: the baseline, raw BoringSSL over memory BIOs (or, built
 * against OpenSSL 3's headers, the same code over OpenSSL 3 as a second
 * reference).
 *
 * It is configured the way sectrans configures BoringSSL for the same work
 * (core/src/config.c, callbacks.c, session.c, settings.c), minus what
 * sectrans adds on its own: the same protocol range, cipher string, verify
 * algorithm preferences, default groups and ticket count; a client that
 * verifies with SSL_VERIFY_PEER against the same CA, with SSL_set1_host and
 * never the subject CN, sends SNI, asks for OCSP and offers no TLS 1.2
 * ticket; a client session cache in external mode; a server that sends its
 * tickets with an empty write after the handshake. No key log,
 * select-certificate or cert callback.
 * The few calls that differ in OpenSSL 3 are the compat_* functions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bench.h"

struct raw {
  SSL_CTX *client_ctx;
  SSL_CTX *server_ctx;
  SSL *ssl[2]; /* indexed by enum side */
  int use_cache;
  int server_done;     /* its tickets went out */
  SSL_SESSION *ticket; /* the client cache: one slot, the newest ticket */
  char error[256];
  uint8_t wire[BENCH_WIRE_CHUNK];
};

/* What sectrans sets (config.c): no 3DES, PSK or static-RSA suites, and
 * Ed25519 added to BoringSSL's verify preferences. */
static const char cipher_list[] = "ALL:!3DES:!aPSK:!kRSA";

#ifdef OPENSSL_IS_BORINGSSL
#define RAW_NAME "boringssl"

static const uint16_t verify_prefs[] = {
    SSL_SIGN_ECDSA_SECP256R1_SHA256,
    SSL_SIGN_RSA_PSS_RSAE_SHA256,
    SSL_SIGN_RSA_PKCS1_SHA256,
    SSL_SIGN_ECDSA_SECP384R1_SHA384,
    SSL_SIGN_RSA_PSS_RSAE_SHA384,
    SSL_SIGN_RSA_PKCS1_SHA384,
    SSL_SIGN_RSA_PSS_RSAE_SHA512,
    SSL_SIGN_RSA_PKCS1_SHA512,
    SSL_SIGN_ED25519,
};

static int compat_configure_ctx(SSL_CTX *ctx) {
  return SSL_CTX_set_verify_algorithm_prefs(ctx, verify_prefs,
                                            sizeof(verify_prefs) /
                                                sizeof(verify_prefs[0])) &&
         SSL_CTX_set_strict_cipher_list(ctx, cipher_list);
}

/* sectrans's default (SECTRANS_OPTION_ENABLE_SESSION_TICKETS off): no TLS
 * 1.2 ticket extension; TLS 1.3 tickets are not affected. */
static void compat_configure_client_ctx(SSL_CTX *ctx) {
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
}

static void compat_request_ocsp(SSL *ssl) { SSL_enable_ocsp_stapling(ssl); }

/* BoringSSL holds a TLS 1.3 server's tickets until its first write; sectrans
 * sends them the same way when its handshake completes. */
static void compat_send_tickets(SSL *ssl) { SSL_write(ssl, "", 0); }

static uint16_t compat_group(const SSL *ssl) { return SSL_get_curve_id(ssl); }

static void compat_before_free(SSL *ssl) { (void)ssl; }

#else /* OpenSSL 3 */
#define RAW_NAME "openssl3"

/* verify_prefs in OpenSSL's words; its default TLS 1.3 suite is AES-256. */
static int compat_configure_ctx(SSL_CTX *ctx) {
  return SSL_CTX_set1_sigalgs_list(
             ctx, "ECDSA+SHA256:rsa_pss_rsae_sha256:RSA+SHA256:ECDSA+SHA384:"
                  "rsa_pss_rsae_sha384:RSA+SHA384:rsa_pss_rsae_sha512:"
                  "RSA+SHA512:ed25519") &&
         SSL_CTX_set_cipher_list(ctx, cipher_list) &&
         SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256");
}

/* In OpenSSL 3, SSL_OP_NO_TICKET would change TLS 1.3 tickets too. */
static void compat_configure_client_ctx(SSL_CTX *ctx) { (void)ctx; }

static void compat_request_ocsp(SSL *ssl) {
  SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
}

/* OpenSSL's server sends its tickets within the handshake. */
static void compat_send_tickets(SSL *ssl) { (void)ssl; }

static uint16_t compat_group(const SSL *ssl) {
  return SSL_get_negotiated_group((SSL *)ssl) == NID_X25519 ? BENCH_X25519 : 0;
}

/* OpenSSL marks the session of a connection freed without a shutdown as
 * not resumable, and in TLS 1.3 that is the newest ticket; connections here
 * end without close_notify on both subjects, so say the session is sound. */
static void compat_before_free(SSL *ssl) {
  if (ssl != NULL)
    SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
}
#endif

static int set_error(struct raw *raw, const char *what) {
  uint32_t err = ERR_get_error();
  snprintf(raw->error, sizeof(raw->error), "%s%s%s", what, err ? ": " : "",
           err ? ERR_reason_error_string(err) : "");
  ERR_clear_error();
  return 0;
}

static X509 *x509_from_pem(const char *pem) {
  BIO *bio = BIO_new_mem_buf(pem, -1);
  X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
  BIO_free(bio);
  return cert;
}

static EVP_PKEY *key_from_pem(const char *pem) {
  BIO *bio = BIO_new_mem_buf(pem, -1);
  EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
  BIO_free(bio);
  return key;
}

static SSL_CTX *new_ctx(void) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  if (ctx != NULL && SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) &&
      SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) &&
      compat_configure_ctx(ctx))
    return ctx;
  SSL_CTX_free(ctx);
  return NULL;
}

/* The client cache: keeps the newest ticket when the connection uses it. */
static int keep_ticket(SSL *ssl, SSL_SESSION *session) {
  struct raw *raw = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
  if (!raw->use_cache)
    return 0; /* BoringSSL frees it */
  SSL_SESSION_free(raw->ticket);
  raw->ticket = session;
  return 1;
}

static int setup_client(struct raw *raw, const struct pki *pki) {
  X509 *ca = x509_from_pem(pki->ca_pem);
  int ok = ca != NULL && (raw->client_ctx = new_ctx()) != NULL &&
           X509_STORE_add_cert(SSL_CTX_get_cert_store(raw->client_ctx), ca);
  X509_free(ca);
  if (!ok)
    return 0;
  SSL_CTX_set_verify(raw->client_ctx, SSL_VERIFY_PEER, NULL);
  compat_configure_client_ctx(raw->client_ctx);
  SSL_CTX_set_session_cache_mode(
      raw->client_ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
  SSL_CTX_sess_set_new_cb(raw->client_ctx, keep_ticket);
  return SSL_CTX_set_app_data(raw->client_ctx, raw);
}

static int setup_server(struct raw *raw, const struct pki *pki) {
  X509 *leaf = x509_from_pem(pki->leaf_pem);
  EVP_PKEY *key = key_from_pem(pki->key_pem);
  int ok = leaf != NULL && key != NULL &&
           (raw->server_ctx = new_ctx()) != NULL &&
           SSL_CTX_use_certificate(raw->server_ctx, leaf) &&
           SSL_CTX_use_PrivateKey(raw->server_ctx, key);
  X509_free(leaf);
  EVP_PKEY_free(key);
  return ok;
}

static void raw_destroy(void *self);

static void *raw_create(const struct pki *pki) {
  struct raw *raw = calloc(1, sizeof(*raw));
  if (raw == NULL || !setup_client(raw, pki) || !setup_server(raw, pki)) {
    bench_fail(RAW_NAME, "could not build the SSL_CTXs");
    raw_destroy(raw);
    return NULL;
  }
  return raw;
}

static void raw_disconnect(void *self) {
  struct raw *raw = self;
  for (int side = 0; side < 2; side++) {
    compat_before_free(raw->ssl[side]);
    SSL_free(raw->ssl[side]); /* frees its BIOs too */
    raw->ssl[side] = NULL;
  }
}

static void raw_destroy(void *self) {
  struct raw *raw = self;
  if (raw == NULL)
    return;
  raw_disconnect(raw);
  SSL_SESSION_free(raw->ticket);
  SSL_CTX_free(raw->client_ctx);
  SSL_CTX_free(raw->server_ctx);
  free(raw);
}

/* An SSL over two memory BIOs whose emptiness means "wait", not EOF. */
static SSL *new_ssl(SSL_CTX *ctx) {
  SSL *ssl = SSL_new(ctx);
  BIO *rbio = BIO_new(BIO_s_mem());
  BIO *wbio = BIO_new(BIO_s_mem());
  if (ssl == NULL || rbio == NULL || wbio == NULL) {
    SSL_free(ssl);
    BIO_free(rbio);
    BIO_free(wbio);
    return NULL;
  }
  BIO_set_mem_eof_return(rbio, -1);
  BIO_set_mem_eof_return(wbio, -1);
  SSL_set_bio(ssl, rbio, wbio);
  return ssl;
}

static int configure_client(struct raw *raw, SSL *ssl, const char *host) {
  if (!SSL_set_tlsext_host_name(ssl, host) || !SSL_set1_host(ssl, host))
    return 0;
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
  compat_request_ocsp(ssl);
  SSL_set_connect_state(ssl);
  if (raw->use_cache && raw->ticket != NULL) {
    int ok = SSL_set_session(ssl, raw->ticket);
    SSL_SESSION_free(raw->ticket); /* TLS 1.3 tickets are used once */
    raw->ticket = NULL;
    return ok;
  }
  return 1;
}

static int raw_connect(void *self, const char *host, int use_cache) {
  struct raw *raw = self;
  raw->use_cache = use_cache;
  raw->server_done = 0;
  raw->ssl[SIDE_CLIENT] = new_ssl(raw->client_ctx);
  raw->ssl[SIDE_SERVER] = new_ssl(raw->server_ctx);
  if (raw->ssl[SIDE_CLIENT] == NULL || raw->ssl[SIDE_SERVER] == NULL ||
      !configure_client(raw, raw->ssl[SIDE_CLIENT], host)) {
    raw_disconnect(raw);
    return set_error(raw, "could not create the connection");
  }
  SSL_set_accept_state(raw->ssl[SIDE_SERVER]);
  return 1;
}

static int raw_handshake_step(void *self, enum side side) {
  struct raw *raw = self;
  SSL *ssl = raw->ssl[side];
  int ret = SSL_do_handshake(ssl);
  if (ret == 1) {
    if (side == SIDE_SERVER && !raw->server_done) {
      compat_send_tickets(ssl);
      raw->server_done = 1;
    }
    return 1;
  }
  if (SSL_get_error(ssl, ret) == SSL_ERROR_WANT_READ)
    return 0;
  set_error(raw, side == SIDE_CLIENT ? "client handshake" : "server handshake");
  return -1;
}

static int raw_transfer(void *self, enum side from) {
  struct raw *raw = self;
  BIO *out = SSL_get_wbio(raw->ssl[from]);
  BIO *in = SSL_get_rbio(raw->ssl[!from]);
  for (;;) {
    int n = BIO_read(out, raw->wire, sizeof(raw->wire));
    if (n <= 0)
      return 1;
    if (BIO_write(in, raw->wire, n) != n)
      return set_error(raw, "BIO_write");
  }
}

static int raw_send(void *self, enum side side, const void *data, size_t len) {
  struct raw *raw = self;
  if (SSL_write(raw->ssl[side], data, (int)len) != (int)len)
    return set_error(raw, "SSL_write");
  return 1;
}

static int raw_receive(void *self, enum side side, void *buf, size_t len,
                       size_t *got) {
  struct raw *raw = self;
  int ret = SSL_read(raw->ssl[side], buf, (int)len);
  *got = ret > 0 ? (size_t)ret : 0;
  if (ret > 0 || SSL_get_error(raw->ssl[side], ret) == SSL_ERROR_WANT_READ)
    return 1;
  return set_error(raw, "SSL_read");
}

static int raw_negotiated(void *self, struct negotiated *out) {
  struct raw *raw = self;
  SSL *client = raw->ssl[SIDE_CLIENT];
  const SSL_CIPHER *cipher = SSL_get_current_cipher(client);
  out->version = (uint16_t)SSL_version(client);
  out->cipher = cipher ? SSL_CIPHER_get_protocol_id(cipher) : 0;
  out->group = compat_group(client);
  out->client_resumed = SSL_session_reused(client);
  out->server_resumed = SSL_session_reused(raw->ssl[SIDE_SERVER]);
  return 1;
}

static int raw_failed_on_host_name(void *self) {
  struct raw *raw = self;
  return SSL_get_verify_result(raw->ssl[SIDE_CLIENT]) ==
         X509_V_ERR_HOSTNAME_MISMATCH;
}

static const char *raw_last_error(void *self) {
  return ((struct raw *)self)->error;
}

const struct subject raw_subject = {
    .name = RAW_NAME,
    .create = raw_create,
    .destroy = raw_destroy,
    .connect = raw_connect,
    .disconnect = raw_disconnect,
    .handshake_step = raw_handshake_step,
    .transfer = raw_transfer,
    .send = raw_send,
    .receive = raw_receive,
    .negotiated = raw_negotiated,
    .failed_on_host_name = raw_failed_on_host_name,
    .last_error = raw_last_error,
};
