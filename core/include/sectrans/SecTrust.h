/*
 * SecTrust.h: the part of Apple's Security framework that Secure Transport
 * callers use (certificates, identities, SSL policies, trust evaluation,
 * PKCS#12 import), header-only, over the sectrans ABI. Included by
 * <sectrans/SecureTransport.h>; see <sectrans/CoreFoundation.h> for the
 * object model (CFRetain/CFRelease work on every type here).
 *
 * Types:
 *  - SecCertificateRef is a sectrans_certificate *, SecIdentityRef a
 *    sectrans_identity *: the library's own handles, so they can be passed
 *    to sectrans_* functions as they are.
 *  - SecTrustRef and SecPolicyRef are CF objects of this header. A
 *    SecTrustRef wraps a sectrans_trust * and adds what Apple's API needs
 *    and the library does not keep: the anchor array and its "only" flag,
 *    and the certificates that SecTrustGetCertificateAtIndex hands out
 *    without a reference (the Get rule: the trust owns them).
 *
 * Evaluation (SecTrustEvaluate) gives these SecTrustResultType values:
 *
 *  sectrans result                   SecTrustResultType
 *  SECTRANS_SUCCESS (trusted)        kSecTrustResultUnspecified (4)
 *  SECTRANS_ERR_UNKNOWN_ROOT_CERT,
 *  SECTRANS_ERR_NO_ROOT_CERT,
 *  SECTRANS_ERR_CERT_EXPIRED,
 *  SECTRANS_ERR_CERT_NOT_YET_VALID,
 *  SECTRANS_ERR_HOST_NAME_MISMATCH   kSecTrustResultRecoverableTrustFailure (5)
 *  SECTRANS_ERR_X_CERT_CHAIN_INVALID kSecTrustResultFatalTrustFailure (6)
 *  any other status                  kSecTrustResultOtherError (7)
 *
 * Unspecified is what Apple returns for a chain trusted through anchors
 * (nobody set an explicit "proceed"), so callers accepting Proceed or
 * Unspecified work unchanged. Recoverable is what Apple returns for the
 * same failures (the user could override them). When the evaluation
 * itself cannot run (out of memory) SecTrustEvaluate returns that status
 * and the result is kSecTrustResultInvalid.
 *
 * SecTrustEvaluateWithError returns true for a trusted chain and *error
 * NULL. On failure *error (when error is not NULL) is a real CFErrorRef the
 * caller releases: domain kCFErrorDomainOSStatus, the code Apple uses for
 * the failure (errSecNotTrusted, errSecCreateChainFailed,
 * errSecCertificateExpired, errSecCertificateNotValidYet,
 * errSecHostNameMismatch) and as description sectrans's detail text
 * ("certificate has expired"). CFErrorGetCode / CFErrorCopyDescription
 * read it.
 *
 * Differences from Apple:
 *  - SecPolicyCreateSSL is the only policy. SecTrustSetPolicies uses the
 *    first SSL policy it is given (a policy or an array of them).
 *  - SecTrustSetAnchorCertificates(trust, NULL) restores the platform
 *    anchors (SSL_CERT_FILE / SSL_CERT_DIR, else the distribution bundle).
 *    SecTrustSetAnchorCertificatesOnly(trust, false) adds the platform
 *    anchors to the ones set, as on Apple.
 *  - SecPKCS12Import returns one item dictionary holding
 *    kSecImportItemIdentity and kSecImportItemCertChain (leaf first); no
 *    kSecImportItemTrust, kSecImportItemKeyID or label. No keychain is
 *    involved. The only option read is kSecImportExportPassphrase.
 *  - SecCertificateCopySubjectSummary returns the subject's common name,
 *    else the whole subject as RFC 2253 text.
 *  - Not here: keys (SecKeyRef), keychains, SecTrustSetVerifyDate (no
 *    CFDate; use sectrans_trust_set_verify_time on SecTrustGetSectrans).
 */
#ifndef SECTRANS_SECTRUST_H
#define SECTRANS_SECTRUST_H

#include <sectrans/CoreFoundation.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errSec codes (Apple's SecBase.h values) ---------------------------- */

enum {
  errSecSuccess = 0,
  errSecUnimplemented = -4,
  errSecIO = -36,
  errSecParam = -50,
  errSecAllocate = -108,
  errSecBadReq = -909,
  errSecAuthFailed = -25293,        /* PKCS#12: wrong password */
  errSecCreateChainFailed = -25318, /* no path to an anchor */
  errSecDecode = -26275,            /* not a certificate / not PKCS#12 */
  errSecHostNameMismatch = -67602,
  errSecCertificateExpired = -67818,
  errSecCertificateNotValidYet = -67819,
  errSecCertificateRevoked = -67820,
  errSecNotTrusted = -67843
};

/* ---- Types -------------------------------------------------------------- */

typedef sectrans_certificate *SecCertificateRef;
typedef sectrans_identity *SecIdentityRef;
typedef struct __SecTrust *SecTrustRef;
typedef struct __SecPolicy *SecPolicyRef;

typedef uint32_t SecTrustResultType;
enum {
  kSecTrustResultInvalid = 0,
  kSecTrustResultProceed = 1,
  kSecTrustResultConfirm = 2, /* deprecated by Apple; never returned */
  kSecTrustResultDeny = 3,
  kSecTrustResultUnspecified = 4,
  kSecTrustResultRecoverableTrustFailure = 5,
  kSecTrustResultFatalTrustFailure = 6,
  kSecTrustResultOtherError = 7
};

struct __SecPolicy {
  struct __sectrans_cf base;
  Boolean server;   /* the peer is a server: check the server purpose */
  CFStringRef host; /* NULL: no name check */
};

struct __SecTrust {
  struct __sectrans_cf base;
  sectrans_trust *trust; /* one reference */
  CFArrayRef anchors;    /* NULL: the trust's own anchors */
  Boolean anchors_only;
  CFArrayRef certificates; /* filled on first Get: owns the certs */
};

/* ---- Certificates -------------------------------------------------------- */

/* DER only, as Apple's. NULL when data is not one certificate. */
static inline SecCertificateRef SecCertificateCreateWithData(
    CFAllocatorRef alloc, CFDataRef data) {
  sectrans_certificate *cert = NULL;
  (void)alloc;
  if (CFDataGetLength(data) <= 0)
    return NULL;
  if (sectrans_certificate_create_from_der(
          CFDataGetBytePtr(data), (size_t)CFDataGetLength(data), &cert) != 0)
    return NULL;
  return cert;
}

/* Runs a (buf, *len) copier into a malloc'ed buffer; NULL on failure. */
static inline void *__sectrans_copy_out(
    sectrans_status (*copy)(const sectrans_certificate *, void *, size_t *),
    const sectrans_certificate *cert, size_t *len) {
  void *buf;
  *len = 0;
  if (copy(cert, NULL, len) != SECTRANS_ERR_BUFFER_OVERFLOW || *len == 0)
    return NULL;
  if ((buf = malloc(*len)) == NULL)
    return NULL;
  if (copy(cert, buf, len) != 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

static inline CFDataRef SecCertificateCopyData(SecCertificateRef cert) {
  size_t len;
  void *der = __sectrans_copy_out(sectrans_certificate_copy_der, cert, &len);
  CFDataRef data;
  if (der == NULL)
    return NULL;
  data = CFDataCreate(NULL, (const UInt8 *)der, (CFIndex)len);
  free(der);
  return data;
}

/* The common name (RFC 2253: "CN=name,O=..."; escapes are kept as they
 * are), else the whole subject. */
static inline CFStringRef SecCertificateCopySubjectSummary(
    SecCertificateRef cert) {
  size_t len, start = 0, end;
  char *subject = (char *)__sectrans_copy_out(sectrans_certificate_copy_subject,
                                              cert, &len);
  CFStringRef summary;
  if (subject == NULL)
    return NULL;
  end = len;
  for (size_t i = 0; i + 3 <= len; i++) {
    if ((i == 0 || subject[i - 1] == ',') &&
        memcmp(subject + i, "CN=", 3) == 0) {
      start = i + 3;
      for (end = start; end < len; end++) {
        if (subject[end] == '\\' && end + 1 < len)
          end++;
        else if (subject[end] == ',')
          break;
      }
      break;
    }
  }
  summary = CFStringCreateWithBytes(NULL, (const UInt8 *)subject + start,
                                    (CFIndex)(end - start),
                                    kCFStringEncodingUTF8, false);
  free(subject);
  return summary;
}

/* ---- Identities ---------------------------------------------------------- */

/* The leaf certificate (+1 reference). */
static inline OSStatus SecIdentityCopyCertificate(SecIdentityRef identity,
                                                  SecCertificateRef *cert) {
  if (cert == NULL)
    return errSecParam;
  *cert = NULL;
  return sectrans_identity_copy_certificate(identity, 0, cert);
}

static const struct __CFString __sectrans_kSecImportExportPassphrase
    SECTRANS_CF_UNUSED = SECTRANS_CF_CONSTANT_STRING("passphrase");
static const struct __CFString __sectrans_kSecImportItemIdentity
    SECTRANS_CF_UNUSED = SECTRANS_CF_CONSTANT_STRING("identity");
static const struct __CFString __sectrans_kSecImportItemCertChain
    SECTRANS_CF_UNUSED = SECTRANS_CF_CONSTANT_STRING("chain");
#define kSecImportExportPassphrase                                             \
  ((CFStringRef)&__sectrans_kSecImportExportPassphrase)
#define kSecImportItemIdentity ((CFStringRef)&__sectrans_kSecImportItemIdentity)
#define kSecImportItemCertChain                                                \
  ((CFStringRef)&__sectrans_kSecImportItemCertChain)

/* Imports a PKCS#12 blob: *items becomes an array of one dictionary with
 * kSecImportItemIdentity (SecIdentityRef) and kSecImportItemCertChain (a
 * CFArray of SecCertificateRef, leaf first). options may hold
 * kSecImportExportPassphrase (a CFString). Errors: errSecParam,
 * errSecDecode (not PKCS#12, or no key and matching certificate inside),
 * errSecAuthFailed (wrong password), errSecAllocate. */
static inline OSStatus SecPKCS12Import(CFDataRef pkcs12,
                                       CFDictionaryRef options,
                                       CFArrayRef *items) {
  CFStringRef passphrase = NULL;
  sectrans_identity *identity = NULL;
  CFMutableArrayRef chain = NULL;
  CFDictionaryRef item = NULL;
  size_t count = 0;
  OSStatus status;

  if (items == NULL || CFDataGetLength(pkcs12) <= 0)
    return errSecParam;
  *items = NULL;
  if (options != NULL)
    passphrase = (CFStringRef)CFDictionaryGetValue(options,
                                                   kSecImportExportPassphrase);
  status = sectrans_identity_create_from_pkcs12(
      CFDataGetBytePtr(pkcs12), (size_t)CFDataGetLength(pkcs12),
      passphrase ? CFStringGetCStringPtr(passphrase, kCFStringEncodingUTF8)
                 : NULL,
      &identity);
  if (status != 0)
    return status;

  status = errSecAllocate;
  if ((chain = CFArrayCreateMutable(NULL, 0, &kCFTypeArrayCallBacks)) == NULL)
    goto done;
  if (sectrans_identity_get_certificate_count(identity, &count) != 0)
    goto done;
  for (size_t i = 0; i < count; i++) {
    sectrans_certificate *cert = NULL;
    bool ok;
    if (sectrans_identity_copy_certificate(identity, i, &cert) != 0)
      goto done;
    ok = __sectrans_cf_array_append(chain, cert);
    sectrans_certificate_release(cert); /* the array holds it now */
    if (!ok)
      goto done;
  }
  {
    const void *keys[] = {kSecImportItemIdentity, kSecImportItemCertChain};
    const void *values[] = {identity, chain};
    item = CFDictionaryCreate(NULL, keys, values, 2,
                              &kCFTypeDictionaryKeyCallBacks,
                              &kCFTypeDictionaryValueCallBacks);
  }
  if (item == NULL)
    goto done;
  {
    const void *values[] = {item};
    if ((*items = CFArrayCreate(NULL, values, 1, &kCFTypeArrayCallBacks)) !=
        NULL)
      status = errSecSuccess;
  }
done:
  CFRelease(item);
  CFRelease(chain);
  sectrans_identity_release(identity);
  return status;
}

/* ---- Policies ------------------------------------------------------------ */

static inline void __sectrans_policy_finalize(struct __sectrans_cf *obj) {
  CFRelease(((struct __SecPolicy *)obj)->host);
}

/* server: true when the certificate to check is a server's (the client's
 * view). hostname (may be NULL) is checked against its subjectAltNames. */
static inline SecPolicyRef SecPolicyCreateSSL(Boolean server,
                                              CFStringRef hostname) {
  struct __SecPolicy *p = (struct __SecPolicy *)__sectrans_cf_alloc(
      SECTRANS_CF_POLICY, sizeof(*p), __sectrans_policy_finalize);
  if (p == NULL)
    return NULL;
  p->server = server;
  p->host = hostname ? (CFStringRef)CFRetain(hostname) : NULL;
  return p;
}

/* ---- Trust --------------------------------------------------------------- */

static inline void __sectrans_trust_finalize(struct __sectrans_cf *obj) {
  struct __SecTrust *t = (struct __SecTrust *)obj;
  CFRelease(t->certificates);
  CFRelease(t->anchors);
  sectrans_trust_release(t->trust);
}

/* Wraps one reference to a sectrans trust (taken over, also on failure). */
static inline SecTrustRef __sectrans_trust_wrap(sectrans_trust *trust) {
  struct __SecTrust *t = (struct __SecTrust *)__sectrans_cf_alloc(
      SECTRANS_CF_TRUST, sizeof(*t), __sectrans_trust_finalize);
  if (t == NULL) {
    sectrans_trust_release(trust);
    return NULL;
  }
  t->trust = trust;
  return t;
}

/* Not Apple's: the sectrans trust inside (no new reference), for the
 * functions Apple's API has no name for (sectrans_trust_copy_detail,
 * sectrans_trust_set_verify_time). */
static inline sectrans_trust *SecTrustGetSectrans(SecTrustRef trust) {
  return __sectrans_cf_is(trust, SECTRANS_CF_TRUST) ? trust->trust : NULL;
}

static inline OSStatus __sectrans_trust_apply_policy(SecTrustRef trust,
                                                     CFTypeRef policies) {
  SecPolicyRef policy = NULL;
  if (__sectrans_cf_is(policies, SECTRANS_CF_POLICY)) {
    policy = (SecPolicyRef)policies;
  } else if (__sectrans_cf_is(policies, SECTRANS_CF_ARRAY)) {
    for (CFIndex i = 0; i < CFArrayGetCount((CFArrayRef)policies); i++) {
      CFTypeRef p = CFArrayGetValueAtIndex((CFArrayRef)policies, i);
      if (__sectrans_cf_is(p, SECTRANS_CF_POLICY)) {
        policy = (SecPolicyRef)p;
        break;
      }
    }
  }
  if (policy == NULL)
    return errSecParam;
  return sectrans_trust_set_policy(
      trust->trust, policy->server,
      policy->host ? CFStringGetCStringPtr(policy->host, kCFStringEncodingUTF8)
                   : NULL);
}

static inline OSStatus SecTrustSetPolicies(SecTrustRef trust,
                                           CFTypeRef policies) {
  if (!__sectrans_cf_is(trust, SECTRANS_CF_TRUST))
    return errSecParam;
  return __sectrans_trust_apply_policy(trust, policies);
}

/* certificates: one SecCertificateRef or an array of them, leaf first.
 * policies: a SecPolicyRef, an array of them, or NULL (the defaults: a
 * server peer, no name check). */
static inline OSStatus SecTrustCreateWithCertificates(CFTypeRef certificates,
                                                      CFTypeRef policies,
                                                      SecTrustRef *trust) {
  sectrans_certificate *one[1];
  sectrans_certificate **chain = one;
  size_t count = 1;
  sectrans_trust *inner = NULL;
  OSStatus status;

  if (trust == NULL || certificates == NULL)
    return errSecParam;
  *trust = NULL;
  if (__sectrans_cf_is(certificates, SECTRANS_CF_ARRAY)) {
    count = (size_t)CFArrayGetCount((CFArrayRef)certificates);
    if (count == 0)
      return errSecParam;
    /* The array holds the certificates; the pointers are borrowed. */
    chain = (sectrans_certificate **)((CFArrayRef)certificates)->values;
    for (size_t i = 0; i < count; i++)
      if (__sectrans_cf_is(chain[i], 0))
        return errSecParam; /* a CF object, not a certificate */
  } else if (__sectrans_cf_is(certificates, 0)) {
    return errSecParam;
  } else {
    one[0] = (sectrans_certificate *)certificates;
  }
  if ((status = sectrans_trust_create(chain, count, &inner)) != 0)
    return status;
  if ((*trust = __sectrans_trust_wrap(inner)) == NULL)
    return errSecAllocate;
  if (policies != NULL &&
      (status = __sectrans_trust_apply_policy(*trust, policies)) != 0) {
    CFRelease(*trust);
    *trust = NULL;
    return status;
  }
  return errSecSuccess;
}

/* Gives the trust a store made of t->anchors (+ the platform's unless
 * anchors_only), or the platform's alone when t->anchors is NULL. */
static inline OSStatus __sectrans_trust_apply_anchors(SecTrustRef t) {
  sectrans_trust_store *store = NULL;
  OSStatus status;

  if (t->anchors == NULL) {
    if ((status = sectrans_trust_store_copy_system(&store)) != 0)
      return status;
  } else {
    if ((status = sectrans_trust_store_create(&store)) != 0)
      return status;
    for (CFIndex i = 0; status == 0 && i < CFArrayGetCount(t->anchors); i++) {
      const void *cert = CFArrayGetValueAtIndex(t->anchors, i);
      size_t len;
      void *pem;
      if (__sectrans_cf_is(cert, 0)) {
        status = errSecParam; /* not a SecCertificateRef */
        break;
      }
      pem = __sectrans_copy_out(sectrans_certificate_copy_pem,
                                (const sectrans_certificate *)cert, &len);
      if (pem == NULL) {
        status = errSecAllocate;
        break;
      }
      status = sectrans_trust_store_add_pem(store, pem, len);
      free(pem);
    }
    if (status == 0 && !t->anchors_only)
      status = sectrans_trust_store_add_system(store);
  }
  if (status == 0)
    status = sectrans_trust_set_anchors(t->trust, store);
  sectrans_trust_store_release(store);
  return status;
}

/* anchors: an array of SecCertificateRef, or NULL for the platform's.
 * As on Apple, setting anchors also makes them the only ones; call
 * SecTrustSetAnchorCertificatesOnly(trust, false) to add the platform's. */
static inline OSStatus SecTrustSetAnchorCertificates(SecTrustRef trust,
                                                     CFArrayRef anchors) {
  if (!__sectrans_cf_is(trust, SECTRANS_CF_TRUST) ||
      (anchors != NULL && !__sectrans_cf_is(anchors, SECTRANS_CF_ARRAY)))
    return errSecParam;
  if (anchors != NULL)
    CFRetain(anchors);
  CFRelease(trust->anchors);
  trust->anchors = anchors;
  trust->anchors_only = anchors != NULL;
  return __sectrans_trust_apply_anchors(trust);
}

static inline OSStatus SecTrustSetAnchorCertificatesOnly(SecTrustRef trust,
                                                         Boolean only) {
  if (!__sectrans_cf_is(trust, SECTRANS_CF_TRUST))
    return errSecParam;
  trust->anchors_only = only;
  /* Without anchors of the caller the flag changes nothing. */
  return trust->anchors ? __sectrans_trust_apply_anchors(trust) : errSecSuccess;
}

static inline SecTrustResultType __sectrans_trust_result_type(
    sectrans_status result) {
  switch (result) {
  case 0:
    return kSecTrustResultUnspecified;
  case SECTRANS_ERR_UNKNOWN_ROOT_CERT:
  case SECTRANS_ERR_NO_ROOT_CERT:
  case SECTRANS_ERR_CERT_EXPIRED:
  case SECTRANS_ERR_CERT_NOT_YET_VALID:
  case SECTRANS_ERR_HOST_NAME_MISMATCH:
    return kSecTrustResultRecoverableTrustFailure;
  case SECTRANS_ERR_X_CERT_CHAIN_INVALID:
    return kSecTrustResultFatalTrustFailure;
  default:
    return kSecTrustResultOtherError;
  }
}

static inline OSStatus SecTrustEvaluate(SecTrustRef trust,
                                        SecTrustResultType *result) {
  sectrans_status verdict = 0;
  OSStatus status;
  if (result == NULL || !__sectrans_cf_is(trust, SECTRANS_CF_TRUST))
    return errSecParam;
  *result = kSecTrustResultInvalid;
  if ((status = sectrans_trust_evaluate(trust->trust, &verdict)) != 0)
    return status;
  *result = __sectrans_trust_result_type(verdict);
  return errSecSuccess;
}

/* The result of the last evaluation; kSecTrustResultInvalid before one. */
static inline OSStatus SecTrustGetTrustResult(SecTrustRef trust,
                                              SecTrustResultType *result) {
  sectrans_status verdict = 0;
  OSStatus status;
  if (result == NULL || !__sectrans_cf_is(trust, SECTRANS_CF_TRUST))
    return errSecParam;
  if ((status = sectrans_trust_get_result(trust->trust, &verdict)) != 0)
    return status;
  if (verdict == SECTRANS_ERR_BAD_REQ)
    *result = kSecTrustResultInvalid; /* never evaluated */
  else
    *result = __sectrans_trust_result_type(verdict);
  return errSecSuccess;
}

static inline CFIndex __sectrans_trust_error_code(sectrans_status result) {
  switch (result) {
  case SECTRANS_ERR_NO_ROOT_CERT:
    return errSecCreateChainFailed;
  case SECTRANS_ERR_CERT_EXPIRED:
    return errSecCertificateExpired;
  case SECTRANS_ERR_CERT_NOT_YET_VALID:
    return errSecCertificateNotValidYet;
  case SECTRANS_ERR_HOST_NAME_MISMATCH:
    return errSecHostNameMismatch;
  case SECTRANS_ERR_ALLOCATE:
  case SECTRANS_ERR_PARAM:
    return result;
  default:
    return errSecNotTrusted;
  }
}

static inline bool SecTrustEvaluateWithError(SecTrustRef trust,
                                             CFErrorRef *error) {
  sectrans_status verdict = SECTRANS_ERR_PARAM;
  char detail[256];
  size_t len = sizeof(detail) - 1;

  if (error != NULL)
    *error = NULL;
  if (__sectrans_cf_is(trust, SECTRANS_CF_TRUST)) {
    sectrans_status status = sectrans_trust_evaluate(trust->trust, &verdict);
    if (status != 0)
      verdict = status;
  }
  if (verdict == 0)
    return true;
  if (error != NULL) {
    if (trust == NULL || sectrans_trust_copy_detail(SecTrustGetSectrans(trust),
                                                    detail, &len) != 0)
      len = 0;
    detail[len] = '\0';
    *error = __sectrans_cf_error_create(
        __sectrans_trust_error_code(verdict),
        len ? detail : sectrans_status_description(verdict));
  }
  return false;
}

/* The chain the peer sent (or the trust was made from), leaf first. */
static inline CFIndex SecTrustGetCertificateCount(SecTrustRef trust) {
  size_t count = 0;
  if (sectrans_trust_get_certificate_count(SecTrustGetSectrans(trust),
                                           &count) != 0)
    return 0;
  return (CFIndex)count;
}

/* +1 reference: an array of SecCertificateRef, leaf first (macOS 12 API). */
static inline CFArrayRef SecTrustCopyCertificateChain(SecTrustRef trust) {
  CFMutableArrayRef chain;
  CFIndex count = SecTrustGetCertificateCount(trust);
  if (count <= 0)
    return NULL;
  if ((chain = CFArrayCreateMutable(NULL, count, &kCFTypeArrayCallBacks)) ==
      NULL)
    return NULL;
  for (CFIndex i = 0; i < count; i++) {
    sectrans_certificate *cert = NULL;
    bool ok;
    if (sectrans_trust_copy_certificate(trust->trust, (size_t)i, &cert) != 0) {
      CFRelease(chain);
      return NULL;
    }
    ok = __sectrans_cf_array_append(chain, cert);
    sectrans_certificate_release(cert);
    if (!ok) {
      CFRelease(chain);
      return NULL;
    }
  }
  return chain;
}

/* No reference for the caller (the Get rule): the trust keeps the
 * certificate alive as long as itself. */
static inline SecCertificateRef SecTrustGetCertificateAtIndex(SecTrustRef trust,
                                                              CFIndex index) {
  if (!__sectrans_cf_is(trust, SECTRANS_CF_TRUST))
    return NULL;
  if (trust->certificates == NULL)
    trust->certificates = SecTrustCopyCertificateChain(trust);
  return (SecCertificateRef)CFArrayGetValueAtIndex(trust->certificates, index);
}

#ifdef __cplusplus
}
#endif

#endif /* SECTRANS_SECTRUST_H */
