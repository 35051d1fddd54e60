/*
 * internal.h: what the core's files share. Nothing here is public.
 *
 * The return rule, for every function of core/src (public or not):
 *
 * - A function that can fail returns sectrans_status: 0
 *   (SECTRANS_SUCCESS) on success, else the status that says why, as the
 *   public functions do (libtls-like: one convention, never 1 = success).
 *   Its results go through out-parameters. Callers compare the status
 *   with SECTRANS_SUCCESS; none reads it as a truth value (!f()).
 * - A predicate (is_..., has_..., or another name that asks the question:
 *   ..._is_..., ..._ok, verify_breaks_on_..., bad_handle) answers yes or no
 *   and is not a function that can fail: it returns int, 1 for yes, 0 for
 *   no.
 * - A function that computes a value (a length, a wire number, an
 *   X509_V_* code) returns it; one that returns a pointer returns NULL for
 *   "none", or on failure when its comment says which status NULL stands
 *   for (almost always -108).
 * - Callbacks BoringSSL or a BIO calls keep BoringSSL's conventions (they
 *   are marked as callbacks where they are defined).
 */
#ifndef SECTRANS_INTERNAL_H
#define SECTRANS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <sectrans/sectrans.h>

#include "bssl.h"

/* ---- object.c: the header every handle starts with ---------------------- */

enum object_kind {
  KIND_CONTEXT = 0x53540001,
  KIND_CONFIG,
  KIND_IDENTITY,
  KIND_CERTIFICATE,
  KIND_TRUST,
  KIND_TRUST_STORE
};

struct object {
  uint32_t kind;
  atomic_uint refs;
};

void object_init(struct object *obj, uint32_t kind);
/* Takes a reference on handle when it is an object of kind: handle, else
 * NULL. */
void *object_retain_kind(void *handle, uint32_t kind);
/* Drops a reference on handle when it is an object of kind, and frees it
 * (the kind's *_free) when that was the last one. */
void object_release_kind(void *handle, uint32_t kind);

/* The public retain and release of a handle type, written once: both check
 * the kind tag, release frees through object_release_kind. */
#define OBJECT_RETAIN_RELEASE(type, name, kind)                                \
  type *sectrans_##name##_retain(type *handle) {                               \
    return object_retain_kind(handle, kind);                                   \
  }                                                                            \
  void sectrans_##name##_release(type *handle) {                               \
    object_release_kind(handle, kind);                                         \
  }

/* 1 when handle is NULL or not an object of this kind. Every public function
 * checks its handles with it, so a handle of the wrong kind (a certificate
 * where an identity belongs) gives -50 instead of a crash. */
static inline int bad_handle(const void *handle, uint32_t kind) {
  return handle == NULL || ((const struct object *)handle)->kind != kind;
}

/* ---- bytes.c: byte buffers and the (buf, *len) output protocol ---------- */

/* Copies value into buf under the header's (buf, *len) protocol: -9817
 * with *len = value_len when buf is NULL or too small. */
sectrans_status copy_out(const void *value, size_t value_len, void *buf,
                         size_t *len);

/* Replaces *field (of *field_len bytes) with a copy of data: -108 on
 * allocation failure, leaving the old value. */
sectrans_status copy_in(uint8_t **field, size_t *field_len, const void *data,
                        size_t len);

/* A growable byte queue: bytes [start, len) of data are queued. */
struct bytes {
  uint8_t *data;
  size_t start, len, cap;
};

/* -108 on allocation failure. */
sectrans_status bytes_append(struct bytes *b, const void *data, size_t len);
/* Room for len more bytes at the tail (NULL on allocation failure); what
 * was written there joins the queue with bytes_commit. */
uint8_t *bytes_reserve(struct bytes *b, size_t len);
void bytes_commit(struct bytes *b, size_t len);
size_t bytes_queued(const struct bytes *b);
const uint8_t *bytes_head(const struct bytes *b);
void bytes_consume(struct bytes *b, size_t n);
void bytes_free(struct bytes *b);

/* ---- status.c ------------------------------------------------------------ */

/* The errSSLPeer* status for a TLS alert number received from the peer. */
sectrans_status status_from_peer_alert(int alert);
/* The status for BoringSSL's error queue after a failed call; writes the
 * reason text into detail. Clears the queue. */
sectrans_status status_from_error_queue(char *detail, size_t size);
/* After a failed parse or build: -108 when the queue says out of memory,
 * else otherwise. Clears the queue. */
sectrans_status status_or_allocate(sectrans_status otherwise);
/* The same for a password-protected input: -25293 when the queue says the
 * password was wrong. Clears the queue. */
sectrans_status status_of_password_failure(sectrans_status otherwise);

/* ---- certificate.c ------------------------------------------------------- */

struct sectrans_certificate {
  struct object obj;
  X509 *x509;
};

/* Wraps x509, taking one reference of it on success (X509_up_ref). NULL on
 * allocation failure. */
sectrans_certificate *certificate_wrap(X509 *x509);
void certificate_free(sectrans_certificate *cert);
/* Reads the next CERTIFICATE block of a PEM stream, skipping other blocks.
 * Returns 0 with *out a new X509 (and *der its DER when der is not NULL),
 * 0 with *out NULL at the end of the stream, -26275 for a block that does
 * not parse, or -108. Used by identity.c and trust_store.c too. */
sectrans_status certificate_read_pem(BIO *bio, X509 **out, CRYPTO_BUFFER **der);
/* Parses exactly one DER certificate (trailing bytes are an error):
 * SECTRANS_ERR_DECODE when it does not parse. */
sectrans_status certificate_parse_der(const uint8_t *data, size_t len,
                                      X509 **out, CRYPTO_BUFFER **der);

/* ---- identity.c ---------------------------------------------------------- */

struct sectrans_identity {
  struct object obj;
  EVP_PKEY *key;
  CRYPTO_BUFFER **chain; /* leaf first */
  X509 **certs;          /* the same chain, parsed */
  size_t count;
};

/* What every identity constructor does first: loads BoringSSL (-9810),
 * makes an empty identity (-108) and clears BoringSSL's error queue. */
sectrans_status identity_start(sectrans_identity **identity);
/* Appends one certificate, taking ownership of both forms on success;
 * -108 on allocation failure. */
sectrans_status identity_push(sectrans_identity *identity, X509 *x509,
                              CRYPTO_BUFFER *der);
/* The DER of a certificate, as the CRYPTO_BUFFER TLS sends; NULL on failure. */
CRYPTO_BUFFER *buffer_of(X509 *x509);
/* Installs key and chain on ssl; -9808 when BoringSSL refuses them. */
sectrans_status identity_install(const sectrans_identity *identity, SSL *ssl);
void identity_free(sectrans_identity *identity);

/* ---- trust_store.c ------------------------------------------------------- */

struct sectrans_trust_store {
  struct object obj;
  X509 **certs;
  size_t count;
  size_t capacity;
  atomic_int frozen;     /* set once a config or context uses it */
  pthread_mutex_t *lock; /* guards the lazy X509_STORE and fingerprint */
  X509_STORE *store;
  int has_fingerprint; /* fingerprint computed (under lock) */
  uint8_t fingerprint[32];
};

/* Marks the store as in use: later additions give -909. */
void trust_store_freeze(sectrans_trust_store *store);
/* The anchors as an X509_STORE, built on first use; owned by the store.
 * NULL on allocation failure. Thread-safe. */
X509_STORE *trust_store_x509(sectrans_trust_store *store);
void trust_store_free(sectrans_trust_store *store);
/* SHA-256 over the anchors' DER in order (computed once; freezes the
 * store). The session cache keys on it, so contexts that trust different
 * anchors never share sessions. -108 on allocation failure. */
sectrans_status trust_store_fingerprint(sectrans_trust_store *store,
                                        uint8_t out[32]);

/* ---- trust.c ------------------------------------------------------------- */

struct sectrans_trust {
  struct object obj;
  X509 **chain; /* as the peer sent it, leaf first */
  size_t count;
  /* The policy: what evaluating checks. */
  sectrans_trust_store *anchors; /* retained; NULL = the system store */
  int peer_is_server;
  char *host;          /* NULL = no name check */
  int64_t verify_time; /* 0 = now */
  /* The outcome. */
  int evaluated;
  sectrans_status result;
  int32_t verify_code;
  char detail[256];
};

/* A trust over the peer's certificates (copied references) with the given
 * policy (anchors may be NULL for the system store; host NULL for no name
 * check). NULL on allocation or parse failure. */
sectrans_trust *trust_create_from_buffers(const STACK_OF(CRYPTO_BUFFER) *certs,
                                          sectrans_trust_store *anchors,
                                          int peer_is_server, const char *host);

/* Verifies the chain under the trust's policy. Records and returns the
 * status; *alert (may be NULL) gets the TLS alert to send. */
sectrans_status trust_evaluate(sectrans_trust *trust, uint8_t *alert);
void trust_free(sectrans_trust *trust);
/* 1 when name is an IPv4 or IPv6 literal (checked against IP SANs and
 * never sent as SNI). */
int is_ip_literal(const char *name);

/* ---- settings.c: what a config holds and a context may override ---------- */

struct settings {
  int protocol_min; /* SECTRANS_PROTOCOL_TLS12 or _TLS13 */
  int protocol_max;
  int verify_mode;
  sectrans_identity *identity;   /* retained, may be NULL */
  sectrans_trust_store *anchors; /* retained; NULL = the system store */
  uint8_t *alpn;                 /* encoded list, NULL = none */
  size_t alpn_len;
  uint16_t *ciphers; /* NULL = BoringSSL's defaults */
  size_t cipher_count;
  unsigned options; /* bit (1 << sectrans_session_option) */
  int client_auth;  /* sectrans_authenticate */
  sectrans_keylog_func keylog;
  void *keylog_user;
};

/* 1 when a session option is on. */
#define SETTINGS_OPTION(s, option) (((s)->options >> (option)) & 1u)

/* Defines a public setter: lookup(handle, &status) finds the settings to
 * change (or says why not), then call applies the change to `s`. */
#define SETTINGS_SETTER(signature, lookup, handle, call)                       \
  sectrans_status signature {                                                  \
    sectrans_status status;                                                    \
    struct settings *s = lookup(handle, &status);                              \
    return s ? call : status;                                                  \
  }

void settings_init(struct settings *s);
/* Deep copy with references; -108 on allocation failure (dst then holds
 * nothing to free). */
sectrans_status settings_copy(struct settings *dst, const struct settings *src);
void settings_clear(struct settings *s);
sectrans_status settings_set_protocol_min(struct settings *s, int protocol);
sectrans_status settings_set_protocol_max(struct settings *s, int protocol);
sectrans_status settings_set_identity(struct settings *s,
                                      sectrans_identity *identity);
sectrans_status settings_set_anchors(struct settings *s,
                                     sectrans_trust_store *store);
sectrans_status settings_set_verify_mode(struct settings *s, int mode);
sectrans_status settings_set_alpn(struct settings *s, const void *list,
                                  size_t len);
sectrans_status settings_set_ciphers(struct settings *s, const uint16_t *suites,
                                     size_t count);
sectrans_status settings_set_option(struct settings *s, int option, int value);
sectrans_status settings_set_client_auth(struct settings *s, int auth);
sectrans_status settings_set_keylog(struct settings *s,
                                    sectrans_keylog_func func, void *user);
/* Applies versions, ciphers, ALPN (client) and identity to a new SSL. */
sectrans_status settings_apply(const struct settings *s, int side, SSL *ssl,
                               char *detail, size_t size);
/* BoringSSL version number for an SSLProtocol value, and back. */
uint16_t protocol_to_wire(int protocol);
int protocol_from_wire(uint16_t version);

/* ---- config.c ------------------------------------------------------------ */

struct sectrans_config {
  struct object obj;
  int side;
  atomic_int frozen;
  struct settings settings;
  SSL_CTX *ssl_ctx;        /* built when frozen */
  SSL_CTX *keylog_ssl_ctx; /* its key-logging twin, built when needed */
};

/* Freezes config and builds its SSL_CTX (once): -9810 when BoringSSL
 * cannot be loaded, -108 when the SSL_CTX cannot be built. */
sectrans_status config_freeze(sectrans_config *config);
/* The config's SSL_CTX with a key log callback (built once); NULL on
 * allocation failure. */
SSL_CTX *config_keylog_ssl_ctx(sectrans_config *config);
/* The process-wide default config of a side (built once); NULL on
 * failure. Not retained for the caller. */
sectrans_config *config_default(int side);
/* Frees a config whose last reference is gone. */
void config_free(sectrans_config *config);
/* ex_data slot on SSL objects that points back to the sectrans_context. */
int config_ssl_ex_index(void);

/* ---- transport.c --------------------------------------------------------- */

enum transport_kind {
  TRANSPORT_MEMORY = 0,
  TRANSPORT_CALLBACKS,
  TRANSPORT_FD
};

struct transport {
  int kind;
  sectrans_read_func read_func;
  sectrans_write_func write_func;
  const void *connection;
  int fd;
  struct bytes input; /* memory transport: fed and not yet framed */
  int input_eof;
  struct bytes output; /* the write queue: ciphertext not yet sent */
  /* Bytes at the head of input that form the record BoringSSL may read. */
  size_t ready;
  /* sectrans_close is taking in what already arrived: no read may wait. */
  int absorbing;
};

/* Makes one whole TLS record ready for BoringSSL at the head of the input
 * queue, asking the transport for exact amounts (header, then body) and
 * keeping partial progress. Returns 0, SECTRANS_WOULD_BLOCK, or the
 * end-of-stream / error status. */
sectrans_status transport_fetch_record(sectrans_context *ctx);
/* The BIO BoringSSL reads ready records from and writes the write queue
 * through; NULL on allocation failure. */
BIO *transport_bio_new(sectrans_context *ctx);
/* Frees unread input: a finished context never reads again. */
void transport_drop_input(struct transport *t);
/* Sends the write queue to the transport until it is empty or the
 * transport would block. Returns 0, SECTRANS_WOULD_BLOCK or an error. The
 * memory transport leaves it for sectrans_take_output and returns 0. */
sectrans_status transport_flush(sectrans_context *ctx);
void transport_clear(struct transport *t);
/* 1 when the transport may block the caller for more input: the callback
 * transport is Apple-exact and reads one more record after leftovers. */
int transport_reads_past_leftover(const struct transport *t);

/* ---- context.c ----------------------------------------------------------- */

/* Where a session is (docs/architecture.md, "The session state machine").
 * Finer than the public state, which phase_state() derives; session.c
 * tables every transition. */
enum phase {
  PHASE_IDLE,                 /* created, configured */
  PHASE_HANDSHAKE,            /* running */
  PHASE_BREAK_PEER_AUTH,      /* paused with -9841 */
  PHASE_BREAK_CERT_REQUESTED, /* paused with -9842 */
  PHASE_BREAK_CLIENT_HELLO,   /* paused with -9851 */
  PHASE_CONNECTED,
  PHASE_WRITE_CLOSED, /* connected; our close_notify went out */
  PHASE_CLOSED,
  PHASE_ABORTED, /* a read or write failed: -9806 from then on */
  PHASE_FAILED   /* the handshake failed: `saved` from then on */
};

/* What the phase does not say, and nothing derives. */
enum session_flag {
  FLAG_TRUST_ACCEPTED = 1u << 0,   /* sectrans_accept_peer_trust at -9841 */
  FLAG_CLIENT_HELLO_SEEN = 1u << 1 /* the ClientHello break happened */
};

struct sectrans_context {
  struct object obj;
  int side;

  /* Settings: a copy of the config's, changed by this context's setters,
   * and what only a context has. */
  sectrans_config *config; /* retained, frozen */
  struct settings settings;
  char *peer_name; /* NUL-terminated, NULL when unset */
  size_t peer_name_len;
  uint8_t *peer_id; /* client: the session cache's key */
  size_t peer_id_len;
  CRYPTO_BUFFER **dn; /* server: CA names for CertificateRequest */
  size_t dn_count;
  uint8_t *ocsp; /* server: the response to staple */
  size_t ocsp_len;

  /* I/O: BoringSSL's session, and the transport with its buffers (the
   * input queue and the write queue) under it. */
  SSL *ssl;
  struct transport transport;
  int wants; /* sectrans_wants of the last would-block */

  /* The session (session.c): its phase, the flags, and the one status it
   * keeps: in PHASE_FAILED the failure every call returns; in an open
   * phase a sectrans_set_error not yet acted on (0: none). */
  enum phase phase;
  unsigned flags; /* enum session_flag */
  sectrans_status saved;

  /* Verification (verify.c) and client certificates. */
  sectrans_trust *peer_trust;
  sectrans_status verify_failure; /* the verify callback's, outranks the
                                     error queue's reading */
  int client_cert; /* sectrans_client_cert_state as this side knows
                              it (a server derives the rest) */

  /* Learned from the peer. */
  char *requested_name; /* server: SNI from the ClientHello */

  char detail[256]; /* sectrans_context_error_detail */
};

/* The public state (sectrans_session_state) of a phase. */
int phase_state(enum phase phase);

/* ---- callbacks.c: BoringSSL's callbacks, dispatched to the context ------- */

/* The context an SSL belongs to (never NULL for sectrans' SSL objects). */
sectrans_context *context_of(const SSL *ssl);
/* Installs the SSL_CTX-wide callbacks on a config's SSL_CTX. */
void callbacks_install(SSL_CTX *ssl_ctx, int side, int log_keys);

/* ---- verify.c: the verification policy ----------------------------------- */

/* 1 when the handshake stops with -9841 for the caller's verdict
 * (BREAK_ON_SERVER_AUTH on a client, BREAK_ON_CLIENT_AUTH on a server). */
int verify_breaks_on_peer_auth(const sectrans_context *ctx);
/* 1 when a client stops with -9842 at a certificate request (it also needs
 * to have no identity for that). */
int verify_breaks_on_cert_request(const sectrans_context *ctx);
/* 1 when a client would verify names but has no peer name: the handshake
 * is refused with -9848 before a byte is sent. */
int verify_is_missing_peer_name(const sectrans_context *ctx);
/* The verification settings a client's session cache key includes, so a
 * context that verifies differently never resumes another's session. */
void verify_cache_policy(const sectrans_context *ctx, uint32_t out[2]);
/* Installs the verify callback on ctx->ssl when the handshake starts. */
void verify_install(sectrans_context *ctx);

/* ---- session_cache.c: the process-wide client session cache -------------- */

/* The key of a context's sessions: peer ID, peer name and the verification
 * settings. -9804 when the context has no peer ID (nothing is cached). */
sectrans_status session_cache_key(sectrans_context *ctx, uint8_t key[32]);
/* A session for key (the caller owns the returned reference), or NULL.
 * Single-use sessions (TLS 1.3 tickets) leave the cache. */
SSL_SESSION *session_cache_take(const uint8_t key[32]);
/* Stores session under key, taking the caller's reference. */
void session_cache_put(const uint8_t key[32], SSL_SESSION *session);

/* Frees a context whose last reference is gone. */
void context_free(sectrans_context *ctx);
/* Writes a formatted reason into ctx->detail. */
void context_set_detail(sectrans_context *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* verify.c: a trust over the peer's chain with this context's policy;
 * NULL on allocation failure. */
sectrans_trust *context_peer_trust_create(sectrans_context *ctx);
/* The settings a setter may change, or NULL with *status -50 (NULL ctx)
 * or -909 (session active). */
struct settings *context_settings(sectrans_context *ctx,
                                  sectrans_status *status);
/* session.c: the status a closed (-9805) or failed (its saved status)
 * context answers every call with; 0 while it is open. */
sectrans_status session_end_status(const sectrans_context *ctx);
/* 1 while the session is active (setters then give -909). */
int context_is_active(const sectrans_context *ctx);

#endif
