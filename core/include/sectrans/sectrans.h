/*
 * sectrans.h: the stable C ABI of libsectrans.so.1.
 *
 * Secure Transport's session model (a context, two I/O callbacks, handshake,
 * read, write, close) over BoringSSL, with TLS 1.2 and 1.3 and verification
 * that cannot be forgotten.
 *
 * Conventions, true of every function below unless its comment says otherwise:
 *
 *  - Fallible functions return a sectrans_status (int32_t) whose numbers are
 *    Secure Transport's OSStatus codes. 0 is success.
 *  - A NULL handle or a NULL required pointer gives SECTRANS_ERR_PARAM. A call
 *    in the wrong state gives SECTRANS_ERR_BAD_REQ. A length above its
 *    documented maximum gives SECTRANS_ERR_PARAM before any memory is touched.
 *  - Handles are reference counted. A function named *_create or *_copy_*
 *    hands the caller one reference, which the caller gives back with the
 *    matching *_release (or sectrans_release). Releasing NULL does nothing.
 *    Releasing more often than retained is a caller bug, like a double free.
 *  - Functions taking a handle as input retain it when they keep it, so the
 *    caller may release its own reference straight after the call.
 *  - Variable-length outputs use one protocol: (buf, *len). On entry *len is
 *    the size of buf; on return *len is the full size of the value. When buf
 *    is NULL or too small the function returns SECTRANS_ERR_BUFFER_OVERFLOW
 *    and writes nothing, so a caller may ask for the size first.
 *  - Text outputs are not NUL-terminated (the length says where they end).
 *  - Error detail lives on the handle (sectrans_context_error_detail), never
 *    in thread-local state.
 *  - Threads: a context is used by one thread at a time. Configs, identities,
 *    certificates and trust stores are immutable once shared and may be used
 *    from any number of threads.
 */
#ifndef SECTRANS_SECTRANS_H
#define SECTRANS_SECTRANS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SECTRANS_API __attribute__((visibility("default")))
#else
#define SECTRANS_API
#endif

/* ---------------------------------------------------------------------- */
/* Versions                                                                */

#define SECTRANS_VERSION_MAJOR 1
#define SECTRANS_VERSION_MINOR 0
#define SECTRANS_VERSION_PATCH 0
/* MAJOR * 10000 + MINOR * 100 + PATCH. */
#define SECTRANS_VERSION_NUMBER                                                \
  (SECTRANS_VERSION_MAJOR * 10000 + SECTRANS_VERSION_MINOR * 100 +             \
   SECTRANS_VERSION_PATCH)

typedef int32_t sectrans_status;

/* sectrans_version returns the library's SECTRANS_VERSION_NUMBER, which may
 * be newer than the header a program was built with. */
SECTRANS_API uint32_t sectrans_version(void);

/* sectrans_load_error returns NULL once BoringSSL is loaded, else a static
 * sentence saying why it could not be (the dlopen or dlsym message). Loading
 * happens once per process, on the first call that needs BoringSSL; the
 * environment variable SECTRANS_BORINGSSL_DIR names another directory
 * holding libssl.so.0 and libcrypto.so.0. Any thread. */
SECTRANS_API const char *sectrans_load_error(void);

/* sectrans_check_version returns 0 when the running library can serve a
 * program built against header version major.minor (same major, minor not
 * newer than the library's), else SECTRANS_ERR_BAD_CONFIGURATION. Bindings
 * call SECTRANS_CHECK_VERSION() when they load. */
SECTRANS_API sectrans_status sectrans_check_version(uint32_t major,
                                                    uint32_t minor);
#define SECTRANS_CHECK_VERSION()                                               \
  sectrans_check_version(SECTRANS_VERSION_MAJOR, SECTRANS_VERSION_MINOR)

/* ---------------------------------------------------------------------- */
/* Status codes: Secure Transport's numbers                                 */

enum sectrans_status_code {
  SECTRANS_SUCCESS = 0,
  SECTRANS_ERR_UNIMPLEMENTED = -4,
  SECTRANS_ERR_IO = -36,
  SECTRANS_ERR_PARAM = -50,
  SECTRANS_ERR_ALLOCATE = -108,
  SECTRANS_ERR_BAD_REQ = -909,
  SECTRANS_ERR_AUTH_FAILED = -25293, /* wrong password */
  SECTRANS_ERR_DECODE = -26275,      /* input could not be decoded */
  SECTRANS_ERR_CERTIFICATE_EXPIRED = -67818,
  SECTRANS_ERR_CERTIFICATE_REVOKED = -67820,

  SECTRANS_ERR_PROTOCOL = -9800,
  SECTRANS_ERR_NEGOTIATION = -9801,
  SECTRANS_ERR_FATAL_ALERT = -9802,
  SECTRANS_WOULD_BLOCK = -9803, /* not fatal: call again */
  SECTRANS_ERR_SESSION_NOT_FOUND = -9804,
  SECTRANS_CLOSED_GRACEFUL = -9805, /* close_notify seen or sent */
  SECTRANS_CLOSED_ABORT = -9806,    /* closed by error or EOF */
  SECTRANS_ERR_X_CERT_CHAIN_INVALID = -9807,
  SECTRANS_ERR_BAD_CERT = -9808,
  SECTRANS_ERR_CRYPTO = -9809,
  SECTRANS_ERR_INTERNAL = -9810,
  SECTRANS_ERR_MODULE_ATTACH = -9811,
  SECTRANS_ERR_UNKNOWN_ROOT_CERT = -9812,
  SECTRANS_ERR_NO_ROOT_CERT = -9813,
  SECTRANS_ERR_CERT_EXPIRED = -9814,
  SECTRANS_ERR_CERT_NOT_YET_VALID = -9815,
  SECTRANS_CLOSED_NO_NOTIFY = -9816,
  SECTRANS_ERR_BUFFER_OVERFLOW = -9817,
  SECTRANS_ERR_BAD_CIPHER_SUITE = -9818,
  SECTRANS_ERR_PEER_UNEXPECTED_MSG = -9819,
  SECTRANS_ERR_PEER_BAD_RECORD_MAC = -9820,
  SECTRANS_ERR_PEER_DECRYPTION_FAIL = -9821,
  SECTRANS_ERR_PEER_RECORD_OVERFLOW = -9822,
  SECTRANS_ERR_PEER_DECOMPRESS_FAIL = -9823,
  SECTRANS_ERR_PEER_HANDSHAKE_FAIL = -9824,
  SECTRANS_ERR_PEER_BAD_CERT = -9825,
  SECTRANS_ERR_PEER_UNSUPPORTED_CERT = -9826,
  SECTRANS_ERR_PEER_CERT_REVOKED = -9827,
  SECTRANS_ERR_PEER_CERT_EXPIRED = -9828,
  SECTRANS_ERR_PEER_CERT_UNKNOWN = -9829,
  SECTRANS_ERR_ILLEGAL_PARAM = -9830,
  SECTRANS_ERR_PEER_UNKNOWN_CA = -9831,
  SECTRANS_ERR_PEER_ACCESS_DENIED = -9832,
  SECTRANS_ERR_PEER_DECODE_ERROR = -9833,
  SECTRANS_ERR_PEER_DECRYPT_ERROR = -9834,
  SECTRANS_ERR_PEER_EXPORT_RESTRICTION = -9835,
  SECTRANS_ERR_PEER_PROTOCOL_VERSION = -9836,
  SECTRANS_ERR_PEER_INSUFFICIENT_SECURITY = -9837,
  SECTRANS_ERR_PEER_INTERNAL_ERROR = -9838,
  SECTRANS_ERR_PEER_USER_CANCELLED = -9839,
  SECTRANS_ERR_PEER_NO_RENEGOTIATION = -9840,
  SECTRANS_PEER_AUTH_COMPLETED = -9841,   /* break point: not fatal */
  SECTRANS_CLIENT_CERT_REQUESTED = -9842, /* break point: not fatal */
  SECTRANS_ERR_HOST_NAME_MISMATCH = -9843,
  SECTRANS_ERR_CONNECTION_REFUSED = -9844,
  SECTRANS_ERR_DECRYPTION_FAIL = -9845,
  SECTRANS_ERR_BAD_RECORD_MAC = -9846,
  SECTRANS_ERR_RECORD_OVERFLOW = -9847,
  SECTRANS_ERR_BAD_CONFIGURATION = -9848,
  SECTRANS_ERR_UNEXPECTED_RECORD = -9849,
  SECTRANS_ERR_WEAK_PEER_EPHEMERAL_DH_KEY = -9850,
  SECTRANS_CLIENT_HELLO_RECEIVED = -9851, /* break point: not fatal */
  SECTRANS_ERR_TRANSPORT_RESET = -9852,
  SECTRANS_ERR_NETWORK_TIMEOUT = -9853,
  SECTRANS_ERR_CONFIGURATION_FAILED = -9854,
  SECTRANS_ERR_UNSUPPORTED_EXTENSION = -9855,
  SECTRANS_ERR_UNEXPECTED_MESSAGE = -9856,
  SECTRANS_ERR_DECOMPRESS_FAIL = -9857,
  SECTRANS_ERR_HANDSHAKE_FAIL = -9858,
  SECTRANS_ERR_DECODE_ERROR = -9859,
  SECTRANS_ERR_INAPPROPRIATE_FALLBACK = -9860,
  SECTRANS_ERR_MISSING_EXTENSION = -9861,
  SECTRANS_ERR_BAD_CERTIFICATE_STATUS_RESPONSE = -9862,
  SECTRANS_ERR_CERTIFICATE_REQUIRED = -9863,
  SECTRANS_ERR_UNKNOWN_PSK_IDENTITY = -9864,
  SECTRANS_ERR_UNRECOGNIZED_NAME = -9865,
  SECTRANS_ERR_EARLY_DATA_REJECTED = -9890
};

/* sectrans_status_string returns the Apple name of a status code, such as
 * "errSSLWouldBlock", or "unknown status" for a number that is not one. The
 * string is static. Any thread, any time. */
SECTRANS_API const char *sectrans_status_string(sectrans_status status);

/* sectrans_status_description returns a short English sentence for a status
 * code (static storage), or "unknown status". */
SECTRANS_API const char *sectrans_status_description(sectrans_status status);

/* ---- 1.1: status categories (SECTRANS_1.1) ---------------------------- */

/* What kind of outcome a status is, so that callers and bindings need no
 * lists of their own. Each status has exactly one category (the table in
 * core/src/status.c):
 *   SUCCESS        0 (errSecSuccess)
 *   WOULD_BLOCK    -9803: not fatal, call again when the transport is ready
 *   BREAK          a break point, not fatal: -9841 PeerAuthCompleted,
 *                  -9842 ClientCertRequested, -9851 ClientHelloReceived
 *   CLOSED         the session ended: -9805 graceful, -9806 abort,
 *                  -9816 closed with no notify
 *   CERTIFICATE    our verification of the peer's certificate failed (by
 *                  the core or by the caller's sectrans_set_error): -9807,
 *                  -9812, -9813, -9814, -9815, -9843, -67818, -67820.
 *                  Not -9808 errSSLBadCert (an undecodable certificate or
 *                  key, or a key that does not match: CONFIGURATION), and
 *                  not the peer's alerts about our certificate (PROTOCOL)
 *   PROTOCOL       the TLS exchange failed: errSSLProtocol, negotiation,
 *                  record errors, every alert received from the peer
 *                  (-9819..-9840, -9855..-9865), -9802, -9804, -9809,
 *                  -9830, -9845..-9847, -9849, -9850, -9890
 *   IO             the transport failed: -36 errSecIO, -9844, -9852, -9853
 *   CONFIGURATION  what the caller configured or gave is unusable: -9848,
 *                  -9854, -9818, -9808, -26275 errSecDecode, -25293
 *                  errSecAuthFailed (wrong password)
 *   PARAMETER      a misuse of the API: -50 errSecParam, -909 errSecBadReq,
 *                  -9817 buffer too small, -4 errSecUnimplemented
 *   RESOURCE       -108 errSecAllocate
 *   INTERNAL       -9810 errSSLInternal, -9811 errSSLModuleAttach
 *   UNKNOWN        any number that is not one of enum sectrans_status_code */
enum sectrans_status_category_code {
  SECTRANS_CATEGORY_SUCCESS = 0,
  SECTRANS_CATEGORY_WOULD_BLOCK = 1,
  SECTRANS_CATEGORY_BREAK = 2,
  SECTRANS_CATEGORY_CLOSED = 3,
  SECTRANS_CATEGORY_CERTIFICATE = 4,
  SECTRANS_CATEGORY_PROTOCOL = 5,
  SECTRANS_CATEGORY_IO = 6,
  SECTRANS_CATEGORY_CONFIGURATION = 7,
  SECTRANS_CATEGORY_PARAMETER = 8,
  SECTRANS_CATEGORY_RESOURCE = 9,
  SECTRANS_CATEGORY_INTERNAL = 10,
  SECTRANS_CATEGORY_UNKNOWN = 11
};

/* sectrans_status_category returns the category (a
 * SECTRANS_CATEGORY_* value) of any status number; SECTRANS_CATEGORY_UNKNOWN
 * for a number that is not a status. Never fails; any thread, any time,
 * before or without any other call. Since 1.1. */
SECTRANS_API int sectrans_status_category(sectrans_status status);

/* ---- end of 1.1: status categories ------------------------------------- */

/* ---------------------------------------------------------------------- */
/* Constants (Secure Transport's values)                                   */

enum sectrans_side {
  SECTRANS_SERVER = 0,
  SECTRANS_CLIENT = 1
};

/* Only streams are implemented; SECTRANS_DATAGRAM gives
 * SECTRANS_ERR_UNIMPLEMENTED at creation. */
enum sectrans_connection_type {
  SECTRANS_STREAM = 0,
  SECTRANS_DATAGRAM = 1
};

enum sectrans_protocol {
  SECTRANS_PROTOCOL_UNKNOWN = 0,
  SECTRANS_PROTOCOL_SSL3 = 2,
  SECTRANS_PROTOCOL_TLS1 = 4,
  SECTRANS_PROTOCOL_TLS11 = 7,
  SECTRANS_PROTOCOL_TLS12 = 8,
  SECTRANS_PROTOCOL_DTLS1 = 9,
  SECTRANS_PROTOCOL_TLS13 = 10,
  SECTRANS_PROTOCOL_DTLS12 = 11,
  SECTRANS_PROTOCOL_MAX_SUPPORTED = 999
};

enum sectrans_session_state {
  SECTRANS_STATE_IDLE = 0,
  SECTRANS_STATE_HANDSHAKE = 1,
  SECTRANS_STATE_CONNECTED = 2,
  SECTRANS_STATE_CLOSED = 3,
  SECTRANS_STATE_ABORTED = 4
};

/* What to wait for after SECTRANS_WOULD_BLOCK (a bit set). */
enum sectrans_want {
  SECTRANS_WANT_NOTHING = 0,
  SECTRANS_WANT_READ = 1, /* more ciphertext must arrive */
  SECTRANS_WANT_WRITE = 2 /* queued ciphertext must leave */
};

enum sectrans_verify_mode {
  /* Chain and peer name. A client must have a peer domain name. Default. */
  SECTRANS_VERIFY_FULL = 0,
  /* Chain only: the peer name is sent as SNI but never checked, and a client
   * may run without one. */
  SECTRANS_VERIFY_CHAIN_ONLY = 1,
  /* No verification at all. Anyone in the path can read the traffic. */
  SECTRANS_VERIFY_NONE = 2
};

enum sectrans_key_type {
  SECTRANS_KEY_ECDSA_P256 = 0,
  SECTRANS_KEY_ECDSA_P384 = 1,
  SECTRANS_KEY_RSA_2048 = 2,
  SECTRANS_KEY_RSA_3072 = 3,
  SECTRANS_KEY_ED25519 = 4
};

/* Session options: Secure Transport's SSLSessionOption values. */
enum sectrans_session_option {
  /* Stop the handshake with SECTRANS_PEER_AUTH_COMPLETED once the server's
   * (client: BREAK_ON_SERVER_AUTH) or the client's (server:
   * BREAK_ON_CLIENT_AUTH) certificate arrived, so the caller can evaluate
   * the peer trust itself. Automatic verification is then off; the
   * handshake goes on only after the trust was evaluated successfully or
   * accepted (sectrans_accept_peer_trust). */
  SECTRANS_OPTION_BREAK_ON_SERVER_AUTH = 0,
  /* Client: stop with SECTRANS_CLIENT_CERT_REQUESTED when the server asks
   * for a certificate and no identity is set. */
  SECTRANS_OPTION_BREAK_ON_CERT_REQUESTED = 1,
  SECTRANS_OPTION_BREAK_ON_CLIENT_AUTH = 2,
  /* TLS 1.2 False Start (client). */
  SECTRANS_OPTION_FALSE_START = 3,
  /* Accepted and ignored: 1/n-1 splitting only ever applied below TLS 1.1. */
  SECTRANS_OPTION_SEND_ONE_BYTE_RECORD = 4,
  /* Accepted and ignored: sectrans never renegotiates to another server. */
  SECTRANS_OPTION_ALLOW_SERVER_IDENTITY_CHANGE = 5,
  /* Client: send TLS_FALLBACK_SCSV. */
  SECTRANS_OPTION_FALLBACK = 6,
  /* Server: stop with SECTRANS_CLIENT_HELLO_RECEIVED once the ClientHello
   * was parsed, so the caller can read the requested name and choose an
   * identity. */
  SECTRANS_OPTION_BREAK_ON_CLIENT_HELLO = 7,
  /* Client: accept TLS 1.2 renegotiation requests from the server. */
  SECTRANS_OPTION_ALLOW_RENEGOTIATION = 8,
  /* Client: offer RFC 5077 session tickets in TLS 1.2 (off: session IDs
   * only). TLS 1.3 resumes only through tickets, so it has no effect
   * there. Resumption of either kind needs a peer ID (sectrans_set_peer_id). */
  SECTRANS_OPTION_ENABLE_SESSION_TICKETS = 9
};

/* Server: whether to ask for a client certificate (SSLAuthenticate). */
enum sectrans_authenticate {
  SECTRANS_AUTHENTICATE_NEVER = 0,
  SECTRANS_AUTHENTICATE_ALWAYS = 1, /* no certificate: the handshake fails */
  SECTRANS_AUTHENTICATE_TRY = 2     /* no certificate: the handshake goes on */
};

/* SSLClientCertificateState. */
enum sectrans_client_cert_state {
  SECTRANS_CLIENT_CERT_STATE_NONE = 0,
  SECTRANS_CLIENT_CERT_STATE_REQUESTED = 1,
  SECTRANS_CLIENT_CERT_STATE_SENT = 2,
  SECTRANS_CLIENT_CERT_STATE_REJECTED = 3
};

/* Limits. Larger arguments give SECTRANS_ERR_PARAM. */
enum sectrans_limits {
  SECTRANS_MAX_PEER_NAME_LENGTH = 253, /* + one optional trailing NUL */
  SECTRANS_MAX_ALPN_LENGTH = 65535,    /* encoded list, RFC 7301 */
  SECTRANS_MAX_CIPHERS = 512,
  SECTRANS_MAX_PEM_LENGTH = 64 * 1024 * 1024
};
/* sectrans_read, sectrans_write and the memory transport take lengths up to
 * SECTRANS_MAX_IO_LENGTH (PTRDIFF_MAX) and give SECTRANS_ERR_PARAM above it.
 * Lengths above INT_MAX are split internally, never truncated. */
#define SECTRANS_MAX_IO_LENGTH ((size_t)PTRDIFF_MAX)

/* ---------------------------------------------------------------------- */
/* Handles                                                                  */

typedef struct sectrans_context sectrans_context;
typedef struct sectrans_config sectrans_config;
typedef struct sectrans_identity sectrans_identity;
typedef struct sectrans_certificate sectrans_certificate;
typedef struct sectrans_trust sectrans_trust;
typedef struct sectrans_trust_store sectrans_trust_store;

/* sectrans_retain adds a reference to any sectrans handle and returns it.
 * sectrans_release drops one and frees the object with the last one. Both
 * accept NULL. They exist so that CFRetain/CFRelease can be offered; the
 * typed _retain and _release functions below do the same.
 *
 * Every function checks the kind of each handle it is given: a handle of
 * another kind (a certificate where an identity belongs) gives
 * SECTRANS_ERR_PARAM, a _retain returns NULL and a _release does nothing. A
 * freed handle cannot be detected: using one is undefined, as in C
 * everywhere. */
SECTRANS_API const void *sectrans_retain(const void *handle);
SECTRANS_API void sectrans_release(const void *handle);

/* ---------------------------------------------------------------------- */
/* Certificates                                                             */

/* Parses one certificate from DER or from the first PEM CERTIFICATE block.
 * Errors: SECTRANS_ERR_PARAM (NULL, zero or over-maximum length),
 * SECTRANS_ERR_DECODE (not a certificate), SECTRANS_ERR_ALLOCATE. */
SECTRANS_API sectrans_status sectrans_certificate_create_from_der(
    const void *der, size_t len, sectrans_certificate **out);
SECTRANS_API sectrans_status sectrans_certificate_create_from_pem(
    const void *pem, size_t len, sectrans_certificate **out);
SECTRANS_API sectrans_certificate *sectrans_certificate_retain(
    sectrans_certificate *cert);
SECTRANS_API void sectrans_certificate_release(sectrans_certificate *cert);

/* Encodings and descriptions, in the (buf, *len) protocol. Subject and issuer
 * are one-line RFC 2253 text. SAN names are one per line, each "DNS:<name>" or
 * "IP:<address>" (other kinds are "EMAIL:" and "URI:"); control bytes in names
 * are written as \xHH. The SHA-256 fingerprint is 32 raw bytes. Errors:
 * SECTRANS_ERR_PARAM, SECTRANS_ERR_BUFFER_OVERFLOW. */
SECTRANS_API sectrans_status sectrans_certificate_copy_der(
    const sectrans_certificate *cert, void *buf, size_t *len);
SECTRANS_API sectrans_status sectrans_certificate_copy_pem(
    const sectrans_certificate *cert, void *buf, size_t *len);
SECTRANS_API sectrans_status sectrans_certificate_copy_subject(
    const sectrans_certificate *cert, void *buf, size_t *len);
SECTRANS_API sectrans_status sectrans_certificate_copy_issuer(
    const sectrans_certificate *cert, void *buf, size_t *len);
SECTRANS_API sectrans_status sectrans_certificate_copy_san(
    const sectrans_certificate *cert, void *buf, size_t *len);
SECTRANS_API sectrans_status sectrans_certificate_copy_sha256(
    const sectrans_certificate *cert, void *buf, size_t *len);

/* Validity period as seconds since the Unix epoch (UTC). Errors:
 * SECTRANS_ERR_PARAM, SECTRANS_ERR_DECODE (a time field that does not
 * parse). */
SECTRANS_API sectrans_status sectrans_certificate_get_validity(
    const sectrans_certificate *cert, int64_t *not_before, int64_t *not_after);

/* ---------------------------------------------------------------------- */
/* Identities: a private key, its leaf certificate and intermediates        */

/* Builds an identity from PEM. cert_pem holds the leaf first, then any
 * intermediates. key_pem holds the private key (PKCS#8, SEC1 EC or PKCS#1 RSA,
 * optionally encrypted with password); when key_pem is NULL the key is taken
 * from cert_pem, so one file may hold both. password may be NULL. Keys: RSA
 * 2048 bits or more, ECDSA P-256/P-384, Ed25519. Errors: SECTRANS_ERR_PARAM,
 * SECTRANS_ERR_DECODE (no certificate or no key found),
 * SECTRANS_ERR_AUTH_FAILED (encrypted key and wrong or missing password),
 * SECTRANS_ERR_BAD_CERT (the key does not match the leaf, or an unsupported key
 * such as RSA below 2048 bits), SECTRANS_ERR_ALLOCATE. */
SECTRANS_API sectrans_status sectrans_identity_create_from_pem(
    const void *cert_pem, size_t cert_len, const void *key_pem, size_t key_len,
    const char *password, sectrans_identity **out);

/* Generates a fresh key of key_type and a self-signed leaf for common_name
 * (also its DNS or IP subjectAltName), valid from one hour ago for 30 days. For
 * tests and demos. Errors: SECTRANS_ERR_PARAM (NULL or empty name, name over
 * 253 bytes, unknown key type), SECTRANS_ERR_CRYPTO, SECTRANS_ERR_ALLOCATE. */
SECTRANS_API sectrans_status sectrans_identity_create_self_signed(
    const char *common_name, int key_type, sectrans_identity **out);

/* Builds an identity from one DER certificate and a DER private key
 * (PKCS#8, SEC1 EC or PKCS#1 RSA). Errors as for
 * sectrans_identity_create_from_pem. */
SECTRANS_API sectrans_status sectrans_identity_create_from_der(
    const void *cert_der, size_t cert_len, const void *key_der, size_t key_len,
    sectrans_identity **out);

/* Builds an identity from a PKCS#12 file (OpenSSL 3's default AES/SHA-256 ones
 * and -legacy ones). password may be NULL for none. The leaf is the certificate
 * matching the key; the others follow as the chain. Errors: SECTRANS_ERR_PARAM,
 * SECTRANS_ERR_DECODE (not PKCS#12, or no key or no matching certificate
 * inside), SECTRANS_ERR_AUTH_FAILED (wrong password), SECTRANS_ERR_BAD_CERT,
 * SECTRANS_ERR_ALLOCATE. */
SECTRANS_API sectrans_status sectrans_identity_create_from_pkcs12(
    const void *data, size_t len, const char *password,
    sectrans_identity **out);

/* The number of certificates (leaf first) and a +1 reference to one. Errors:
 * SECTRANS_ERR_PARAM (NULL, or index out of range). */
SECTRANS_API sectrans_status sectrans_identity_get_certificate_count(
    const sectrans_identity *identity, size_t *count);
SECTRANS_API sectrans_status
sectrans_identity_copy_certificate(const sectrans_identity *identity,
                                   size_t index, sectrans_certificate **out);
SECTRANS_API sectrans_identity *sectrans_identity_retain(
    sectrans_identity *identity);
SECTRANS_API void sectrans_identity_release(sectrans_identity *identity);

/* ---------------------------------------------------------------------- */
/* Trust stores: sets of anchors                                            */

/* An empty store. Errors: SECTRANS_ERR_PARAM, SECTRANS_ERR_ALLOCATE. */
SECTRANS_API sectrans_status
sectrans_trust_store_create(sectrans_trust_store **out);

/* The platform's anchors: the PEM file named by SSL_CERT_FILE and the hashed
 * directory named by SSL_CERT_DIR when either is set, else
 * /etc/ssl/certs/ca-certificates.crt. Parsed once per process and shared: every
 * call returns a reference to the same store. Errors: SECTRANS_ERR_PARAM,
 * SECTRANS_ERR_ALLOCATE. */
SECTRANS_API sectrans_status
sectrans_trust_store_copy_system(sectrans_trust_store **out);

/* Adds every certificate of a PEM buffer or file as an anchor. Only a store not
 * yet given to a config or context can change. Errors: SECTRANS_ERR_PARAM,
 * SECTRANS_ERR_DECODE (no certificate found, or a block that does not parse),
 * SECTRANS_ERR_IO (file unreadable), SECTRANS_ERR_BAD_REQ (store already in
 * use), SECTRANS_ERR_ALLOCATE. */
SECTRANS_API sectrans_status sectrans_trust_store_add_pem(
    sectrans_trust_store *store, const void *pem, size_t len);
SECTRANS_API sectrans_status sectrans_trust_store_add_pem_file(
    sectrans_trust_store *store, const char *path);
/* Adds the system anchors (see sectrans_trust_store_copy_system) too. */
SECTRANS_API sectrans_status
sectrans_trust_store_add_system(sectrans_trust_store *store);
SECTRANS_API sectrans_status sectrans_trust_store_get_count(
    const sectrans_trust_store *store, size_t *count);
SECTRANS_API sectrans_trust_store *sectrans_trust_store_retain(
    sectrans_trust_store *store);
SECTRANS_API void sectrans_trust_store_release(sectrans_trust_store *store);

/* ---- 1.1: CA directories and DER anchors (SECTRANS_1.1) ---------------- */

/* Adds the certificates of a CA directory (not its subdirectories), the same
 * walk as SSL_CERT_DIR's. The file rule: a regular file, or a symbolic link
 * to one, whose name is OpenSSL's hashed name (eight lowercase hex digits, a
 * dot, a decimal counter: "^[0-9a-f]{8}\.[0-9]+$", as c_rehash makes) or
 * ends in ".pem" or ".crt"; every other name is ignored. Each such file is
 * read as PEM and every certificate block in it is added (a bundle adds all
 * of its certificates). A file that cannot be read, or holds no certificate
 * that parses, is skipped without error, and so is a damaged block in an
 * otherwise good file; a certificate found twice in the directory (a hashed
 * directory links each CA under several names) is added once. Files are read
 * in name order. `added` (may be NULL) receives the number of certificates
 * added, 0 when the directory holds none (not an error). Only a store not yet given to
 * a config or context can change; on failure the store is left as it was.
 * Errors: SECTRANS_ERR_PARAM (NULL or wrong handle, NULL path),
 * SECTRANS_ERR_IO (the directory is missing, not a directory or cannot be
 * listed), SECTRANS_ERR_BAD_REQ (store already in use),
 * SECTRANS_ERR_ALLOCATE. */
SECTRANS_API sectrans_status sectrans_trust_store_add_directory(
    sectrans_trust_store *store, const char *path, size_t *added);
/* Adds one DER certificate (exactly one: trailing bytes are an error) as an
 * anchor; the bytes are copied. Only a store not yet given to a config or
 * context can change. Errors: SECTRANS_ERR_PARAM (NULL or wrong handle, NULL
 * der, len 0 or above SECTRANS_MAX_PEM_LENGTH), SECTRANS_ERR_DECODE (not a
 * certificate, as sectrans_trust_store_add_pem), SECTRANS_ERR_BAD_REQ (store
 * already in use), SECTRANS_ERR_ALLOCATE. */
SECTRANS_API sectrans_status sectrans_trust_store_add_der(
    sectrans_trust_store *store, const void *der, size_t len);
/* ---- end of 1.1: CA directories and DER anchors ------------------------ */

/* ---------------------------------------------------------------------- */
/* Trust: the peer's chain and what verifying it found                      */

/* The result of the last evaluation: 0 when trusted, else the status the
 * handshake returned for it (SECTRANS_ERR_HOST_NAME_MISMATCH,
 * SECTRANS_ERR_CERT_EXPIRED, SECTRANS_ERR_CERT_NOT_YET_VALID,
 * SECTRANS_ERR_UNKNOWN_ROOT_CERT, SECTRANS_ERR_NO_ROOT_CERT,
 * SECTRANS_ERR_X_CERT_CHAIN_INVALID), or SECTRANS_ERR_BAD_REQ when the trust
 * was never evaluated (verification off). Errors of the call itself:
 * SECTRANS_ERR_PARAM. */
SECTRANS_API sectrans_status
sectrans_trust_get_result(const sectrans_trust *trust, sectrans_status *result);
/* BoringSSL's X509_V_* code of the evaluation (0 when trusted). */
SECTRANS_API sectrans_status
sectrans_trust_get_verify_code(const sectrans_trust *trust, int32_t *code);
/* Text for the evaluation's outcome, such as "certificate has expired"; in
 * the (buf, *len) protocol. */
SECTRANS_API sectrans_status
sectrans_trust_copy_detail(const sectrans_trust *trust, void *buf, size_t *len);
/* The peer's chain as it sent it, leaf first. */
SECTRANS_API sectrans_status sectrans_trust_get_certificate_count(
    const sectrans_trust *trust, size_t *count);
SECTRANS_API sectrans_status sectrans_trust_copy_certificate(
    const sectrans_trust *trust, size_t index, sectrans_certificate **out);
/* Offline evaluation, SecTrust style. sectrans_trust_create makes a trust over
 * a chain (leaf first; the certificates are retained) with the defaults: the
 * system anchors, the policy of a server peer with no name check, the current
 * time. A trust from sectrans_copy_peer_trust starts with the context's anchors
 * and policy. Setters change the inputs and make the trust unevaluated again;
 * sectrans_trust_evaluate verifies and puts the outcome in *result (0 trusted,
 * else SECTRANS_ERR_HOST_NAME_MISMATCH, SECTRANS_ERR_CERT_EXPIRED,
 * SECTRANS_ERR_CERT_NOT_YET_VALID, SECTRANS_ERR_UNKNOWN_ROOT_CERT,
 * SECTRANS_ERR_NO_ROOT_CERT or SECTRANS_ERR_X_CERT_CHAIN_INVALID, as in the
 * handshake), also kept for sectrans_trust_get_result. A trust is used by one
 * thread at a time. Errors: SECTRANS_ERR_PARAM (NULL, count 0 or over 64, a
 * NULL certificate), SECTRANS_ERR_ALLOCATE. */
SECTRANS_API sectrans_status sectrans_trust_create(
    sectrans_certificate *const *chain, size_t count, sectrans_trust **out);
/* The anchors (the store is retained and frozen). */
SECTRANS_API sectrans_status
sectrans_trust_set_anchors(sectrans_trust *trust, sectrans_trust_store *store);
/* SecPolicyCreateSSL: peer_is_server selects the server or client purpose; host
 * (a DNS name or IP literal, NULL for none) is checked against the leaf's
 * subjectAltNames. Errors: SECTRANS_ERR_PARAM (host over 253 bytes). */
SECTRANS_API sectrans_status sectrans_trust_set_policy(sectrans_trust *trust,
                                                       int peer_is_server,
                                                       const char *host);
/* Verifies as of unix_time (seconds since the epoch) instead of now; 0
 * means now again. */
SECTRANS_API sectrans_status
sectrans_trust_set_verify_time(sectrans_trust *trust, int64_t unix_time);
SECTRANS_API sectrans_status sectrans_trust_evaluate(sectrans_trust *trust,
                                                     sectrans_status *result);
SECTRANS_API sectrans_trust *sectrans_trust_retain(sectrans_trust *trust);
SECTRANS_API void sectrans_trust_release(sectrans_trust *trust);

/* ---------------------------------------------------------------------- */
/* Configs: settings shared by many contexts                                */

/* A config holds what is costly to build (parsed keys and anchors, the
 * BoringSSL SSL_CTX) once for many connections. It can be changed until the
 * first context is created from it; from then on its setters return
 * SECTRANS_ERR_BAD_REQ and it may be shared across threads. Defaults: TLS 1.2
 * to 1.3, verify FULL with the system anchors, no identity, no ALPN,
 * BoringSSL's default cipher suites. Errors: SECTRANS_ERR_PARAM (side not 0 or
 * 1), SECTRANS_ERR_ALLOCATE. */
SECTRANS_API sectrans_status sectrans_config_create(int side,
                                                    sectrans_config **out);
SECTRANS_API sectrans_config *sectrans_config_retain(sectrans_config *config);
SECTRANS_API void sectrans_config_release(sectrans_config *config);

/* Receives key material as one line of the NSS key log format
 * ("CLIENT_RANDOM ...", "CLIENT_HANDSHAKE_TRAFFIC_SECRET ..."), without a
 * newline, for tools like Wireshark. Whoever sets it can decrypt the
 * traffic: the core never installs one on its own and never reads
 * SSLKEYLOGFILE (the CLI and the bindings do). Called on the thread that
 * drives the handshake. */
typedef void (*sectrans_keylog_func)(void *user, const char *line);

/* Each config setter has a context twin below, with the same arguments,
 * errors and meaning; see there. */
SECTRANS_API sectrans_status
sectrans_config_set_protocol_version_min(sectrans_config *config, int protocol);
SECTRANS_API sectrans_status
sectrans_config_set_protocol_version_max(sectrans_config *config, int protocol);
SECTRANS_API sectrans_status sectrans_config_set_identity(
    sectrans_config *config, sectrans_identity *identity);
SECTRANS_API sectrans_status sectrans_config_set_trust_store(
    sectrans_config *config, sectrans_trust_store *store);
SECTRANS_API sectrans_status
sectrans_config_set_verify_mode(sectrans_config *config, int mode);
SECTRANS_API sectrans_status sectrans_config_set_alpn(sectrans_config *config,
                                                      const void *protocols,
                                                      size_t len);
SECTRANS_API sectrans_status sectrans_config_set_enabled_ciphers(
    sectrans_config *config, const uint16_t *suites, size_t count);

SECTRANS_API sectrans_status
sectrans_config_set_client_side_authenticate(sectrans_config *config, int auth);
SECTRANS_API sectrans_status sectrans_config_set_session_option(
    sectrans_config *config, int option, int value);
SECTRANS_API sectrans_status sectrans_config_set_keylog_callback(
    sectrans_config *config, sectrans_keylog_func func, void *user);

/* ---------------------------------------------------------------------- */
/* Contexts: one TLS session each                                           */

/* Creates a context the Apple way, from the process-wide default config of its
 * side (so server ticket keys and the client session cache outlive one
 * context). Errors: SECTRANS_ERR_PARAM (side or type out of range),
 * SECTRANS_ERR_UNIMPLEMENTED (datagram), SECTRANS_ERR_ALLOCATE,
 * SECTRANS_ERR_INTERNAL (BoringSSL could not be loaded: see
 * sectrans_load_error). */
SECTRANS_API sectrans_status sectrans_context_create(int side, int type,
                                                     sectrans_context **out);
/* Creates a context from a config, which it retains and freezes. Costs about
 * what SSL_new costs. Errors: SECTRANS_ERR_PARAM, SECTRANS_ERR_ALLOCATE,
 * SECTRANS_ERR_INTERNAL. */
SECTRANS_API sectrans_status sectrans_context_create_with_config(
    sectrans_config *config, sectrans_context **out);
SECTRANS_API sectrans_context *sectrans_context_retain(sectrans_context *ctx);
/* Drops a reference. The last one frees the context without sending
 * anything: call sectrans_close first for a clean shutdown. */
SECTRANS_API void sectrans_context_release(sectrans_context *ctx);

/* Text describing the last failure on this context (BoringSSL's reason, the
 * verification error, the errno of the fd transport), or "" when there is
 * none. Valid until the next call on ctx. Never NULL; "" for a NULL ctx. */
SECTRANS_API const char *sectrans_context_error_detail(
    const sectrans_context *ctx);

/* --- Transports. Exactly one per context; the memory transport is the default.
 * All three setters: not while the session is active (SECTRANS_ERR_BAD_REQ). */

/* Secure Transport's I/O callbacks, with its contract exactly:
 *  - read: on entry *data_length is the number of bytes wanted. Return 0
 *    only after delivering exactly that many. Otherwise set *data_length to
 *    the bytes delivered (0 is fine) and return SECTRANS_WOULD_BLOCK: they
 *    are kept, and only the rest is asked for next time. Return
 *    SECTRANS_CLOSED_GRACEFUL (or any other code) on end of stream; while a
 *    record header is awaited every such code becomes SECTRANS_CLOSED_ABORT,
 *    inside a record it is passed up unchanged.
 *  - write: take all *data_length bytes and return 0, or set *data_length
 *    to the bytes taken and return SECTRANS_WOULD_BLOCK; taken bytes are
 *    never offered again. Other codes are passed up unchanged.
 *  - A callback claiming more bytes than it was offered is treated as a
 *    fatal transport error (SECTRANS_ERR_PARAM, context aborted).
 * Callbacks run on the caller's thread, only inside sectrans_handshake,
 * _read, _write, _close and _shutdown_write. connection is the cookie given
 * to sectrans_set_connection. */
typedef sectrans_status (*sectrans_read_func)(const void *connection,
                                              void *data, size_t *data_length);
typedef sectrans_status (*sectrans_write_func)(const void *connection,
                                               const void *data,
                                               size_t *data_length);
SECTRANS_API sectrans_status
sectrans_set_io_funcs(sectrans_context *ctx, sectrans_read_func read_func,
                      sectrans_write_func write_func);
SECTRANS_API sectrans_status sectrans_set_connection(sectrans_context *ctx,
                                                     const void *connection);
/* Any state. */
SECTRANS_API sectrans_status
sectrans_get_connection(const sectrans_context *ctx, const void **connection);

/* The socket transport: fd is a connected stream socket (or pipe), blocking or
 * non-blocking; sectrans never closes it. EAGAIN becomes SECTRANS_WOULD_BLOCK,
 * end of stream SECTRANS_CLOSED_ABORT, other errors (a reset among them, even
 * between records: it may have dropped data) SECTRANS_ERR_IO with strerror in
 * the error detail. SIGPIPE is never raised, for sockets nor pipes. Errors:
 * SECTRANS_ERR_PARAM (fd < 0), SECTRANS_ERR_BAD_REQ. */
SECTRANS_API sectrans_status sectrans_set_fd(sectrans_context *ctx, int fd);

/* The memory transport (sans-I/O). The caller moves ciphertext:
 * sectrans_feed_input hands over bytes that arrived (all are taken);
 * sectrans_feed_eof says the stream ended; sectrans_take_output copies out up
 * to *len queued bytes and removes them (*len = bytes copied, 0 on failure; 0
 * is success with nothing queued); sectrans_output_pending says how many are
 * queued. On this transport sectrans_write always takes all data: the caller
 * bounds memory by taking output. Errors: SECTRANS_ERR_PARAM,
 * SECTRANS_ERR_BAD_REQ (another transport is set, or feed after feed_eof).
 * sectrans_feed_input on a closed or failed context takes nothing and returns
 * the status every call on it returns (SECTRANS_CLOSED_GRACEFUL, or the saved
 * failure). */
SECTRANS_API sectrans_status sectrans_feed_input(sectrans_context *ctx,
                                                 const void *data, size_t len);
SECTRANS_API sectrans_status sectrans_feed_eof(sectrans_context *ctx);
SECTRANS_API sectrans_status sectrans_take_output(sectrans_context *ctx,
                                                  void *buf, size_t *len);
SECTRANS_API sectrans_status
sectrans_output_pending(const sectrans_context *ctx, size_t *pending);

/* After SECTRANS_WOULD_BLOCK: what the context waits for, a set of
 * sectrans_want bits. 0 for NULL or when nothing is awaited. */
SECTRANS_API int sectrans_wants(const sectrans_context *ctx);

/* --- Settings. Each overrides the config on this context only. Not while the
 * session is active (SECTRANS_ERR_BAD_REQ) unless stated. */

/* Client: the server's name, sent as SNI (not for IP literals) and checked
 * against the certificate's DNS or IP subjectAltNames (never the subject CN). A
 * trailing NUL inside len is dropped, and so is one trailing dot
 * ("example.com." names example.com). NULL with len 0 clears it. Server:
 * accepted and ignored, as in Secure Transport. Errors: SECTRANS_ERR_PARAM (len
 * over SECTRANS_MAX_PEER_NAME_LENGTH, an embedded NUL, a '*': the name of one
 * host, never a wildcard pattern), SECTRANS_ERR_BAD_REQ. */
SECTRANS_API sectrans_status sectrans_set_peer_domain_name(
    sectrans_context *ctx, const char *name, size_t len);
/* Any state; *len is 0 when unset. Errors: SECTRANS_ERR_PARAM,
 * SECTRANS_ERR_BUFFER_OVERFLOW. */
SECTRANS_API sectrans_status sectrans_get_peer_domain_name(
    const sectrans_context *ctx, char *buf, size_t *len);

/* The local identity (required on a server). NULL clears it. The context
 * retains it. Any state, as in Secure Transport, so that a server can pick its
 * identity after SECTRANS_CLIENT_HELLO_RECEIVED and a client after
 * SECTRANS_CLIENT_CERT_REQUESTED; once the certificate was sent it has no
 * effect. Errors: SECTRANS_ERR_PARAM. */
SECTRANS_API sectrans_status sectrans_set_identity(sectrans_context *ctx,
                                                   sectrans_identity *identity);

/* Anchors for verifying the peer (default: the system store). The context
 * retains the store and freezes it. Errors: SECTRANS_ERR_PARAM,
 * SECTRANS_ERR_BAD_REQ. */
SECTRANS_API sectrans_status
sectrans_set_trust_store(sectrans_context *ctx, sectrans_trust_store *store);

/* One of sectrans_verify_mode. SECTRANS_VERIFY_NONE is the one explicit way to
 * turn verification off. Errors: SECTRANS_ERR_PARAM (unknown mode),
 * SECTRANS_ERR_BAD_REQ. */
SECTRANS_API sectrans_status sectrans_set_verify_mode(sectrans_context *ctx,
                                                      int mode);
SECTRANS_API sectrans_status
sectrans_get_verify_mode(const sectrans_context *ctx, int *mode);

/* Protocol range with Secure Transport's SSLProtocol values. sectrans never
 * negotiates below TLS 1.2: a minimum of TLS1, TLS11 is accepted for source
 * compatibility and means TLS 1.2; SSL3, a maximum below TLS 1.2 and datagram
 * values give SECTRANS_ERR_ILLEGAL_PARAM. TLS13 and MAX_SUPPORTED mean TLS 1.3.
 * Setting min above max raises max; setting max below min lowers min. Errors:
 * SECTRANS_ERR_PARAM, SECTRANS_ERR_ILLEGAL_PARAM, SECTRANS_ERR_BAD_REQ. */
SECTRANS_API sectrans_status
sectrans_set_protocol_version_min(sectrans_context *ctx, int protocol);
SECTRANS_API sectrans_status
sectrans_set_protocol_version_max(sectrans_context *ctx, int protocol);
/* Any state. */
SECTRANS_API sectrans_status
sectrans_get_protocol_version_min(const sectrans_context *ctx, int *protocol);
SECTRANS_API sectrans_status
sectrans_get_protocol_version_max(const sectrans_context *ctx, int *protocol);

/* ALPN, both sides, as an RFC 7301 encoded list (each name prefixed with its
 * length byte; names 1 to 255 bytes). A client offers the list; a server picks
 * its first name that the client also offered, and goes on without ALPN when
 * none matches. NULL with len 0 clears it. Errors: SECTRANS_ERR_PARAM
 * (malformed list, over SECTRANS_MAX_ALPN_LENGTH), SECTRANS_ERR_BAD_REQ. */
SECTRANS_API sectrans_status sectrans_set_alpn(sectrans_context *ctx,
                                               const void *protocols,
                                               size_t len);

/* Cipher suites by IANA number, in preference order. They restrict TLS 1.2;
 * TLS 1.3 suites (0x1301-0x1303) are always on while TLS 1.3 is (BoringSSL
 * does not make them configurable) and are accepted in the list. Unknown
 * suites are dropped silently. Errors: SECTRANS_ERR_PARAM (NULL, count 0,
 * over SECTRANS_MAX_CIPHERS, or none supported), SECTRANS_ERR_BAD_REQ. */
SECTRANS_API sectrans_status sectrans_set_enabled_ciphers(
    sectrans_context *ctx, const uint16_t *suites, size_t count);
/* The enabled (or all supported) suites; *count is in/out like a length in the
 * (buf, *len) protocol, counted in suites. Any state. Errors:
 * SECTRANS_ERR_PARAM, SECTRANS_ERR_BUFFER_OVERFLOW. */
SECTRANS_API sectrans_status sectrans_get_enabled_ciphers(
    const sectrans_context *ctx, uint16_t *suites, size_t *count);
SECTRANS_API sectrans_status sectrans_get_supported_ciphers(
    const sectrans_context *ctx, uint16_t *suites, size_t *count);

/* Session options (enum sectrans_session_option). Not while the session is
 * active (SECTRANS_ERR_BAD_REQ), except ENABLE_SESSION_TICKETS which, as in
 * Secure Transport, is never checked. Errors: SECTRANS_ERR_PARAM (unknown
 * option), SECTRANS_ERR_BAD_REQ. */
SECTRANS_API sectrans_status sectrans_set_session_option(sectrans_context *ctx,
                                                         int option, int value);
/* Any state. Errors: SECTRANS_ERR_PARAM. */
SECTRANS_API sectrans_status sectrans_get_session_option(
    const sectrans_context *ctx, int option, int *value);
/* The same as option ENABLE_SESSION_TICKETS; any state. */
SECTRANS_API sectrans_status
sectrans_set_session_tickets_enabled(sectrans_context *ctx, int enabled);

/* Client resumption: sessions are kept in one process-wide cache under the peer
 * ID plus the verification settings (mode, anchors, break options), so a
 * context that verifies differently never resumes another's session. Entries
 * live 600 s; TLS 1.3 tickets are used once. Without a peer ID nothing is
 * cached or resumed. The bytes are copied. Errors: SECTRANS_ERR_PARAM (NULL,
 * len 0 or over 1024), SECTRANS_ERR_BAD_REQ (active, except while stopped at
 * SECTRANS_CLIENT_CERT_REQUESTED). */
SECTRANS_API sectrans_status sectrans_set_peer_id(sectrans_context *ctx,
                                                  const void *peer_id,
                                                  size_t len);
/* (buf, *len) protocol; *len 0 when unset. Any state. */
SECTRANS_API sectrans_status sectrans_get_peer_id(const sectrans_context *ctx,
                                                  void *buf, size_t *len);
/* 1 when the handshake resumed an earlier session. Any state. */
SECTRANS_API sectrans_status
sectrans_get_session_resumed(const sectrans_context *ctx, int *resumed);

/* Server: ask for a client certificate (enum sectrans_authenticate). The
 * certificate is verified against the context's anchors with the client purpose
 * (no name check) unless BREAK_ON_CLIENT_AUTH is set. On a client it is
 * accepted and ignored. Errors: SECTRANS_ERR_PARAM, SECTRANS_ERR_BAD_REQ. */
SECTRANS_API sectrans_status
sectrans_set_client_side_authenticate(sectrans_context *ctx, int auth);
/* enum sectrans_client_cert_state, for either side. Any state. */
SECTRANS_API sectrans_status
sectrans_get_client_certificate_state(const sectrans_context *ctx, int *state);

/* Server: adds a DER-encoded X.501 Name to the certificate authorities named in
 * the CertificateRequest. Errors: SECTRANS_ERR_PARAM (not a Name),
 * SECTRANS_ERR_BAD_REQ. */
SECTRANS_API sectrans_status sectrans_add_distinguished_name(
    sectrans_context *ctx, const void *der, size_t len);
/* The names: on a client those the server sent (available from
 * SECTRANS_CLIENT_CERT_REQUESTED on), on a server the configured ones. Any
 * state. Errors: SECTRANS_ERR_PARAM (index out of range),
 * SECTRANS_ERR_BUFFER_OVERFLOW. */
SECTRANS_API sectrans_status sectrans_get_distinguished_name_count(
    const sectrans_context *ctx, size_t *count);
SECTRANS_API sectrans_status sectrans_copy_distinguished_name(
    const sectrans_context *ctx, size_t index, void *buf, size_t *len);

/* Server: the host name the client sent in SNI, in the (buf, *len) protocol;
 * available from SECTRANS_CLIENT_HELLO_RECEIVED on. Errors: SECTRANS_ERR_PARAM
 * (no SNI was sent), SECTRANS_ERR_BUFFER_OVERFLOW. */
SECTRANS_API sectrans_status sectrans_get_requested_peer_name(
    const sectrans_context *ctx, void *buf, size_t *len);

/* After SECTRANS_PEER_AUTH_COMPLETED: lets the handshake go on with a peer
 * trust that was not evaluated successfully. Without this (or a successful
 * sectrans_trust_evaluate), the next handshake call sends a fatal alert and
 * returns SECTRANS_ERR_X_CERT_CHAIN_INVALID. Errors: SECTRANS_ERR_PARAM,
 * SECTRANS_ERR_BAD_REQ (no break pending). */
SECTRANS_API sectrans_status sectrans_accept_peer_trust(sectrans_context *ctx);

/* Server: a DER OCSP response to staple. Errors: SECTRANS_ERR_PARAM,
 * SECTRANS_ERR_BAD_REQ. */
SECTRANS_API sectrans_status sectrans_set_ocsp_response(sectrans_context *ctx,
                                                        const void *der,
                                                        size_t len);
/* Client: the OCSP response the server stapled (clients always ask for
 * one), in the (buf, *len) protocol; *len 0 when none. Any state. */
SECTRANS_API sectrans_status sectrans_copy_ocsp_response(
    const sectrans_context *ctx, void *buf, size_t *len);

/* Secure Transport's SSLSetError: aborts the session from outside. The next
 * handshake, read, write or shutdown_write call sends a fatal alert
 * (certificate_expired for SECTRANS_ERR_CERTIFICATE_EXPIRED,
 * certificate_revoked for SECTRANS_ERR_CERTIFICATE_REVOKED, none for other
 * codes) and returns status, as every later call does. Secure Transport let the
 * handshake go on after other codes; sectrans always ends it. Errors:
 * SECTRANS_ERR_PARAM (status 0). */
SECTRANS_API sectrans_status sectrans_set_error(sectrans_context *ctx,
                                                sectrans_status status);

/* The key log callback of this context (overrides the config's). NULL turns it
 * off. Errors: SECTRANS_ERR_PARAM, SECTRANS_ERR_BAD_REQ. */
SECTRANS_API sectrans_status sectrans_set_keylog_callback(
    sectrans_context *ctx, sectrans_keylog_func func, void *user);

/* --- The session.                                                          */

/* Runs the handshake. Returns 0 when it completed (and the queue drained),
 * SECTRANS_WOULD_BLOCK (see sectrans_wants; call again), or a fatal code. A
 * verifying client without a peer domain name gets
 * SECTRANS_ERR_BAD_CONFIGURATION before any byte is sent (unless
 * BREAK_ON_SERVER_AUTH is set: the caller then verifies). Verification
 * failures return their own code (SECTRANS_ERR_HOST_NAME_MISMATCH,
 * SECTRANS_ERR_CERT_EXPIRED, SECTRANS_ERR_CERT_NOT_YET_VALID,
 * SECTRANS_ERR_UNKNOWN_ROOT_CERT for an untrusted root,
 * SECTRANS_ERR_NO_ROOT_CERT for no path to an anchor,
 * SECTRANS_ERR_X_CERT_CHAIN_INVALID for the rest) and send the matching
 * alert. After success it is a no-op returning 0. A failed handshake leaves
 * the context aborted, and every later call returns the same status. */
SECTRANS_API sectrans_status sectrans_handshake(sectrans_context *ctx);

/* Secure Transport's SSLWrite. Drives the handshake first if needed
 * (SECTRANS_ERR_BAD_REQ in the idle state: call sectrans_handshake first).
 * Drains the queue of earlier calls; while it cannot, returns
 * SECTRANS_WOULD_BLOCK with *processed 0 and takes no new data. Otherwise
 * encrypts all len bytes, sets *processed = len, and tries to drain:
 * SECTRANS_WOULD_BLOCK with *processed == len means the bytes were taken
 * and must not be offered again; they leave on any later call.
 * sectrans_write(ctx, NULL, 0, &n) only flushes. *processed is always
 * meaningful. Errors: SECTRANS_ERR_PARAM (NULL, data NULL with len > 0, len
 * over SECTRANS_MAX_IO_LENGTH), SECTRANS_ERR_BAD_REQ,
 * SECTRANS_CLOSED_GRACEFUL, SECTRANS_CLOSED_ABORT, and transport and
 * protocol errors (which abort the context). */
SECTRANS_API sectrans_status sectrans_write(sectrans_context *ctx,
                                            const void *data, size_t len,
                                            size_t *processed);

/* Secure Transport's SSLRead. Copies leftover plaintext first, then reads
 * at most one more record. Data can come with SECTRANS_WOULD_BLOCK
 * (*processed > 0); success always has *processed > 0 for len > 0 (len 0
 * returns 0 at once). The socket and memory transports never wait for
 * another record once a byte was copied. close_notify gives
 * SECTRANS_CLOSED_GRACEFUL (after answering with our own close_notify, as
 * Secure Transport does); end of stream without it gives
 * SECTRANS_CLOSED_ABORT. Errors: SECTRANS_ERR_PARAM, SECTRANS_ERR_BAD_REQ
 * (idle), SECTRANS_CLOSED_GRACEFUL, SECTRANS_CLOSED_ABORT, protocol and
 * transport errors (which abort the context). */
SECTRANS_API sectrans_status sectrans_read(sectrans_context *ctx, void *data,
                                           size_t len, size_t *processed);

/* Plaintext already decrypted and waiting: what sectrans_read can return
 * without I/O. Any state. */
SECTRANS_API sectrans_status
sectrans_get_buffered_read_size(const sectrans_context *ctx, size_t *size);

/* Secure Transport's SSLClose: queues close_notify and flushes. First it
 * processes what the peer sent and nobody read, as far as it arrived
 * already (never waiting, at most 64 records; the callback transport's
 * read callback is not called): TLS 1.3 session tickets reach the session
 * cache, plaintext is dropped. On a socket this is what keeps a
 * write-then-close whole: closing a socket over unread bytes sends a reset,
 * which makes the peer drop what it had not read yet. The state
 * becomes closed whatever happens (an aborted context stays aborted);
 * SECTRANS_WOULD_BLOCK means the flush is incomplete: call again. A later
 * sectrans_read returns SECTRANS_CLOSED_GRACEFUL. An I/O error of the flush is
 * reported as success, as in Secure Transport. Errors: SECTRANS_ERR_PARAM, the
 * saved status of a failed handshake, transport errors of the flush. */
SECTRANS_API sectrans_status sectrans_close(sectrans_context *ctx);

/* Half-close: queues close_notify and flushes, but keeps reading until the
 * peer's close_notify (sectrans_read then returns SECTRANS_CLOSED_GRACEFUL).
 * Writing after it gives SECTRANS_CLOSED_GRACEFUL. SECTRANS_WOULD_BLOCK: call
 * again. Errors: SECTRANS_ERR_PARAM, SECTRANS_ERR_BAD_REQ (not connected),
 * transport errors. */
SECTRANS_API sectrans_status sectrans_shutdown_write(sectrans_context *ctx);

/* --- What was negotiated. Any state.                                      */

/* sectrans_session_state value. */
SECTRANS_API sectrans_status
sectrans_get_session_state(const sectrans_context *ctx, int *state);
/* SSLProtocol value; SECTRANS_PROTOCOL_UNKNOWN before the ServerHello. */
SECTRANS_API sectrans_status sectrans_get_negotiated_protocol_version(
    const sectrans_context *ctx, int *protocol);
/* IANA number of the suite. SECTRANS_ERR_BAD_REQ unless a session is active, as
 * in Secure Transport. */
SECTRANS_API sectrans_status
sectrans_get_negotiated_cipher(const sectrans_context *ctx, uint16_t *suite);
/* IANA TLS group number (29 = X25519), or 0 before key exchange. */
SECTRANS_API sectrans_status
sectrans_get_negotiated_group(const sectrans_context *ctx, uint16_t *group);
/* The protocol ALPN chose, in the (buf, *len) protocol; *len 0 when none. */
SECTRANS_API sectrans_status sectrans_get_negotiated_alpn(
    const sectrans_context *ctx, void *buf, size_t *len);

/* Standard names (static): "TLS_AES_128_GCM_SHA256", "X25519", "TLSv1.3".
 * NULL for numbers sectrans does not know. */
SECTRANS_API const char *sectrans_cipher_name(uint16_t suite);
SECTRANS_API const char *sectrans_group_name(uint16_t group);
SECTRANS_API const char *sectrans_protocol_name(int protocol);

/* The peer's chain and the result of verifying it (+1 reference). Success with
 * *trust NULL when the peer sent no certificate (yet), as in Secure Transport.
 * Errors: SECTRANS_ERR_PARAM. */
SECTRANS_API sectrans_status sectrans_copy_peer_trust(sectrans_context *ctx,
                                                      sectrans_trust **trust);

/* ---- 1.1: keying-material exporters (RFC 5705, RFC 8446 7.5, RFC 9266) -- */

/* Bounds of sectrans_export_keying_material. The label limit is TLS 1.3's
 * (HkdfLabel's label is "tls13 " plus at most 249 bytes); the length limit is
 * HKDF-Expand's 255 * 32 for SHA-256, the smallest hash TLS 1.3 uses; the
 * context limit is TLS 1.2's 16-bit length field. */
enum {
  SECTRANS_EXPORTER_MAX_LABEL = 249,
  SECTRANS_EXPORTER_MAX_LENGTH = 8160,
  SECTRANS_EXPORTER_MAX_CONTEXT = 65535
};

/* Keying material exporter (RFC 5705 for TLS 1.2, RFC 8446 section 7.5 for
 * TLS 1.3): writes out_len bytes derived from the session's secrets, the
 * label (label_len bytes, not NUL-terminated) and, when use_context is
 * nonzero, the context (context_len bytes; may be NULL when 0). In TLS 1.2 "no
 * context" (use_context 0) and an empty context give different bytes; in
 * TLS 1.3 they give the same. The peer exporting with the same arguments gets
 * the same bytes. The caller owns out; nothing is retained. RFC 9266's
 * tls-exporter channel binding is label "EXPORTER-Channel-Binding", an empty
 * context (use_context 1) and 32 bytes.
 * Callable while connected (also after sectrans_shutdown_write); bytes are
 * written only on success.
 * Errors: SECTRANS_ERR_PARAM for a NULL or wrong handle, a NULL label or out
 * (out may be NULL only when out_len is 0), a NULL context with context_len
 * above 0, label_len above SECTRANS_EXPORTER_MAX_LABEL, out_len above
 * SECTRANS_EXPORTER_MAX_LENGTH or context_len above
 * SECTRANS_EXPORTER_MAX_CONTEXT (sectrans_context_error_detail names which);
 * SECTRANS_ERR_BAD_REQ when the session is not connected (idle, in the
 * handshake, closed or failed); SECTRANS_ERR_INTERNAL when BoringSSL refuses
 * (the detail says why). Since 1.1 (SECTRANS_1.1). */
SECTRANS_API sectrans_status sectrans_export_keying_material(
    sectrans_context *ctx, void *out, size_t out_len, const char *label,
    size_t label_len, const void *context, size_t context_len, int use_context);

/* RFC 5929's tls-unique channel binding: the first Finished message of the
 * TLS 1.2 handshake (12 bytes), in the (buf, *len) protocol. TLS 1.2 only:
 * TLS 1.3 has none (RFC 9266 replaces it with tls-exporter, above). The caller
 * owns buf. Errors: SECTRANS_ERR_PARAM (NULL or wrong handle, NULL len);
 * SECTRANS_ERR_BAD_REQ when not connected or the session is TLS 1.3 (the
 * detail says which); SECTRANS_ERR_BUFFER_OVERFLOW as the protocol says.
 * Since 1.1 (SECTRANS_1.1). */
SECTRANS_API sectrans_status sectrans_get_tls_unique(sectrans_context *ctx,
                                                     void *buf, size_t *len);

/* ---- end of 1.1: keying-material exporters ------------------------------ */

#ifdef __cplusplus
}
#endif

#endif /* SECTRANS_SECTRANS_H */
