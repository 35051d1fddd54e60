/*
 * header_check.c: what the three programs do not reach in
 * <sectrans/SecureTransport.h>, checked call by call: Apple's version rule,
 * the size queries, idle-state answers, the CF object model, offline trust
 * evaluation and PKCS#12 errors. Apple names only, like the programs.
 *
 * usage: header_check ROOT.der LEAF.der INTERMEDIATE.der ID.p12 PASSWORD
 * prints "all checks passed" and exits 0, or names each failed check.
 */
#include <sectrans/SecureTransport.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                              \
    }                                                                          \
  } while (0)

static CFDataRef read_file(const char *path) {
  unsigned char buf[65536];
  size_t len;
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  len = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  return CFDataCreate(NULL, buf, (CFIndex)len);
}

static SecCertificateRef load_cert(const char *path) {
  CFDataRef der = read_file(path);
  SecCertificateRef cert = SecCertificateCreateWithData(NULL, der);
  CFRelease(der);
  if (cert == NULL) {
    fprintf(stderr, "%s is not a DER certificate\n", path);
    exit(1);
  }
  return cert;
}

static void check_context(void) {
  SSLContextRef ctx = SSLCreateContext(NULL, kSSLClientSide, kSSLStreamType);
  SSLContextRef old = NULL;
  SSLProtocol v = kSSLProtocolUnknown;
  SSLSessionState state = -1;
  SSLCipherSuite suite, *suites;
  size_t n = 0, m = 0;
  char name[4];
  SecTrustRef trust = (SecTrustRef)1;
  CFArrayRef alpn = (CFArrayRef)1, empty;
  Boolean on = false;

  CHECK(ctx != NULL);
  CHECK(SSLCreateContext(NULL, kSSLClientSide, kSSLDatagramType) == NULL);

  /* Apple's rule, with sectrans's range: TLS 1.3 is a legal maximum. */
  CHECK(SSLSetProtocolVersionMax(ctx, kTLSProtocol13) == noErr);
  CHECK(SSLSetProtocolVersionMax(ctx, kTLSProtocolMaxSupported) == noErr);
  CHECK(SSLSetProtocolVersionMin(ctx, kTLSProtocol1) == noErr);
  CHECK(SSLSetProtocolVersionMax(ctx, kTLSProtocol12) == noErr);
  CHECK(SSLGetProtocolVersionMax(ctx, &v) == noErr && v == kTLSProtocol12);
  CHECK(SSLSetProtocolVersionMin(ctx, kSSLProtocol3) == errSSLIllegalParam);
  CHECK(SSLSetProtocolVersionMax(ctx, kTLSProtocol11) == errSSLIllegalParam);
  CHECK(SSLSetProtocolVersionMax(ctx, kDTLSProtocol1) == errSSLIllegalParam);
  CHECK(SSLSetProtocolVersionMax(ctx, kSSLProtocolAll) == errSSLIllegalParam);

  /* Size queries answer noErr with the count. */
  CHECK(SSLGetNumberSupportedCiphers(ctx, &n) == noErr && n > 0);
  suites = calloc(n, sizeof(*suites));
  m = n;
  CHECK(SSLGetSupportedCiphers(ctx, suites, &m) == noErr && m == n);
  m = 0;
  CHECK(SSLGetSupportedCiphers(ctx, suites, &m) == errSSLBufferOverflow);
  free(suites);
  CHECK(SSLGetNumberEnabledCiphers(ctx, &n) == noErr && n > 0);
  suite = TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
  CHECK(SSLSetEnabledCiphers(ctx, &suite, 1) == noErr);
  suite = SSL_NO_SUCH_CIPHERSUITE;
  CHECK(SSLSetEnabledCiphers(ctx, &suite, 1) == errSecParam);

  /* Peer names: 0 when unset, no NUL, overflow when short. */
  CHECK(SSLGetPeerDomainNameLength(ctx, &n) == noErr && n == 0);
  CHECK(SSLSetPeerDomainName(ctx, "example.com", 11) == noErr);
  CHECK(SSLGetPeerDomainNameLength(ctx, &n) == noErr && n == 11);
  n = sizeof(name);
  CHECK(SSLGetPeerDomainName(ctx, name, &n) == errSSLBufferOverflow);
  CHECK(SSLGetPeerDomainNameLength(ctx, NULL) == errSecParam);

  /* Idle answers. */
  CHECK(SSLGetSessionState(ctx, &state) == noErr && state == kSSLIdle);
  CHECK(SSLGetNegotiatedCipher(ctx, &suite) == errSecBadReq);
  CHECK(SSLGetNegotiatedProtocolVersion(ctx, &v) == noErr &&
        v == kSSLProtocolUnknown);
  CHECK(SSLCopyPeerTrust(ctx, &trust) == noErr && trust == NULL);
  CHECK(SSLCopyALPNProtocols(ctx, &alpn) == errSecParam && alpn == NULL);
  CHECK(SSLCopyRequestedPeerNameLength(ctx, &n) == errSecParam);

  /* Options, ALPN, session configs, certificate arrays. */
  CHECK(SSLSetSessionOption(ctx, kSSLSessionOptionBreakOnServerAuth, true) ==
        noErr);
  CHECK(SSLGetSessionOption(ctx, kSSLSessionOptionBreakOnServerAuth, &on) ==
            noErr &&
        on);
  CHECK(SSLSetSessionOption(ctx, 42, true) == errSecParam);
  empty = CFArrayCreate(NULL, NULL, 0, &kCFTypeArrayCallBacks);
  CHECK(SSLSetALPNProtocols(ctx, empty) == errSecParam);
  CHECK(SSLSetALPNProtocols(ctx, NULL) == errSecParam);
  CHECK(SSLSetCertificate(ctx, empty) == errSecParam);
  CHECK(SSLSetCertificate(ctx, NULL) == noErr);
  CFRelease(empty);
  {
    const void *strings[] = {CFSTR("h2")};
    CFArrayRef not_identity = CFArrayCreate(NULL, strings, 1,
                                            &kCFTypeArrayCallBacks);
    CHECK(SSLSetCertificate(ctx, not_identity) == errSecParam);
    CHECK(SSLSetALPNProtocols(ctx, not_identity) == noErr);
    CFRelease(not_identity);
  }
  CHECK(SSLSetSessionConfig(ctx, kSSLSessionConfig_standard) == noErr);
  CHECK(SSLSetSessionConfig(ctx, kSSLSessionConfig_3DES_fallback) == noErr);
  CHECK(SSLSetSessionConfig(ctx, CFSTR("bogus")) == errSecParam);
  CHECK(SSLSetPeerID(ctx, NULL, 0) == errSecParam);
  CHECK(SSLSetPeerID(ctx, "peer", 4) == noErr);

  /* Reading and writing before the handshake: errSecBadReq for write. */
  CHECK(SSLWrite(ctx, "x", 1, &n) == errSecBadReq && n == 0);
  CFRelease(ctx);

  CHECK(SSLNewContext(true, &old) == noErr && old != NULL);
  CHECK(SSLDisposeContext(old) == noErr);
  CHECK(SSLNewContext(false, NULL) == errSecParam);
}

static void check_cf(void) {
  CFStringRef a = CFStringCreateWithCString(NULL, "passphrase",
                                            kCFStringEncodingUTF8);
  CFStringRef literal = CFSTR("passphrase");
  const void *keys[] = {literal};
  const void *values[] = {a};
  CFDictionaryRef d;
  char buf[16];

  CHECK(CFGetRetainCount(a) == 1);
  CHECK(CFRetain(a) == a && CFGetRetainCount(a) == 2);
  CFRelease(a);
  CHECK(CFGetRetainCount(a) == 1);
  /* Constants are immortal: retain and release leave them alone. */
  CFRetain(literal);
  CFRelease(literal);
  CFRelease(literal);
  CHECK(CFStringGetLength(literal) == 10);
  CHECK(CFEqual(a, literal) && CFEqual(a, kSecImportExportPassphrase));
  CHECK(!CFEqual(a, CFSTR("passphrasf")));
  CHECK(CFStringGetCString(a, buf, sizeof(buf), kCFStringEncodingUTF8) &&
        strcmp(buf, "passphrase") == 0);
  CHECK(!CFStringGetCString(a, buf, 10, kCFStringEncodingUTF8));

  /* Lookup by content, and the dictionary keeps its own references. */
  d = CFDictionaryCreate(NULL, keys, values, 1, &kCFTypeDictionaryKeyCallBacks,
                         &kCFTypeDictionaryValueCallBacks);
  CHECK(CFGetRetainCount(a) == 2);
  CHECK(CFDictionaryGetValue(d, kSecImportExportPassphrase) == a);
  CHECK(CFDictionaryGetValue(d, CFSTR("nothing")) == NULL);
  CHECK(CFDictionaryGetCount(d) == 1);
  CFRelease(d);
  CHECK(CFGetRetainCount(a) == 1);

  /* Wrong kinds and NULL get 0 / NULL, never a crash. */
  CHECK(CFArrayGetCount((CFArrayRef)a) == 0);
  CHECK(CFArrayGetValueAtIndex(NULL, 0) == NULL);
  CHECK(CFDataGetBytePtr((CFDataRef)a) == NULL);
  CFRelease(NULL);
  CFRelease(a);
}

static void check_trust(const char *root_path, const char *leaf_path,
                        const char *intermediate_path) {
  SecCertificateRef root = load_cert(root_path);
  SecCertificateRef leaf = load_cert(leaf_path);
  SecCertificateRef intermediate = load_cert(intermediate_path);
  const void *chain_values[] = {leaf, intermediate};
  CFArrayRef chain = CFArrayCreate(NULL, chain_values, 2,
                                   &kCFTypeArrayCallBacks);
  CFArrayRef anchors = CFArrayCreate(NULL, (const void **)&root, 1,
                                     &kCFTypeArrayCallBacks);
  SecPolicyRef good = SecPolicyCreateSSL(true, CFSTR("localhost"));
  SecPolicyRef bad = SecPolicyCreateSSL(true, CFSTR("wrong.example"));
  SecTrustRef trust = NULL;
  SecTrustResultType result = kSecTrustResultInvalid;
  CFErrorRef error = (CFErrorRef)1;
  CFDataRef der;
  CFStringRef summary;
  CFArrayRef copy;

  CHECK(SecTrustCreateWithCertificates(chain, good, &trust) == noErr);
  CHECK(SecTrustGetTrustResult(trust, &result) == noErr &&
        result == kSecTrustResultInvalid);
  /* The test root is not a system anchor. */
  CHECK(SecTrustEvaluate(trust, &result) == noErr &&
        result == kSecTrustResultRecoverableTrustFailure);
  CHECK(SecTrustSetAnchorCertificates(trust, anchors) == noErr);
  CHECK(SecTrustEvaluate(trust, &result) == noErr &&
        result == kSecTrustResultUnspecified);
  CHECK(SecTrustSetAnchorCertificatesOnly(trust, false) == noErr);
  CHECK(SecTrustEvaluateWithError(trust, &error) && error == NULL);
  CHECK(SecTrustGetTrustResult(trust, &result) == noErr &&
        result == kSecTrustResultUnspecified);

  /* The Get rule: the trust owns the certificate it hands out. */
  CHECK(SecTrustGetCertificateCount(trust) == 2);
  CHECK(SecTrustGetCertificateAtIndex(trust, 0) != NULL);
  CHECK(SecTrustGetCertificateAtIndex(trust, 2) == NULL);
  copy = SecTrustCopyCertificateChain(trust);
  CHECK(CFArrayGetCount(copy) == 2);
  CFRelease(copy);
  summary = SecCertificateCopySubjectSummary(
      SecTrustGetCertificateAtIndex(trust, 1));
  CHECK(summary != NULL &&
        CFEqual(summary, CFSTR("sectrans test intermediate CA")));
  CFRelease(summary);
  der = SecCertificateCopyData(leaf);
  CHECK(CFDataGetLength(der) > 100 && CFDataGetBytePtr(der)[0] == 0x30);
  CFRelease(der);

  /* A name mismatch: Recoverable, and errSecHostNameMismatch in the error. */
  CHECK(SecTrustSetPolicies(trust, bad) == noErr);
  CHECK(SecTrustEvaluate(trust, &result) == noErr &&
        result == kSecTrustResultRecoverableTrustFailure);
  CHECK(!SecTrustEvaluateWithError(trust, &error) && error != NULL);
  CHECK(CFErrorGetCode(error) == errSecHostNameMismatch);
  CHECK(CFEqual(CFErrorGetDomain(error), kCFErrorDomainOSStatus));
  {
    CFStringRef text = CFErrorCopyDescription(error);
    CHECK(CFStringGetLength(text) > 0);
    CFRelease(text);
  }
  CFRelease(error);
  /* Anchors NULL: back to the platform's, which do not know the root. */
  CHECK(SecTrustSetPolicies(trust, good) == noErr);
  CHECK(SecTrustSetAnchorCertificates(trust, NULL) == noErr);
  CHECK(!SecTrustEvaluateWithError(trust, NULL));
  CFRelease(trust);

  /* One certificate instead of an array; no policy; bad arguments. */
  CHECK(SecTrustCreateWithCertificates(leaf, NULL, &trust) == noErr);
  CHECK(SecTrustGetCertificateCount(trust) == 1);
  CFRelease(trust);
  CHECK(SecTrustCreateWithCertificates(CFSTR("x"), NULL, &trust) ==
        errSecParam);
  CHECK(SecTrustEvaluate(NULL, &result) == errSecParam);
  CHECK(SecCertificateCreateWithData(NULL, NULL) == NULL);
  {
    CFDataRef junk = CFDataCreate(NULL, (const UInt8 *)"junk", 4);
    CHECK(SecCertificateCreateWithData(NULL, junk) == NULL);
    CFRelease(junk);
  }

  CFRelease(good);
  CFRelease(bad);
  CFRelease(anchors);
  CFRelease(chain);
  CFRelease(root);
  CFRelease(leaf);
  CFRelease(intermediate);
}

static void check_pkcs12(const char *path, const char *password) {
  CFDataRef p12 = read_file(path);
  CFStringRef right = CFStringCreateWithCString(NULL, password,
                                                kCFStringEncodingUTF8);
  const void *keys[] = {kSecImportExportPassphrase};
  const void *good_values[] = {right}, *bad_values[] = {CFSTR("wrong")};
  CFDictionaryRef good = CFDictionaryCreate(NULL, keys, good_values, 1,
                                            &kCFTypeDictionaryKeyCallBacks,
                                            &kCFTypeDictionaryValueCallBacks);
  CFDictionaryRef bad = CFDictionaryCreate(NULL, keys, bad_values, 1,
                                           &kCFTypeDictionaryKeyCallBacks,
                                           &kCFTypeDictionaryValueCallBacks);
  CFArrayRef items = (CFArrayRef)1;
  CFDataRef junk = CFDataCreate(NULL, (const UInt8 *)"junk", 4);

  CHECK(SecPKCS12Import(p12, bad, &items) == errSecAuthFailed && items == NULL);
  CHECK(SecPKCS12Import(junk, good, &items) == errSecDecode);
  CHECK(SecPKCS12Import(p12, good, NULL) == errSecParam);
  CHECK(SecPKCS12Import(p12, good, &items) == errSecSuccess);
  if (items != NULL) {
    CFDictionaryRef item = (CFDictionaryRef)CFArrayGetValueAtIndex(items, 0);
    SecIdentityRef identity = (SecIdentityRef)CFDictionaryGetValue(
        item, kSecImportItemIdentity);
    CFArrayRef chain = (CFArrayRef)CFDictionaryGetValue(
        item, kSecImportItemCertChain);
    SecCertificateRef cert = NULL;
    CHECK(CFArrayGetCount(items) == 1);
    CHECK(identity != NULL && CFArrayGetCount(chain) == 2);
    CHECK(SecIdentityCopyCertificate(identity, &cert) == noErr && cert != NULL);
    CFRelease(cert);
    CFRelease(items);
  }
  CFRelease(junk);
  CFRelease(good);
  CFRelease(bad);
  CFRelease(right);
  CFRelease(p12);
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: header_check ROOT.der LEAF.der INTERMEDIATE.der "
                    "ID.p12 PASSWORD\n");
    return 1;
  }
  check_context();
  check_cf();
  check_trust(argv[1], argv[2], argv[3]);
  check_pkcs12(argv[4], argv[5]);
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("all checks passed\n");
  return 0;
}
