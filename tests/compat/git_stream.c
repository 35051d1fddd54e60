/*
 * git_stream.c: a TLS client stream in the style of libgit2's Secure
 * Transport stream, written against Apple's API. Only the include line
 * differs from what would build on macOS.
 *
 * What it does the libgit2 way:
 *  - blocking socket; the read callback loops until it has exactly the
 *    requested length (Secure Transport asks for exact amounts) and says
 *    errSSLClosedGraceful at end of stream; the write callback writes all;
 *  - kSSLSessionOptionBreakOnServerAuth, protocol TLS 1.0 to 1.2, peer name;
 *  - one SSLHandshake call, which must stop at errSSLServerAuthCompleted;
 *    then SSLCopyPeerTrust, SecTrustEvaluate, and NO second SSLHandshake:
 *    the first SSLWrite finishes the handshake;
 *  - an HTTP/1.0 request, the response read to the end.
 *
 * Besides libgit2 (which trusts the system anchors), it sets the anchor
 * given on the command line, so the test needs no system-wide CA.
 *
 * usage: git_stream ADDRESS PORT HOSTNAME ANCHOR.der
 * exit: 0 success, 2 certificate not trusted, 1 any other failure.
 */
#include <sectrans/SecureTransport.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define CERT_UNTRUSTED 2

struct stream {
  int fd;
  SSLContextRef ctx;
};

static OSStatus read_cb(SSLConnectionRef conn, void *data, size_t *len) {
  const struct stream *st = conn;
  size_t want = *len, got = 0;
  OSStatus ret = noErr;

  /* Exactly the requested length, or an error: Secure Transport takes a
   * short successful read for a complete one. */
  while (got < want) {
    ssize_t n = recv(st->fd, (char *)data + got, want - got, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      ret = errno == EAGAIN ? errSSLNetworkTimeout : errSecIO;
      break;
    }
    if (n == 0) {
      ret = errSSLClosedGraceful;
      break;
    }
    got += (size_t)n;
  }
  *len = got;
  return ret;
}

static OSStatus write_cb(SSLConnectionRef conn, const void *data, size_t *len) {
  const struct stream *st = conn;
  size_t want = *len, sent = 0;
  OSStatus ret = noErr;

  while (sent < want) {
    ssize_t n = send(st->fd, (const char *)data + sent, want - sent,
                     MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      ret = errno == EAGAIN ? errSSLNetworkTimeout : errSecIO;
      break;
    }
    sent += (size_t)n;
  }
  *len = sent;
  return ret;
}

static int tcp_connect(const char *address, const char *port) {
  struct sockaddr_in sin;
  struct timeval tv = {10, 0};
  int fd;

  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons((unsigned short)atoi(port));
  if (inet_pton(AF_INET, address, &sin.sin_addr) != 1)
    return -1;
  if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
    return -1;
  /* A stuck peer makes the callbacks fail instead of hanging the test. */
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static CFArrayRef load_anchors(const char *path) {
  unsigned char buf[16384];
  size_t len;
  FILE *f = fopen(path, "rb");
  CFDataRef der;
  SecCertificateRef cert;
  CFArrayRef anchors;

  if (f == NULL)
    return NULL;
  len = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  der = CFDataCreate(kCFAllocatorDefault, buf, (CFIndex)len);
  cert = SecCertificateCreateWithData(kCFAllocatorDefault, der);
  CFRelease(der);
  if (cert == NULL)
    return NULL;
  anchors = CFArrayCreate(kCFAllocatorDefault, (const void **)&cert, 1,
                          &kCFTypeArrayCallBacks);
  CFRelease(cert);
  return anchors;
}

static int fail(const char *what, OSStatus ret) {
  fprintf(stderr, "git_stream: %s: OSStatus %d\n", what, (int)ret);
  return 1;
}

/* libgit2's stransport_connect: one handshake call, then the trust. */
static int stream_connect(struct stream *st, const char *host,
                          CFArrayRef anchors) {
  SecTrustRef trust = NULL;
  SecTrustResultType sec_res;
  SSLSessionState state;
  OSStatus ret;

  ret = SSLHandshake(st->ctx);
  if (ret != errSSLServerAuthCompleted && ret != noErr)
    return fail("SSLHandshake", ret);
  if ((ret = SSLGetSessionState(st->ctx, &state)) != noErr ||
      state != kSSLHandshake)
    return fail("SSLGetSessionState after the break", ret ? ret : state);

  if ((ret = SSLCopyPeerTrust(st->ctx, &trust)) != noErr)
    return fail("SSLCopyPeerTrust", ret);
  if (trust == NULL)
    return fail("SSLCopyPeerTrust gave no trust", errSecParam);
  if ((ret = SecTrustSetAnchorCertificates(trust, anchors)) != noErr ||
      (ret = SecTrustEvaluate(trust, &sec_res)) != noErr) {
    CFRelease(trust);
    return fail("SecTrustEvaluate", ret);
  }
  printf("trust: %ld certificate(s), result %u\n",
         (long)SecTrustGetCertificateCount(trust), (unsigned)sec_res);
  CFRelease(trust);

  if (sec_res == kSecTrustResultInvalid || sec_res == kSecTrustResultOtherError)
    return fail("internal error evaluating the trust", (OSStatus)sec_res);
  if (sec_res == kSecTrustResultDeny ||
      sec_res == kSecTrustResultRecoverableTrustFailure ||
      sec_res == kSecTrustResultFatalTrustFailure) {
    fprintf(stderr, "git_stream: %s: certificate not trusted\n", host);
    return CERT_UNTRUSTED;
  }
  /* No SSLHandshake here: SSLWrite finishes it, as libgit2 relies on. */
  return 0;
}

/* libgit2's stransport_write: whatever SSLWrite took counts. */
static ssize_t stream_write(struct stream *st, const char *data, size_t len) {
  size_t processed = 0;
  OSStatus ret = SSLWrite(st->ctx, data, len, &processed);
  if (ret != noErr) {
    fail("SSLWrite", ret);
    return -1;
  }
  return (ssize_t)processed;
}

/* libgit2's stransport_read: 0 at a clean end. */
static ssize_t stream_read(struct stream *st, char *data, size_t len) {
  size_t processed = 0;
  OSStatus ret = SSLRead(st->ctx, data, len, &processed);
  if (ret == errSSLClosedGraceful || ret == errSSLClosedNoNotify)
    return (ssize_t)processed;
  if (ret != noErr) {
    fail("SSLRead", ret);
    return -1;
  }
  return (ssize_t)processed;
}

int main(int argc, char **argv) {
  struct stream st = {-1, NULL};
  CFArrayRef anchors = NULL;
  char request[512], response[65536];
  size_t have = 0;
  SSLProtocol version = kSSLProtocolUnknown;
  SSLSessionState state;
  int rc = 1;

  if (argc != 5) {
    fprintf(stderr, "usage: git_stream ADDRESS PORT HOSTNAME ANCHOR.der\n");
    return 1;
  }
  const char *host = argv[3];
  if ((anchors = load_anchors(argv[4])) == NULL) {
    fprintf(stderr, "git_stream: cannot load %s\n", argv[4]);
    return 1;
  }
  if ((st.fd = tcp_connect(argv[1], argv[2])) < 0) {
    perror("git_stream: connect");
    goto out;
  }

  /* The set-up of libgit2's stransport_stream_wrap. */
  st.ctx = SSLCreateContext(NULL, kSSLClientSide, kSSLStreamType);
  if (st.ctx == NULL) {
    fprintf(stderr, "git_stream: SSLCreateContext failed\n");
    goto out;
  }
  if (SSLSetIOFuncs(st.ctx, read_cb, write_cb) != noErr ||
      SSLSetConnection(st.ctx, &st) != noErr ||
      SSLSetSessionOption(st.ctx, kSSLSessionOptionBreakOnServerAuth, true) !=
          noErr ||
      SSLSetProtocolVersionMin(st.ctx, kTLSProtocol1) != noErr ||
      SSLSetProtocolVersionMax(st.ctx, kTLSProtocol12) != noErr ||
      SSLSetPeerDomainName(st.ctx, host, strlen(host)) != noErr) {
    fprintf(stderr, "git_stream: context set-up failed\n");
    goto out;
  }

  if ((rc = stream_connect(&st, host, anchors)) != 0)
    goto out;
  rc = 1;

  snprintf(request, sizeof(request),
           "GET / HTTP/1.0\r\nHost: %s\r\nUser-Agent: git/2.0\r\n\r\n", host);
  for (size_t off = 0, len = strlen(request); off < len;) {
    ssize_t n = stream_write(&st, request + off, len - off);
    if (n <= 0)
      goto out;
    off += (size_t)n;
  }
  if (SSLGetSessionState(st.ctx, &state) != noErr || state != kSSLConnected) {
    fprintf(stderr, "git_stream: not connected after SSLWrite\n");
    goto out;
  }
  for (;;) {
    ssize_t n = stream_read(&st, response + have, sizeof(response) - 1 - have);
    if (n < 0)
      goto out;
    if (n == 0)
      break;
    have += (size_t)n;
    if (have == sizeof(response) - 1)
      break;
  }
  response[have] = '\0';

  SSLGetNegotiatedProtocolVersion(st.ctx, &version);
  printf("protocol: %d\n", (int)version);
  printf("response: %zu bytes\n", have);
  fwrite(response, 1, have, stdout);
  if (strncmp(response, "HTTP/1.0 200", 12) != 0) {
    fprintf(stderr, "git_stream: unexpected response\n");
    goto out;
  }
  rc = 0;
  printf("\ngit_stream: ok\n");

out:
  if (st.ctx != NULL) {
    SSLClose(st.ctx);
    CFRelease(st.ctx);
  }
  if (st.fd >= 0)
    close(st.fd);
  CFRelease(anchors);
  return rc;
}
