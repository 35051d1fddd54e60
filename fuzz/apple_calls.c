/*
 * apple_calls.c, fuzz target (f): the Apple compatibility layer
 * (SecureTransport.h, SecTrust.h, CoreFoundation.h) as a state machine, as
 * api_calls.c does for the C API. Two context slots (a client and a server
 * by default) talk through SSLSetIOFuncs callbacks over in-memory pipes:
 * each slot has an inbox that the other's write callback fills; ops inject
 * input bytes into an inbox, end it, or cut it. Every object is released at
 * the end: ASan's leak check catches what the calls leaked. This file is
 * instrumented for coverage, since the layer is compiled into it.
 */
#include <stdlib.h>
#include <string.h>

#include <sectrans/SecureTransport.h>

#include "fuzz_common.h"

#define INBOX_SIZE 65536

struct pipe_end {
  uint8_t inbox[INBOX_SIZE];
  size_t len;
  int eof;
  size_t write_limit; /* bytes the write callback takes per call, 0: all */
};

static struct pipe_end ends[2];
static SSLContextRef slot[2];

static void deliver(struct pipe_end *to, const void *data, size_t *len) {
  size_t room = INBOX_SIZE - to->len;
  if (*len > room)
    *len = room;
  memcpy(to->inbox + to->len, data, *len);
  to->len += *len;
}

static OSStatus read_func(SSLConnectionRef connection, void *data,
                          size_t *length) {
  struct pipe_end *end = &ends[(uintptr_t)connection & 1];
  size_t n = *length < end->len ? *length : end->len;
  memcpy(data, end->inbox, n);
  memmove(end->inbox, end->inbox + n, end->len - n);
  end->len -= n;
  if (n == *length)
    return errSecSuccess;
  *length = n;
  return end->eof ? errSSLClosedGraceful : errSSLWouldBlock;
}

static OSStatus write_func(SSLConnectionRef connection, const void *data,
                           size_t *length) {
  int i = (uintptr_t)connection & 1;
  size_t want = *length;
  if (ends[i].write_limit > 0 && *length > ends[i].write_limit)
    *length = ends[i].write_limit;
  deliver(&ends[!i], data, length);
  return *length == want ? errSecSuccess : errSSLWouldBlock;
}

static void create(int i, struct fuzz_input *in) {
  const struct fuzz_fixture *f = fuzz_fixture();
  uint8_t how = fuzz_u8(in);
  /* Slot 0 a client and slot 1 a server, unless the low bit swaps them. */
  SSLProtocolSide side = (i == 0) != (how & 1) ? kSSLClientSide
                                               : kSSLServerSide;
  if (slot[i] != NULL)
    CFRelease(slot[i]);
  if (how & 2)
    SSLNewContext(side == kSSLServerSide, &slot[i]);
  else
    slot[i] = SSLCreateContext(kCFAllocatorDefault, side, kSSLStreamType);
  SSLSetIOFuncs(slot[i], read_func, write_func);
  SSLSetConnection(slot[i], (SSLConnectionRef)(uintptr_t)i);
  if (side == kSSLServerSide || (how & 4)) {
    CFArrayRef certs = CFArrayCreate(NULL, (const void **)&f->identity, 1,
                                     &kCFTypeArrayCallBacks);
    SSLSetCertificate(slot[i], certs);
    CFRelease(certs);
  }
  if (side == kSSLClientSide && !(how & 8)) {
    SSLSetPeerDomainName(slot[i], FUZZ_HOST, strlen(FUZZ_HOST));
    SSLSetSessionOption(slot[i], kSSLSessionOptionBreakOnServerAuth, true);
  }
}

/* SecTrust over the peer's chain, with the fixture's certificate as the
 * only anchor and an SSL policy. */
static void peer_trust(SSLContextRef ctx, struct fuzz_input *in) {
  const struct fuzz_fixture *f = fuzz_fixture();
  SecTrustRef trust = NULL;
  SecTrustResultType result;
  CFErrorRef error = NULL;
  uint8_t how = fuzz_u8(in);
  char *host = fuzz_string(in); /* read whatever the state, as every op */
  if (SSLCopyPeerTrust(ctx, &trust) != errSecSuccess || trust == NULL) {
    free(host);
    return;
  }
  if (how & 1) {
    CFArrayRef anchors = CFArrayCreate(NULL, (const void **)&f->leaf, 1,
                                       &kCFTypeArrayCallBacks);
    SecTrustSetAnchorCertificates(trust, anchors);
    CFRelease(anchors);
  }
  if (how & 2) {
    CFStringRef name = CFStringCreateWithCString(NULL, host,
                                                 kCFStringEncodingUTF8);
    SecPolicyRef policy = SecPolicyCreateSSL(true, name);
    SecTrustSetPolicies(trust, policy);
    CFRelease(policy);
    if (name != NULL)
      CFRelease(name);
  }
  free(host);
  if (how & 4) {
    CFArrayRef chain = SecTrustCopyCertificateChain(trust);
    if (chain != NULL)
      CFRelease(chain);
    SecTrustGetCertificateAtIndex(trust, how >> 4);
  }
  if (SecTrustEvaluateWithError(trust, &error))
    SSLHandshake(ctx);
  if (error != NULL)
    CFRelease(error);
  SecTrustGetTrustResult(trust, &result);
  CFRelease(trust);
}

static void getters(SSLContextRef ctx) {
  SSLSessionState state;
  SSLProtocol protocol;
  SSLCipherSuite suite, suites[600];
  SSLClientCertificateState cert_state;
  CFArrayRef array = NULL;
  char buf[300];
  size_t len = sizeof(buf), count = 600;
  Boolean value;
  SSLGetSessionState(ctx, &state);
  SSLGetNegotiatedProtocolVersion(ctx, &protocol);
  SSLGetNegotiatedCipher(ctx, &suite);
  SSLGetProtocolVersionMin(ctx, &protocol);
  SSLGetProtocolVersionMax(ctx, &protocol);
  SSLGetBufferedReadSize(ctx, &len);
  SSLGetPeerDomainNameLength(ctx, &len);
  len = sizeof(buf);
  SSLGetPeerDomainName(ctx, buf, &len);
  SSLCopyRequestedPeerNameLength(ctx, &len);
  len = sizeof(buf);
  SSLCopyRequestedPeerName(ctx, buf, &len);
  SSLGetNumberEnabledCiphers(ctx, &count);
  count = 600;
  SSLGetEnabledCiphers(ctx, suites, &count);
  SSLGetNumberSupportedCiphers(ctx, &count);
  count = 2;
  SSLGetSupportedCiphers(ctx, suites, &count);
  SSLGetClientCertificateState(ctx, &cert_state);
  SSLGetSessionOption(ctx, kSSLSessionOptionFalseStart, &value);
  if (SSLCopyALPNProtocols(ctx, &array) == errSecSuccess && array != NULL)
    CFRelease(array);
  array = NULL;
  if (SSLCopyDistinguishedNames(ctx, &array) == errSecSuccess && array != NULL)
    CFRelease(array);
}

static void set_alpn(SSLContextRef ctx, struct fuzz_input *in) {
  CFMutableArrayRef list = CFArrayCreateMutable(NULL, 0,
                                                &kCFTypeArrayCallBacks);
  uint8_t n = fuzz_u8(in) % 4, k;
  for (k = 0; k < n; k++) {
    size_t len;
    const uint8_t *name = fuzz_short_bytes(in, &len);
    CFStringRef s = CFStringCreateWithBytes(NULL, name, (CFIndex)len,
                                            kCFStringEncodingUTF8, false);
    if (s != NULL) {
      CFArrayAppendValue(list, s);
      CFRelease(s);
    }
  }
  SSLSetALPNProtocols(ctx, list);
  CFRelease(list);
}

/* The Apple names whose argument types differ from the C API's. */
static OSStatus set_session_option(SSLContextRef ctx, int option, int value) {
  return SSLSetSessionOption(ctx, option, value != 0);
}

static OSStatus set_tickets(SSLContextRef ctx, int enabled) {
  return SSLSetSessionTicketsEnabled(ctx, enabled != 0);
}

static const struct fuzz_calls calls = {
    SSLHandshake,
    SSLWrite,
    SSLRead,
    SSLClose,
    SSLSetPeerDomainName,
    SSLSetProtocolVersionMin,
    SSLSetProtocolVersionMax,
    set_session_option,
    SSLSetEnabledCiphers,
    SSLAddDistinguishedName,
    SSLSetPeerID,
    SSLSetError,
    SSLSetClientSideAuthenticate,
    set_tickets,
};

/* The target's own op codes, after those of the table. */
static void own_call(int code, int i, struct fuzz_input *in) {
  SSLContextRef ctx = slot[i];
  const uint8_t *bytes;
  size_t len;

  switch (code) {
  case 0:
    create(i, in);
    break;
  case 1:
    if (fuzz_u8(in) & 1)
      SSLDisposeContext(ctx);
    else if (ctx != NULL)
      CFRelease(ctx);
    slot[i] = NULL;
    break;
  case 2:
    set_alpn(ctx, in);
    break;
  case 3:
  case 4:
    SSLHandshake(ctx);
    break;
  case 5:
    peer_trust(ctx, in);
    break;
  case 6:
    getters(ctx);
    break;
  case 7:
    bytes = fuzz_bytes(in, &len);
    deliver(&ends[i], bytes, &len);
    break;
  case 8:
    ends[i].eof = 1;
    break;
  case 9:
    ends[i].len = fuzz_u16(in) % (ends[i].len + 1);
    break;
  case 10:
    ends[i].write_limit = (size_t)fuzz_u8(in) * 8;
    break;
  case 11: {
    bytes = fuzz_short_bytes(in, &len);
    CFDataRef data = CFDataCreate(NULL, bytes, (CFIndex)len);
    SSLSetOCSPResponse(ctx, data);
    if (data != NULL)
      CFRelease(data);
    break;
  }
  case 12:
    SSLSetCertificate(ctx, NULL);
    break;
  default: {
    CFStringRef name = CFStringCreateWithCString(
        NULL, code & 1 ? "default" : "TLSv1_fallback", kCFStringEncodingUTF8);
    SSLSetSessionConfig(ctx, name);
    CFRelease(name);
    break;
  }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fuzz_input in = {data, size};
  int i;
  memset(ends, 0, sizeof(ends));
  fuzz_run_calls(&calls, slot, own_call, &in);
  for (i = 0; i < 2; i++) {
    if (slot[i] != NULL)
      CFRelease(slot[i]);
    slot[i] = NULL;
  }
  return 0;
}
