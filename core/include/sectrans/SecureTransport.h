/*
 * SecureTransport.h: Apple's Secure Transport names over the sectrans ABI.
 *
 * Code written for Apple's API compiles with one line changed:
 *
 *     #include <Security/SecureTransport.h>   becomes
 *     #include <sectrans/SecureTransport.h>
 *
 * and links with -lsectrans (pkg-config sectrans). Every function here is
 * static inline over the sectrans_* functions of <sectrans/sectrans.h>:
 * nothing is compiled into libsectrans and the library exports no Apple
 * name, so it can share a process with anything. Besides Secure Transport,
 * this brings the CoreFoundation subset of <sectrans/CoreFoundation.h>
 * (CFString, CFData, CFArray, CFDictionary, CFError, CFRetain/CFRelease)
 * and the Security subset of <sectrans/SecTrust.h> (SecTrust, SecPolicy,
 * SecCertificate, SecIdentity, SecPKCS12Import), which document their own
 * differences.
 *
 * Types: SSLContextRef is a sectrans_context *, so a context can be handed
 * to sectrans_* functions (sectrans_set_fd, sectrans_get_session_resumed,
 * sectrans_context_error_detail...) where Apple has no name. The enums are
 * ints and the error codes OSStatus (int32_t), with Apple's values.
 *
 * SSLCipherSuite is uint16_t, as on iOS and on arm64 macOS. x86_64 macOS
 * declared it uint32_t, a leftover of 32-bit SSL 2 era code; every suite
 * number, SSL 2's 0xFF8x tags included, fits in 16 bits and the IANA
 * registry is 16 bits wide. The sectrans ABI takes uint16_t arrays, so
 * SSLGetEnabledCiphers and friends pass the caller's array through without
 * a copy. Code that declares its arrays as SSLCipherSuite is unaffected;
 * code that hard-codes uint32_t (for x86_64 macOS) must use the typedef.
 *
 * What behaves differently from Apple's Secure Transport (all of the
 * library's departures are in docs/secure-transport.md; the ones visible
 * here):
 *  - TLS 1.2 and 1.3 only. SSLSetProtocolVersionMin accepts kTLSProtocol1
 *    and kTLSProtocol11 (meaning TLS 1.2); SSLSetProtocolVersionMax accepts
 *    kTLSProtocol12, kTLSProtocol13 and kTLSProtocolMaxSupported (Apple
 *    rejected TLS 1.3 with errSSLIllegalParam). Every other value gives
 *    errSSLIllegalParam, as on Apple.
 *  - Verification is on, and a client needs SSLSetPeerDomainName unless
 *    it sets kSSLSessionOptionBreakOnServerAuth (then it verifies itself,
 *    as curl did for IP literals): without one SSLHandshake returns
 *    errSSLBadConfiguration before sending a byte;
 *    sectrans_set_verify_mode(ctx, SECTRANS_VERIFY_CHAIN_ONLY) is the
 *    opt-out. Failures return the
 *    specific code (errSSLHostNameMismatch, errSSLCertExpired,
 *    errSSLUnknownRootCert...) instead of errSSLXCertChainInvalid for all.
 *  - After errSSLServerAuthCompleted / errSSLClientAuthCompleted the
 *    handshake goes on only once the peer trust was evaluated successfully
 *    (SecTrustEvaluate or SecTrustEvaluateWithError on SSLCopyPeerTrust's
 *    trust). Otherwise the next call sends a fatal alert and fails with
 *    errSSLXCertChainInvalid: Apple let an unevaluated trust through.
 *  - SSLHandshake after success is a no-op returning noErr; a failed
 *    handshake is terminal (every later call returns its status).
 *  - SSLSetCertificate: element 0 must be a SecIdentityRef; the identity
 *    sends its own chain (from SecPKCS12Import), and the other elements
 *    (intermediates) are not used: put them in the PKCS#12 file.
 *  - SSLSetALPNProtocols works on servers too (the server picks its first
 *    protocol that the client offers).
 *  - SSLSetSessionConfig accepts the kSSLSessionConfig_* names and changes
 *    nothing: sectrans's defaults (TLS 1.2+, AEAD suites) are stricter than
 *    every named configuration.
 *  - Not provided: SSLReHandshake (BoringSSL servers cannot renegotiate),
 *    SSLGetPeerID (Apple returns a pointer into the context; use
 *    sectrans_get_peer_id), DTLS calls, SSLSetDiffieHellmanParams, the
 *    macOS-only pre-10.9 calls (SSLSetTrustedRoots, SSLSetAllowsAnyRoot,
 *    SSLSetEnableCertVerify...), SSLContextGetTypeID, and the private SPI.
 *  - Whether a session was resumed has no Apple name: call
 *    sectrans_get_session_resumed(ctx, &resumed).
 */
#ifndef SECTRANS_SECURETRANSPORT_H
#define SECTRANS_SECURETRANSPORT_H

#include <sectrans/SecTrust.h>
#include <sectrans/sectrans.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Types --------------------------------------------------------------- */

typedef sectrans_context *SSLContextRef;
typedef const void *SSLConnectionRef;
/* Identical to sectrans_read_func / sectrans_write_func: the callback
 * contract is Apple's, exactly (see sectrans_set_io_funcs). */
typedef OSStatus (*SSLReadFunc)(SSLConnectionRef connection, void *data,
                                size_t *dataLength);
typedef OSStatus (*SSLWriteFunc)(SSLConnectionRef connection, const void *data,
                                 size_t *dataLength);

typedef uint16_t SSLCipherSuite; /* see the top of this file */

typedef int SSLProtocolSide;
enum {
  kSSLServerSide = 0,
  kSSLClientSide = 1
};

typedef int SSLConnectionType;
enum {
  kSSLStreamType = 0,
  kSSLDatagramType = 1
};

typedef int SSLProtocol;
enum {
  kSSLProtocolUnknown = 0,
  kSSLProtocol2 = 1,
  kSSLProtocol3 = 2,
  kSSLProtocol3Only = 3,
  kTLSProtocol1 = 4,
  kTLSProtocol1Only = 5,
  kSSLProtocolAll = 6,
  kTLSProtocol11 = 7,
  kTLSProtocol12 = 8,
  kDTLSProtocol1 = 9,
  kTLSProtocol13 = 10,
  kDTLSProtocol12 = 11,
  kTLSProtocolMaxSupported = 999
};

typedef int SSLSessionOption;
enum {
  kSSLSessionOptionBreakOnServerAuth = 0,
  kSSLSessionOptionBreakOnCertRequested = 1,
  kSSLSessionOptionBreakOnClientAuth = 2,
  kSSLSessionOptionFalseStart = 3,
  kSSLSessionOptionSendOneByteRecord = 4,
  kSSLSessionOptionAllowServerIdentityChange = 5,
  kSSLSessionOptionFallback = 6,
  kSSLSessionOptionBreakOnClientHello = 7,
  kSSLSessionOptionAllowRenegotiation = 8,
  kSSLSessionOptionEnableSessionTickets = 9
};

typedef int SSLSessionState;
enum {
  kSSLIdle = 0,
  kSSLHandshake = 1,
  kSSLConnected = 2,
  kSSLClosed = 3,
  kSSLAborted = 4
};

typedef int SSLClientCertificateState;
enum {
  kSSLClientCertNone = 0,
  kSSLClientCertRequested = 1,
  kSSLClientCertSent = 2,
  kSSLClientCertRejected = 3
};

typedef int SSLAuthenticate;
enum {
  kNeverAuthenticate = 0,
  kAlwaysAuthenticate = 1,
  kTryAuthenticate = 2
};

typedef int SSLCiphersuiteGroup;
enum {
  kSSLCiphersuiteGroupDefault = 0,
  kSSLCiphersuiteGroupCompatibility = 1,
  kSSLCiphersuiteGroupLegacy = 2,
  kSSLCiphersuiteGroupATS = 3,
  kSSLCiphersuiteGroupATSCompatibility = 4
};

/* ---- Result codes (Apple's SecBase.h values) ---------------------------- */

enum {
  errSSLProtocol = -9800,
  errSSLNegotiation = -9801,
  errSSLFatalAlert = -9802,
  errSSLWouldBlock = -9803,
  errSSLSessionNotFound = -9804,
  errSSLClosedGraceful = -9805,
  errSSLClosedAbort = -9806,
  errSSLXCertChainInvalid = -9807,
  errSSLBadCert = -9808,
  errSSLCrypto = -9809,
  errSSLInternal = -9810,
  errSSLModuleAttach = -9811,
  errSSLUnknownRootCert = -9812,
  errSSLNoRootCert = -9813,
  errSSLCertExpired = -9814,
  errSSLCertNotYetValid = -9815,
  errSSLClosedNoNotify = -9816,
  errSSLBufferOverflow = -9817,
  errSSLBadCipherSuite = -9818,
  errSSLPeerUnexpectedMsg = -9819,
  errSSLPeerBadRecordMac = -9820,
  errSSLPeerDecryptionFail = -9821,
  errSSLPeerRecordOverflow = -9822,
  errSSLPeerDecompressFail = -9823,
  errSSLPeerHandshakeFail = -9824,
  errSSLPeerBadCert = -9825,
  errSSLPeerUnsupportedCert = -9826,
  errSSLPeerCertRevoked = -9827,
  errSSLPeerCertExpired = -9828,
  errSSLPeerCertUnknown = -9829,
  errSSLIllegalParam = -9830,
  errSSLPeerUnknownCA = -9831,
  errSSLPeerAccessDenied = -9832,
  errSSLPeerDecodeError = -9833,
  errSSLPeerDecryptError = -9834,
  errSSLPeerExportRestriction = -9835,
  errSSLPeerProtocolVersion = -9836,
  errSSLPeerInsufficientSecurity = -9837,
  errSSLPeerInternalError = -9838,
  errSSLPeerUserCancelled = -9839,
  errSSLPeerNoRenegotiation = -9840,
  errSSLPeerAuthCompleted = -9841,   /* not fatal: a break point */
  errSSLServerAuthCompleted = -9841, /* alias */
  errSSLClientAuthCompleted = -9841, /* alias */
  errSSLClientCertRequested = -9842, /* not fatal: a break point */
  errSSLHostNameMismatch = -9843,
  errSSLConnectionRefused = -9844,
  errSSLDecryptionFail = -9845,
  errSSLBadRecordMac = -9846,
  errSSLRecordOverflow = -9847,
  errSSLBadConfiguration = -9848,
  errSSLUnexpectedRecord = -9849,
  errSSLLast = -9849,
  errSSLWeakPeerEphemeralDHKey = -9850,
  errSSLClientHelloReceived = -9851, /* not fatal: a break point */
  errSSLTransportReset = -9852,
  errSSLNetworkTimeout = -9853,
  errSSLConfigurationFailed = -9854,
  errSSLUnsupportedExtension = -9855,
  errSSLUnexpectedMessage = -9856,
  errSSLDecompressFail = -9857,
  errSSLHandshakeFail = -9858,
  errSSLDecodeError = -9859,
  errSSLInappropriateFallback = -9860,
  errSSLMissingExtension = -9861,
  errSSLBadCertificateStatusResponse = -9862,
  errSSLCertificateRequired = -9863,
  errSSLUnknownPSKIdentity = -9864,
  errSSLUnrecognizedName = -9865,
  errSSLATSViolation = -9880,
  errSSLATSMinimumVersionViolation = -9881,
  errSSLATSCiphersuiteViolation = -9882,
  errSSLATSMinimumKeySizeViolation = -9883,
  errSSLATSLeafCertificateHashAlgorithmViolation = -9884,
  errSSLATSCertificateHashAlgorithmViolation = -9885,
  errSSLATSCertificateTrustViolation = -9886,
  errSSLEarlyDataRejected = -9890
};

/* ---- Cipher suites (IANA numbers; the ones sectrans can negotiate) ------ */

enum {
  SSL_NO_SUCH_CIPHERSUITE = 0xFFFF,
  TLS_RSA_WITH_AES_128_CBC_SHA = 0x002F,
  TLS_RSA_WITH_AES_256_CBC_SHA = 0x0035,
  TLS_RSA_WITH_AES_128_GCM_SHA256 = 0x009C,
  TLS_RSA_WITH_AES_256_GCM_SHA384 = 0x009D,
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00FF,
  TLS_AES_128_GCM_SHA256 = 0x1301,
  TLS_AES_256_GCM_SHA384 = 0x1302,
  TLS_CHACHA20_POLY1305_SHA256 = 0x1303,
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA = 0xC009,
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA = 0xC00A,
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA = 0xC013,
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA = 0xC014,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 = 0xC02B,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 = 0xC02C,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 = 0xC02F,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 = 0xC030,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA8,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = 0xCCA9
};

/* ---- Session configurations (names only; see the top) ------------------- */

#define SECTRANS_ST_CONFIG(name)                                               \
  static const struct __CFString __sectrans_kSSLSessionConfig_##name           \
      SECTRANS_CF_UNUSED = SECTRANS_CF_CONSTANT_STRING(#name);
SECTRANS_ST_CONFIG(default)
SECTRANS_ST_CONFIG(ATSv1)
SECTRANS_ST_CONFIG(ATSv1_noPFS)
SECTRANS_ST_CONFIG(standard)
SECTRANS_ST_CONFIG(RC4_fallback)
SECTRANS_ST_CONFIG(TLSv1_fallback)
SECTRANS_ST_CONFIG(TLSv1_RC4_fallback)
SECTRANS_ST_CONFIG(legacy)
SECTRANS_ST_CONFIG(legacy_DHE)
SECTRANS_ST_CONFIG(anonymous)
SECTRANS_ST_CONFIG(3DES_fallback)
SECTRANS_ST_CONFIG(TLSv1_3DES_fallback)
#undef SECTRANS_ST_CONFIG
#define kSSLSessionConfig_default                                              \
  ((CFStringRef)&__sectrans_kSSLSessionConfig_default)
#define kSSLSessionConfig_ATSv1                                                \
  ((CFStringRef)&__sectrans_kSSLSessionConfig_ATSv1)
#define kSSLSessionConfig_ATSv1_noPFS                                          \
  ((CFStringRef)&__sectrans_kSSLSessionConfig_ATSv1_noPFS)
#define kSSLSessionConfig_standard                                             \
  ((CFStringRef)&__sectrans_kSSLSessionConfig_standard)
#define kSSLSessionConfig_RC4_fallback                                         \
  ((CFStringRef)&__sectrans_kSSLSessionConfig_RC4_fallback)
#define kSSLSessionConfig_TLSv1_fallback                                       \
  ((CFStringRef)&__sectrans_kSSLSessionConfig_TLSv1_fallback)
#define kSSLSessionConfig_TLSv1_RC4_fallback                                   \
  ((CFStringRef)&__sectrans_kSSLSessionConfig_TLSv1_RC4_fallback)
#define kSSLSessionConfig_legacy                                               \
  ((CFStringRef)&__sectrans_kSSLSessionConfig_legacy)
#define kSSLSessionConfig_legacy_DHE                                           \
  ((CFStringRef)&__sectrans_kSSLSessionConfig_legacy_DHE)
#define kSSLSessionConfig_anonymous                                            \
  ((CFStringRef)&__sectrans_kSSLSessionConfig_anonymous)
#define kSSLSessionConfig_3DES_fallback                                        \
  ((CFStringRef)&__sectrans_kSSLSessionConfig_3DES_fallback)
#define kSSLSessionConfig_TLSv1_3DES_fallback                                  \
  ((CFStringRef)&__sectrans_kSSLSessionConfig_TLSv1_3DES_fallback)

/* ---- Creation ------------------------------------------------------------ */

/* NULL on failure (sectrans_load_error says why when BoringSSL is
 * missing). The allocator is ignored. */
static inline SSLContextRef SSLCreateContext(CFAllocatorRef alloc,
                                             SSLProtocolSide protocolSide,
                                             SSLConnectionType connectionType) {
  sectrans_context *ctx = NULL;
  (void)alloc;
  if (sectrans_context_create(protocolSide, connectionType, &ctx) != 0)
    return NULL;
  return ctx;
}

/* The macOS-only pre-10.9 pair. */
static inline OSStatus SSLNewContext(Boolean isServer,
                                     SSLContextRef *contextPtr) {
  if (contextPtr == NULL)
    return errSecParam;
  *contextPtr = NULL;
  return sectrans_context_create(isServer ? kSSLServerSide : kSSLClientSide,
                                 kSSLStreamType, contextPtr);
}

static inline OSStatus SSLDisposeContext(SSLContextRef context) {
  if (context == NULL)
    return errSecParam;
  sectrans_context_release(context);
  return errSecSuccess;
}

/* ---- Connection and I/O -------------------------------------------------- */

static inline OSStatus SSLSetIOFuncs(SSLContextRef context,
                                     SSLReadFunc readFunc,
                                     SSLWriteFunc writeFunc) {
  return sectrans_set_io_funcs(context, readFunc, writeFunc);
}

static inline OSStatus SSLSetConnection(SSLContextRef context,
                                        SSLConnectionRef connection) {
  return sectrans_set_connection(context, connection);
}

static inline OSStatus SSLGetConnection(SSLContextRef context,
                                        SSLConnectionRef *connection) {
  return sectrans_get_connection(context, connection);
}

/* ---- Peer names ---------------------------------------------------------- */

static inline OSStatus SSLSetPeerDomainName(SSLContextRef context,
                                            const char *peerName,
                                            size_t peerNameLen) {
  return sectrans_set_peer_domain_name(context, peerName, peerNameLen);
}

/* Asks a (buf, *len) getter for the length only. */
#define SECTRANS_ST_LENGTH_OF(call, lenp)                                      \
  do {                                                                         \
    size_t __n = 0;                                                            \
    OSStatus __s;                                                              \
    if ((lenp) == NULL)                                                        \
      return errSecParam;                                                      \
    __s = (call);                                                              \
    if (__s != 0 && __s != errSSLBufferOverflow)                               \
      return __s;                                                              \
    *(lenp) = __n;                                                             \
    return errSecSuccess;                                                      \
  } while (0)

/* 0 when unset. */
static inline OSStatus SSLGetPeerDomainNameLength(SSLContextRef context,
                                                  size_t *peerNameLen) {
  SECTRANS_ST_LENGTH_OF(sectrans_get_peer_domain_name(context, NULL, &__n),
                        peerNameLen);
}

/* Copies the name without a NUL; errSSLBufferOverflow when it does not fit. */
static inline OSStatus SSLGetPeerDomainName(SSLContextRef context,
                                            char *peerName,
                                            size_t *peerNameLen) {
  return sectrans_get_peer_domain_name(context, peerName, peerNameLen);
}

/* Server: the SNI host name the client sent (after
 * errSSLClientHelloReceived). errSecParam when it sent none. */
static inline OSStatus SSLCopyRequestedPeerNameLength(SSLContextRef context,
                                                      size_t *peerNameLen) {
  SECTRANS_ST_LENGTH_OF(sectrans_get_requested_peer_name(context, NULL, &__n),
                        peerNameLen);
}

static inline OSStatus SSLCopyRequestedPeerName(SSLContextRef context,
                                                char *peerName,
                                                size_t *peerNameLen) {
  return sectrans_get_requested_peer_name(context, peerName, peerNameLen);
}

/* ---- Protocol versions --------------------------------------------------- */

static inline OSStatus SSLSetProtocolVersionMin(SSLContextRef context,
                                                SSLProtocol minVersion) {
  return sectrans_set_protocol_version_min(context, minVersion);
}

static inline OSStatus SSLSetProtocolVersionMax(SSLContextRef context,
                                                SSLProtocol maxVersion) {
  return sectrans_set_protocol_version_max(context, maxVersion);
}

static inline OSStatus SSLGetProtocolVersionMin(SSLContextRef context,
                                                SSLProtocol *minVersion) {
  return sectrans_get_protocol_version_min(context, minVersion);
}

static inline OSStatus SSLGetProtocolVersionMax(SSLContextRef context,
                                                SSLProtocol *maxVersion) {
  return sectrans_get_protocol_version_max(context, maxVersion);
}

/* kSSLProtocolUnknown before the ServerHello; kTLSProtocol12 or
 * kTLSProtocol13 after. */
static inline OSStatus SSLGetNegotiatedProtocolVersion(SSLContextRef context,
                                                       SSLProtocol *protocol) {
  return sectrans_get_negotiated_protocol_version(context, protocol);
}

/* Accepts the kSSLSessionConfig_* names (see the top); errSecParam for any
 * other string. */
static inline OSStatus SSLSetSessionConfig(SSLContextRef context,
                                           CFStringRef config) {
  static const char *const names[] = {"default",
                                      "ATSv1",
                                      "ATSv1_noPFS",
                                      "standard",
                                      "RC4_fallback",
                                      "TLSv1_fallback",
                                      "TLSv1_RC4_fallback",
                                      "legacy",
                                      "legacy_DHE",
                                      "anonymous",
                                      "3DES_fallback",
                                      "TLSv1_3DES_fallback"};
  const char *name = CFStringGetCStringPtr(config, kCFStringEncodingUTF8);
  if (context == NULL || name == NULL)
    return errSecParam;
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (strcmp(name, names[i]) == 0)
      return errSecSuccess;
  return errSecParam;
}

/* ---- Cipher suites ------------------------------------------------------- */

static inline OSStatus SSLGetNumberSupportedCiphers(SSLContextRef context,
                                                    size_t *numCiphers) {
  SECTRANS_ST_LENGTH_OF(sectrans_get_supported_ciphers(context, NULL, &__n),
                        numCiphers);
}

static inline OSStatus SSLGetSupportedCiphers(SSLContextRef context,
                                              SSLCipherSuite *ciphers,
                                              size_t *numCiphers) {
  return sectrans_get_supported_ciphers(context, ciphers, numCiphers);
}

static inline OSStatus SSLGetNumberEnabledCiphers(SSLContextRef context,
                                                  size_t *numCiphers) {
  SECTRANS_ST_LENGTH_OF(sectrans_get_enabled_ciphers(context, NULL, &__n),
                        numCiphers);
}

static inline OSStatus SSLGetEnabledCiphers(SSLContextRef context,
                                            SSLCipherSuite *ciphers,
                                            size_t *numCiphers) {
  return sectrans_get_enabled_ciphers(context, ciphers, numCiphers);
}

static inline OSStatus SSLSetEnabledCiphers(SSLContextRef context,
                                            const SSLCipherSuite *ciphers,
                                            size_t numCiphers) {
  return sectrans_set_enabled_ciphers(context, ciphers, numCiphers);
}

/* errSecBadReq unless a session is active, as on Apple. */
static inline OSStatus SSLGetNegotiatedCipher(SSLContextRef context,
                                              SSLCipherSuite *cipherSuite) {
  return sectrans_get_negotiated_cipher(context, cipherSuite);
}

#undef SECTRANS_ST_LENGTH_OF

/* ---- Certificates and client authentication ----------------------------- */

/* certRefs[0] is a SecIdentityRef (the rest is not used: see the top);
 * NULL clears the identity. */
static inline OSStatus SSLSetCertificate(SSLContextRef context,
                                         CFArrayRef certRefs) {
  const void *identity;
  if (context == NULL)
    return errSecParam;
  if (certRefs == NULL)
    return sectrans_set_identity(context, NULL);
  identity = CFArrayGetValueAtIndex(certRefs, 0);
  if (identity == NULL || __sectrans_cf_is(identity, 0))
    return errSecParam; /* empty, not an array, or [0] is a CF object */
  return sectrans_set_identity(context, (sectrans_identity *)identity);
}

static inline OSStatus SSLSetClientSideAuthenticate(SSLContextRef context,
                                                    SSLAuthenticate auth) {
  return sectrans_set_client_side_authenticate(context, auth);
}

static inline OSStatus SSLGetClientCertificateState(
    SSLContextRef context, SSLClientCertificateState *clientState) {
  return sectrans_get_client_certificate_state(context, clientState);
}

static inline OSStatus SSLAddDistinguishedName(SSLContextRef context,
                                               const void *derDN,
                                               size_t derDNLen) {
  return sectrans_add_distinguished_name(context, derDN, derDNLen);
}

/* An array of CFData (DER names), or NULL with noErr when there are none. */
static inline OSStatus SSLCopyDistinguishedNames(SSLContextRef context,
                                                 CFArrayRef *names) {
  size_t count = 0;
  CFMutableArrayRef array;
  OSStatus status;
  if (names == NULL)
    return errSecParam;
  *names = NULL;
  if ((status = sectrans_get_distinguished_name_count(context, &count)) != 0)
    return status;
  if (count == 0)
    return errSecSuccess;
  if ((array = CFArrayCreateMutable(NULL, (CFIndex)count,
                                    &kCFTypeArrayCallBacks)) == NULL)
    return errSecAllocate;
  for (size_t i = 0; i < count; i++) {
    unsigned char *der;
    size_t len = 0;
    CFDataRef data;
    bool ok;
    status = sectrans_copy_distinguished_name(context, i, NULL, &len);
    if (status != errSSLBufferOverflow ||
        (der = (unsigned char *)malloc(len)) == NULL) {
      CFRelease(array);
      return status == errSSLBufferOverflow ? errSecAllocate : status;
    }
    status = sectrans_copy_distinguished_name(context, i, der, &len);
    data = status == 0 ? CFDataCreate(NULL, der, (CFIndex)len) : NULL;
    free(der);
    ok = data != NULL && __sectrans_cf_array_append(array, data);
    CFRelease(data);
    if (!ok) {
      CFRelease(array);
      return status != 0 ? status : errSecAllocate;
    }
  }
  *names = array;
  return errSecSuccess;
}

/* ---- Peer trust ---------------------------------------------------------- */

/* +1 reference. noErr with *trust NULL when the peer sent no certificate
 * (yet), or the session was resumed, as on Apple. */
static inline OSStatus SSLCopyPeerTrust(SSLContextRef context,
                                        SecTrustRef *trust) {
  sectrans_trust *inner = NULL;
  OSStatus status;
  if (trust == NULL)
    return errSecParam;
  *trust = NULL;
  if ((status = sectrans_copy_peer_trust(context, &inner)) != 0)
    return status;
  if (inner != NULL && (*trust = __sectrans_trust_wrap(inner)) == NULL)
    return errSecAllocate;
  return errSecSuccess;
}

/* ---- Session options and resumption -------------------------------------- */

static inline OSStatus SSLSetSessionOption(SSLContextRef context,
                                           SSLSessionOption option,
                                           Boolean value) {
  return sectrans_set_session_option(context, option, value ? 1 : 0);
}

static inline OSStatus SSLGetSessionOption(SSLContextRef context,
                                           SSLSessionOption option,
                                           Boolean *value) {
  int v = 0;
  OSStatus status;
  if (value == NULL)
    return errSecParam;
  if ((status = sectrans_get_session_option(context, option, &v)) == 0)
    *value = v != 0;
  return status;
}

static inline OSStatus SSLSetSessionTicketsEnabled(SSLContextRef context,
                                                   Boolean enabled) {
  return sectrans_set_session_tickets_enabled(context, enabled ? 1 : 0);
}

static inline OSStatus SSLSetPeerID(SSLContextRef context, const void *peerID,
                                    size_t peerIDLen) {
  return sectrans_set_peer_id(context, peerID, peerIDLen);
}

/* ---- ALPN, OCSP, errors -------------------------------------------------- */

/* protocols: an array of CFString. Encoded as RFC 7301 says; empty names
 * are dropped. errSecParam when the array is NULL or empty, or the list
 * is over 255 bytes (Apple's limit). */
static inline OSStatus SSLSetALPNProtocols(SSLContextRef context,
                                           CFArrayRef protocols) {
  unsigned char list[255];
  size_t len = 0;
  CFIndex count = CFArrayGetCount(protocols);
  if (context == NULL || count == 0)
    return errSecParam;
  for (CFIndex i = 0; i < count; i++) {
    CFStringRef name = (CFStringRef)CFArrayGetValueAtIndex(protocols, i);
    CFIndex n = CFStringGetLength(name);
    if (n == 0)
      continue;
    if (len + 1 + (size_t)n > sizeof(list))
      return errSecParam;
    list[len++] = (unsigned char)n;
    memcpy(list + len, CFStringGetCStringPtr(name, kCFStringEncodingASCII),
           (size_t)n);
    len += (size_t)n;
  }
  if (len == 0)
    return errSecParam;
  return sectrans_set_alpn(context, list, len);
}

/* The peer's ALPN protocol as an array of one CFString (+1 reference);
 * errSecParam with *protocols NULL when none was negotiated. */
static inline OSStatus SSLCopyALPNProtocols(SSLContextRef context,
                                            CFArrayRef *protocols) {
  unsigned char name[255];
  size_t len = sizeof(name);
  OSStatus status;
  CFStringRef s;
  if (protocols == NULL)
    return errSecParam;
  *protocols = NULL;
  if ((status = sectrans_get_negotiated_alpn(context, name, &len)) != 0)
    return status;
  if (len == 0)
    return errSecParam;
  if ((s = CFStringCreateWithBytes(NULL, name, (CFIndex)len,
                                   kCFStringEncodingASCII, false)) == NULL)
    return errSecAllocate;
  *protocols = CFArrayCreate(NULL, (const void **)&s, 1,
                             &kCFTypeArrayCallBacks);
  CFRelease(s);
  return *protocols ? errSecSuccess : errSecAllocate;
}

/* Server: a DER OCSP response to staple. */
static inline OSStatus SSLSetOCSPResponse(SSLContextRef context,
                                          CFDataRef response) {
  if (response == NULL || CFDataGetLength(response) <= 0)
    return errSecParam;
  return sectrans_set_ocsp_response(context, CFDataGetBytePtr(response),
                                    (size_t)CFDataGetLength(response));
}

static inline OSStatus SSLSetError(SSLContextRef context, OSStatus status) {
  return sectrans_set_error(context, status);
}

/* ---- The session --------------------------------------------------------- */

static inline OSStatus SSLHandshake(SSLContextRef context) {
  return sectrans_handshake(context);
}

static inline OSStatus SSLWrite(SSLContextRef context, const void *data,
                                size_t dataLength, size_t *processed) {
  return sectrans_write(context, data, dataLength, processed);
}

static inline OSStatus SSLRead(SSLContextRef context, void *data,
                               size_t dataLength, size_t *processed) {
  return sectrans_read(context, data, dataLength, processed);
}

static inline OSStatus SSLGetBufferedReadSize(SSLContextRef context,
                                              size_t *bufferSize) {
  return sectrans_get_buffered_read_size(context, bufferSize);
}

static inline OSStatus SSLClose(SSLContextRef context) {
  return sectrans_close(context);
}

static inline OSStatus SSLGetSessionState(SSLContextRef context,
                                          SSLSessionState *state) {
  return sectrans_get_session_state(context, state);
}

#ifdef __cplusplus
}
#endif

#endif /* SECTRANS_SECURETRANSPORT_H */
