/*
 * status.c: Secure Transport's status codes, their names and meanings, and
 * the translation of TLS alerts and BoringSSL errors into them.
 *
 * BoringSSL error queue -> status (status_from_error_queue):
 *
 *   library / reason                              status
 *   --------------------------------------------  ---------------------------
 *   SSL, reason >= SSL_AD_REASON_OFFSET (1000)    status_from_peer_alert(
 *     (an alert received from the peer)             reason - 1000)
 *   SSL  NO_SHARED_CIPHER, UNSUPPORTED_PROTOCOL,  -9801 errSSLNegotiation
 *        NO_SUPPORTED_VERSIONS_ENABLED,
 *        NO_COMMON_SIGNATURE_ALGORITHMS,
 *        NO_SHARED_GROUP
 *   SSL  DECRYPTION_FAILED                        -9845 errSSLDecryptionFail
 *   SSL  DECRYPTION_FAILED_OR_BAD_RECORD_MAC,     -9846 errSSLBadRecordMac
 *        BLOCK_CIPHER_PAD_IS_WRONG
 *   SSL  RECORD_TOO_LARGE, DATA_LENGTH_TOO_LONG,  -9847 errSSLRecordOverflow
 *        ENCRYPTED_LENGTH_TOO_LONG
 *   SSL  CERTIFICATE_VERIFY_FAILED,               -9807 errSSLXCertChainInvalid
 *        PEER_DID_NOT_RETURN_A_CERTIFICATE          (Apple's result when a
 *                                                    required client cert is
 *                                                    missing)
 *   SSL  BAD_SIGNATURE (a peer's signature does   -9809 errSSLCrypto
 *        not verify; outranks the EC/BN error
 *        that found it)
 *   SSL  CERTIFICATE_AND_PRIVATE_KEY_MISMATCH,    -9808 errSSLBadCert
 *        KEY_USAGE_BIT_INCORRECT
 *   SSL  NO_CERTIFICATE_SET (server, no identity) -9848 errSSLBadConfiguration
 *   SSL  WRONG_VERSION_NUMBER, anything else      -9800 errSSLProtocol
 *        (BoringSSL's WRONG_VERSION_NUMBER is a record header whose version
 *        byte is wrong: mostly a peer that does not speak TLS at all. A real
 *        version disagreement is UNSUPPORTED_PROTOCOL, or an alert.)
 *   any  ERR_R_MALLOC_FAILURE                     -108  errSecAllocate
 *   SYS  (errno)                                  -36   errSecIO
 *   X509, X509V3, PEM, ASN1, PKCS8 (decoding)     -9808 errSSLBadCert
 *   EVP, RSA, EC, ECDSA, ECDH, BN, DH, DSA,       -9809 errSSLCrypto
 *        DIGEST, CIPHER, HKDF, HMAC, RAND
 *   any other library                             -9810 errSSLInternal
 *   an empty queue                                -9810 errSSLInternal,
 *                                                  detail "internal error"
 *
 * When the queue holds several errors the most telling one wins: a received
 * alert, else a known TLS-level reason, else the first error another library
 * gives a status for, else the first error (enum error_rank below).
 *
 * The core's constructors (identities, certificates) read the same queue
 * but keep their own status unless it says out of memory
 * (status_or_allocate) or, for a password-protected input, that the
 * password was wrong (status_of_password_failure).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* ---- names, meanings and categories ------------------------------------ */

/* The one table of statuses: each row gives a status's Apple name, its
 * sentence and its category (sectrans_status_category, since 1.1; the
 * header documents the mapping and tests/core/test_status_categories.py
 * checks it row by row). */

struct status_info {
  sectrans_status code;
  const char *name;
  const char *description;
  enum sectrans_status_category_code category; /* one per status: sectrans.h */
};

static const struct status_info status_table[] = {
    {0, "errSecSuccess", "no error", SECTRANS_CATEGORY_SUCCESS},
    {-4, "errSecUnimplemented", "function or operation not implemented",
     SECTRANS_CATEGORY_PARAMETER},
    {-36, "errSecIO", "I/O error", SECTRANS_CATEGORY_IO},
    {-50, "errSecParam",
     "one or more parameters passed to a function were not valid",
     SECTRANS_CATEGORY_PARAMETER},
    {-108, "errSecAllocate", "failed to allocate memory",
     SECTRANS_CATEGORY_RESOURCE},
    {-909, "errSecBadReq", "bad parameter or invalid state for operation",
     SECTRANS_CATEGORY_PARAMETER},
    {-25293, "errSecAuthFailed",
     "the user name or passphrase you entered is not correct",
     SECTRANS_CATEGORY_CONFIGURATION},
    {-26275, "errSecDecode", "unable to decode the provided data",
     SECTRANS_CATEGORY_CONFIGURATION},
    {-67818, "errSecCertificateExpired", "an expired certificate was detected",
     SECTRANS_CATEGORY_CERTIFICATE},
    {-67820, "errSecCertificateRevoked", "the certificate was revoked",
     SECTRANS_CATEGORY_CERTIFICATE},
    {-9800, "errSSLProtocol", "SSL protocol error", SECTRANS_CATEGORY_PROTOCOL},
    {-9801, "errSSLNegotiation", "cipher suite negotiation failure",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9802, "errSSLFatalAlert", "fatal alert", SECTRANS_CATEGORY_PROTOCOL},
    {-9803, "errSSLWouldBlock", "I/O would block (not fatal)",
     SECTRANS_CATEGORY_WOULD_BLOCK},
    {-9804, "errSSLSessionNotFound", "attempt to restore an unknown session",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9805, "errSSLClosedGraceful", "connection closed gracefully",
     SECTRANS_CATEGORY_CLOSED},
    {-9806, "errSSLClosedAbort", "connection closed via error",
     SECTRANS_CATEGORY_CLOSED},
    {-9807, "errSSLXCertChainInvalid", "invalid certificate chain",
     SECTRANS_CATEGORY_CERTIFICATE},
    {-9808, "errSSLBadCert", "bad certificate format",
     SECTRANS_CATEGORY_CONFIGURATION},
    {-9809, "errSSLCrypto", "underlying cryptographic error",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9810, "errSSLInternal", "internal error", SECTRANS_CATEGORY_INTERNAL},
    {-9811, "errSSLModuleAttach", "module attach failure",
     SECTRANS_CATEGORY_INTERNAL},
    {-9812, "errSSLUnknownRootCert", "valid cert chain, untrusted root",
     SECTRANS_CATEGORY_CERTIFICATE},
    {-9813, "errSSLNoRootCert", "cert chain not verified by root",
     SECTRANS_CATEGORY_CERTIFICATE},
    {-9814, "errSSLCertExpired", "chain had an expired cert",
     SECTRANS_CATEGORY_CERTIFICATE},
    {-9815, "errSSLCertNotYetValid", "chain had a cert not yet valid",
     SECTRANS_CATEGORY_CERTIFICATE},
    {-9816, "errSSLClosedNoNotify",
     "server closed session with no notification", SECTRANS_CATEGORY_CLOSED},
    {-9817, "errSSLBufferOverflow", "insufficient buffer provided",
     SECTRANS_CATEGORY_PARAMETER},
    {-9818, "errSSLBadCipherSuite", "bad SSLCipherSuite",
     SECTRANS_CATEGORY_CONFIGURATION},
    {-9819, "errSSLPeerUnexpectedMsg", "unexpected message received",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9820, "errSSLPeerBadRecordMac", "peer reported a bad record MAC",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9821, "errSSLPeerDecryptionFail", "peer reported decryption failed",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9822, "errSSLPeerRecordOverflow", "peer reported record overflow",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9823, "errSSLPeerDecompressFail", "peer reported decompression failure",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9824, "errSSLPeerHandshakeFail", "peer reported handshake failure",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9825, "errSSLPeerBadCert", "peer reported a bad certificate",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9826, "errSSLPeerUnsupportedCert",
     "peer reported an unsupported certificate", SECTRANS_CATEGORY_PROTOCOL},
    {-9827, "errSSLPeerCertRevoked", "peer reported certificate revoked",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9828, "errSSLPeerCertExpired", "peer reported certificate expired",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9829, "errSSLPeerCertUnknown", "peer reported an unknown certificate",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9830, "errSSLIllegalParam", "illegal parameter",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9831, "errSSLPeerUnknownCA", "peer reported an unknown CA",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9832, "errSSLPeerAccessDenied", "peer reported access denied",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9833, "errSSLPeerDecodeError", "peer reported a decoding error",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9834, "errSSLPeerDecryptError", "peer reported a decryption error",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9835, "errSSLPeerExportRestriction", "peer reported export restriction",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9836, "errSSLPeerProtocolVersion", "peer reported bad protocol version",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9837, "errSSLPeerInsufficientSecurity",
     "peer reported insufficient security", SECTRANS_CATEGORY_PROTOCOL},
    {-9838, "errSSLPeerInternalError", "peer reported an internal error",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9839, "errSSLPeerUserCancelled", "peer user canceled",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9840, "errSSLPeerNoRenegotiation", "peer allows no renegotiation",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9841, "errSSLPeerAuthCompleted",
     "peer cert is valid, or was ignored if verification disabled",
     SECTRANS_CATEGORY_BREAK},
    {-9842, "errSSLClientCertRequested", "server has requested a client cert",
     SECTRANS_CATEGORY_BREAK},
    {-9843, "errSSLHostNameMismatch", "peer host name mismatch",
     SECTRANS_CATEGORY_CERTIFICATE},
    {-9844, "errSSLConnectionRefused",
     "peer dropped connection before responding", SECTRANS_CATEGORY_IO},
    {-9845, "errSSLDecryptionFail", "decryption failure",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9846, "errSSLBadRecordMac", "bad record MAC", SECTRANS_CATEGORY_PROTOCOL},
    {-9847, "errSSLRecordOverflow", "record overflow",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9848, "errSSLBadConfiguration", "configuration error",
     SECTRANS_CATEGORY_CONFIGURATION},
    {-9849, "errSSLUnexpectedRecord", "unexpected (skipped) record in DTLS",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9850, "errSSLWeakPeerEphemeralDHKey", "weak ephemeral DH key",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9851, "errSSLClientHelloReceived", "ClientHello received (SNI)",
     SECTRANS_CATEGORY_BREAK},
    {-9852, "errSSLTransportReset", "transport (socket) shutdown",
     SECTRANS_CATEGORY_IO},
    {-9853, "errSSLNetworkTimeout", "network timeout triggered",
     SECTRANS_CATEGORY_IO},
    {-9854, "errSSLConfigurationFailed", "TLS configuration failed",
     SECTRANS_CATEGORY_CONFIGURATION},
    {-9855, "errSSLUnsupportedExtension", "unsupported TLS extension",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9856, "errSSLUnexpectedMessage", "peer rejected unexpected message",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9857, "errSSLDecompressFail", "decompression failed",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9858, "errSSLHandshakeFail", "handshake failed",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9859, "errSSLDecodeError", "decode failed", SECTRANS_CATEGORY_PROTOCOL},
    {-9860, "errSSLInappropriateFallback", "inappropriate fallback",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9861, "errSSLMissingExtension", "missing extension",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9862, "errSSLBadCertificateStatusResponse", "bad OCSP response",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9863, "errSSLCertificateRequired", "certificate required",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9864, "errSSLUnknownPSKIdentity", "unknown PSK identity",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9865, "errSSLUnrecognizedName", "unknown or unrecognized name",
     SECTRANS_CATEGORY_PROTOCOL},
    {-9890, "errSSLEarlyDataRejected", "early data rejected by peer",
     SECTRANS_CATEGORY_PROTOCOL},
};

static const struct status_info *status_lookup(sectrans_status status) {
  size_t i;

  for (i = 0; i < sizeof(status_table) / sizeof(status_table[0]); i++)
    if (status_table[i].code == status)
      return &status_table[i];
  return NULL;
}

const char *sectrans_status_string(sectrans_status status) {
  const struct status_info *info = status_lookup(status);

  return info != NULL ? info->name : "unknown status";
}

const char *sectrans_status_description(sectrans_status status) {
  const struct status_info *info = status_lookup(status);

  return info != NULL ? info->description : "unknown status";
}

int sectrans_status_category(sectrans_status status) {
  const struct status_info *info = status_lookup(status);

  return info != NULL ? (int)info->category : SECTRANS_CATEGORY_UNKNOWN;
}

/* ---- alerts received ---------------------------------------------------- */

struct code_map {
  int from;
  sectrans_status to;
};

static const struct code_map alert_table[] = {
    {SSL_AD_CLOSE_NOTIFY, SECTRANS_CLOSED_GRACEFUL},
    {SSL_AD_UNEXPECTED_MESSAGE, SECTRANS_ERR_PEER_UNEXPECTED_MSG},
    {SSL_AD_BAD_RECORD_MAC, SECTRANS_ERR_PEER_BAD_RECORD_MAC},
    {SSL_AD_DECRYPTION_FAILED, SECTRANS_ERR_PEER_DECRYPTION_FAIL},
    {SSL_AD_RECORD_OVERFLOW, SECTRANS_ERR_PEER_RECORD_OVERFLOW},
    {SSL_AD_DECOMPRESSION_FAILURE, SECTRANS_ERR_PEER_DECOMPRESS_FAIL},
    {SSL_AD_HANDSHAKE_FAILURE, SECTRANS_ERR_PEER_HANDSHAKE_FAIL},
    {SSL_AD_BAD_CERTIFICATE, SECTRANS_ERR_PEER_BAD_CERT},
    {SSL_AD_UNSUPPORTED_CERTIFICATE, SECTRANS_ERR_PEER_UNSUPPORTED_CERT},
    {SSL_AD_CERTIFICATE_REVOKED, SECTRANS_ERR_PEER_CERT_REVOKED},
    {SSL_AD_CERTIFICATE_EXPIRED, SECTRANS_ERR_PEER_CERT_EXPIRED},
    {SSL_AD_CERTIFICATE_UNKNOWN, SECTRANS_ERR_PEER_CERT_UNKNOWN},
    {SSL_AD_ILLEGAL_PARAMETER, SECTRANS_ERR_ILLEGAL_PARAM},
    {SSL_AD_UNKNOWN_CA, SECTRANS_ERR_PEER_UNKNOWN_CA},
    {SSL_AD_ACCESS_DENIED, SECTRANS_ERR_PEER_ACCESS_DENIED},
    {SSL_AD_DECODE_ERROR, SECTRANS_ERR_PEER_DECODE_ERROR},
    {SSL_AD_DECRYPT_ERROR, SECTRANS_ERR_PEER_DECRYPT_ERROR},
    {SSL_AD_EXPORT_RESTRICTION, SECTRANS_ERR_PEER_EXPORT_RESTRICTION},
    {SSL_AD_PROTOCOL_VERSION, SECTRANS_ERR_PEER_PROTOCOL_VERSION},
    {SSL_AD_INSUFFICIENT_SECURITY, SECTRANS_ERR_PEER_INSUFFICIENT_SECURITY},
    {SSL_AD_INTERNAL_ERROR, SECTRANS_ERR_PEER_INTERNAL_ERROR},
    {SSL_AD_INAPPROPRIATE_FALLBACK, SECTRANS_ERR_INAPPROPRIATE_FALLBACK},
    {SSL_AD_USER_CANCELLED, SECTRANS_ERR_PEER_USER_CANCELLED},
    {SSL_AD_NO_RENEGOTIATION, SECTRANS_ERR_PEER_NO_RENEGOTIATION},
    {SSL_AD_MISSING_EXTENSION, SECTRANS_ERR_MISSING_EXTENSION},
    {SSL_AD_UNSUPPORTED_EXTENSION, SECTRANS_ERR_UNSUPPORTED_EXTENSION},
    {SSL_AD_UNRECOGNIZED_NAME, SECTRANS_ERR_UNRECOGNIZED_NAME},
    {SSL_AD_BAD_CERTIFICATE_STATUS_RESPONSE,
     SECTRANS_ERR_BAD_CERTIFICATE_STATUS_RESPONSE},
    {SSL_AD_UNKNOWN_PSK_IDENTITY, SECTRANS_ERR_UNKNOWN_PSK_IDENTITY},
    {SSL_AD_CERTIFICATE_REQUIRED, SECTRANS_ERR_CERTIFICATE_REQUIRED},
};

/* The entry of map for from, or NULL when there is none. */
static const struct code_map *map_find(const struct code_map *map, size_t n,
                                       int from) {
  size_t i;

  for (i = 0; i < n; i++)
    if (map[i].from == from)
      return &map[i];
  return NULL;
}

sectrans_status status_from_peer_alert(int alert) {
  const struct code_map *entry = map_find(
      alert_table, sizeof(alert_table) / sizeof(alert_table[0]), alert);

  return entry != NULL ? entry->to : SECTRANS_ERR_FATAL_ALERT;
}

/* ---- BoringSSL's error queue -------------------------------------------- */

static const struct code_map ssl_reason_table[] = {
    {SSL_R_NO_SHARED_CIPHER, SECTRANS_ERR_NEGOTIATION},
    {SSL_R_UNSUPPORTED_PROTOCOL, SECTRANS_ERR_NEGOTIATION},
    {SSL_R_NO_SUPPORTED_VERSIONS_ENABLED, SECTRANS_ERR_NEGOTIATION},
    {SSL_R_NO_COMMON_SIGNATURE_ALGORITHMS, SECTRANS_ERR_NEGOTIATION},
    {SSL_R_NO_SHARED_GROUP, SECTRANS_ERR_NEGOTIATION},
    {SSL_R_DECRYPTION_FAILED, SECTRANS_ERR_DECRYPTION_FAIL},
    {SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC, SECTRANS_ERR_BAD_RECORD_MAC},
    {SSL_R_BLOCK_CIPHER_PAD_IS_WRONG, SECTRANS_ERR_BAD_RECORD_MAC},
    {SSL_R_RECORD_TOO_LARGE, SECTRANS_ERR_RECORD_OVERFLOW},
    {SSL_R_DATA_LENGTH_TOO_LONG, SECTRANS_ERR_RECORD_OVERFLOW},
    {SSL_R_ENCRYPTED_LENGTH_TOO_LONG, SECTRANS_ERR_RECORD_OVERFLOW},
    {SSL_R_CERTIFICATE_VERIFY_FAILED, SECTRANS_ERR_X_CERT_CHAIN_INVALID},
    {SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE,
     SECTRANS_ERR_X_CERT_CHAIN_INVALID},
    {SSL_R_BAD_SIGNATURE, SECTRANS_ERR_CRYPTO},
    {SSL_R_CERTIFICATE_AND_PRIVATE_KEY_MISMATCH, SECTRANS_ERR_BAD_CERT},
    {SSL_R_KEY_USAGE_BIT_INCORRECT, SECTRANS_ERR_BAD_CERT},
    {SSL_R_NO_CERTIFICATE_SET, SECTRANS_ERR_BAD_CONFIGURATION},
    {SSL_R_WRONG_VERSION_NUMBER, SECTRANS_ERR_PROTOCOL},
};

static const struct code_map lib_table[] = {
    {ERR_LIB_SYS, SECTRANS_ERR_IO},
    {ERR_LIB_X509, SECTRANS_ERR_BAD_CERT},
    {ERR_LIB_X509V3, SECTRANS_ERR_BAD_CERT},
    {ERR_LIB_PEM, SECTRANS_ERR_BAD_CERT},
    {ERR_LIB_ASN1, SECTRANS_ERR_BAD_CERT},
    {ERR_LIB_PKCS8, SECTRANS_ERR_BAD_CERT},
    {ERR_LIB_EVP, SECTRANS_ERR_CRYPTO},
    {ERR_LIB_RSA, SECTRANS_ERR_CRYPTO},
    {ERR_LIB_EC, SECTRANS_ERR_CRYPTO},
    {ERR_LIB_ECDSA, SECTRANS_ERR_CRYPTO},
    {ERR_LIB_ECDH, SECTRANS_ERR_CRYPTO},
    {ERR_LIB_BN, SECTRANS_ERR_CRYPTO},
    {ERR_LIB_DH, SECTRANS_ERR_CRYPTO},
    {ERR_LIB_DSA, SECTRANS_ERR_CRYPTO},
    {ERR_LIB_DIGEST, SECTRANS_ERR_CRYPTO},
    {ERR_LIB_CIPHER, SECTRANS_ERR_CRYPTO},
    {ERR_LIB_HKDF, SECTRANS_ERR_CRYPTO},
    {ERR_LIB_HMAC, SECTRANS_ERR_CRYPTO},
    {ERR_LIB_RAND, SECTRANS_ERR_CRYPTO},
};

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* How telling an error is. When the queue holds several, the highest rank
 * wins, and the first of equal rank. BoringSSL pushes the TLS reason after
 * the low-level one (a bad MAC after CIPHER's BAD_DECRYPT, BAD_SIGNATURE
 * after the EC or BN error that found it), so a reason the table knows
 * must outrank both a library's status and an SSL reason it does not know
 * (WRONG_SIGNATURE_TYPE, say, which then reads as errSSLProtocol). */
enum error_rank {
  RANK_UNKNOWN = 0,    /* an SSL reason not in the table; other libraries */
  RANK_LIBRARY = 1,    /* lib_table: the library's own status */
  RANK_TLS_REASON = 2, /* ssl_reason_table, or out of memory */
  RANK_ALERT = 3       /* an alert the peer sent */
};

static enum error_rank error_status(uint32_t err, sectrans_status *status) {
  int lib = ERR_GET_LIB(err), reason = ERR_GET_REASON(err);
  const struct code_map *entry;

  if (lib == ERR_LIB_SSL && reason >= SSL_AD_REASON_OFFSET) {
    *status = status_from_peer_alert(reason - SSL_AD_REASON_OFFSET);
    return RANK_ALERT;
  }
  if (lib != ERR_LIB_SYS && reason == ERR_R_MALLOC_FAILURE) {
    *status = SECTRANS_ERR_ALLOCATE;
    return RANK_TLS_REASON;
  }
  if (lib == ERR_LIB_SSL) {
    entry = map_find(ssl_reason_table, NITEMS(ssl_reason_table), reason);
    if (entry != NULL) {
      *status = entry->to;
      return RANK_TLS_REASON;
    }
    *status = SECTRANS_ERR_PROTOCOL;
    return RANK_UNKNOWN;
  }
  if ((entry = map_find(lib_table, NITEMS(lib_table), lib)) != NULL) {
    *status = entry->to;
    return RANK_LIBRARY;
  }
  *status = SECTRANS_ERR_INTERNAL;
  return RANK_UNKNOWN;
}

/* "<library>: <reason>", or "received alert: <description>". */
static void error_detail(uint32_t err, char *detail, size_t size) {
  const char *lib, *reason;
  int code = ERR_GET_REASON(err);

  if (detail == NULL || size == 0)
    return;
  if (ERR_GET_LIB(err) == ERR_LIB_SSL && code >= SSL_AD_REASON_OFFSET) {
    snprintf(detail, size, "received alert: %s",
             bssl.SSL_alert_desc_string_long(code - SSL_AD_REASON_OFFSET));
    return;
  }
  lib = bssl.ERR_lib_error_string(err);
  reason = bssl.ERR_reason_error_string(err);
  if (lib != NULL && reason != NULL)
    snprintf(detail, size, "%s: %s", lib, reason);
  else
    bssl.ERR_error_string_n(err, detail, size);
}

/* A PKCS#12 MAC that does not verify is PKCS8_R_INCORRECT_PASSWORD
 * (BoringSSL refuses files without a MAC: PKCS8_R_MISSING_MAC); a key
 * encrypted under another password than the MAC's shows as a padding
 * failure; a password that is not UTF-8 cannot be the right one either. */
static int is_wrong_password_error(uint32_t err) {
  int lib = ERR_GET_LIB(err), reason = ERR_GET_REASON(err);
  return (lib == ERR_LIB_PKCS8 && (reason == PKCS8_R_INCORRECT_PASSWORD ||
                                   reason == PKCS8_R_INVALID_CHARACTERS)) ||
         (lib == ERR_LIB_CIPHER && reason == CIPHER_R_BAD_DECRYPT);
}

/* What one walk of the queue found; the walk empties it. */
struct queue_reading {
  uint32_t best; /* the most telling error, 0 for an empty queue */
  sectrans_status status;
  int out_of_memory;
  int wrong_password;
};

static void read_error_queue(struct queue_reading *r) {
  enum error_rank best_rank = RANK_UNKNOWN;
  sectrans_status s;
  uint32_t err;

  r->best = 0;
  r->status = SECTRANS_ERR_INTERNAL;
  r->out_of_memory = r->wrong_password = 0;
  while ((err = bssl.ERR_get_error()) != 0) {
    enum error_rank rank = error_status(err, &s);
    if (r->best == 0 || rank > best_rank) {
      r->best = err;
      best_rank = rank;
      r->status = s;
    }
    r->out_of_memory |= ERR_GET_REASON(err) == ERR_R_MALLOC_FAILURE;
    r->wrong_password |= is_wrong_password_error(err);
  }
  bssl.ERR_clear_error();
}

sectrans_status status_from_error_queue(char *detail, size_t size) {
  struct queue_reading r;

  if (detail != NULL && size > 0)
    snprintf(detail, size, "internal error");
  if (bssl_load() != SECTRANS_SUCCESS)
    return SECTRANS_ERR_INTERNAL;
  read_error_queue(&r);
  if (r.best != 0)
    error_detail(r.best, detail, size);
  return r.status;
}

sectrans_status status_or_allocate(sectrans_status otherwise) {
  struct queue_reading r;

  read_error_queue(&r);
  return r.out_of_memory ? SECTRANS_ERR_ALLOCATE : otherwise;
}

sectrans_status status_of_password_failure(sectrans_status otherwise) {
  struct queue_reading r;

  read_error_queue(&r);
  if (r.out_of_memory)
    return SECTRANS_ERR_ALLOCATE;
  return r.wrong_password ? SECTRANS_ERR_AUTH_FAILED : otherwise;
}
