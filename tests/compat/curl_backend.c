/*
 * curl_backend.c: an HTTPS fetch in the style of curl's Secure Transport
 * backend (lib/vtls/sectransp.c), written against Apple's API. Only the
 * include line differs from what would build on macOS.
 *
 * What it does the curl way:
 *  - a non-blocking socket, driven by poll(); the callbacks move what the
 *    socket takes and return errSSLWouldBlock with the count on a short
 *    transfer, remembering the direction to poll for;
 *  - with a CA file: kSSLSessionOptionBreakOnServerAuth, then on
 *    errSSLServerAuthCompleted its own verification (anchors only) and back
 *    into SSLHandshake;
 *  - ALPN h2 + http/1.1 offered, the choice read with SSLCopyALPNProtocols;
 *  - sending: SSLWrite may take the bytes and still say errSSLWouldBlock:
 *    remember the length and flush with SSLWrite(ctx, NULL, 0, &n) until it
 *    stops saying so; never offer the bytes again;
 *  - receiving: data can come with errSSLWouldBlock; SSLGetBufferedReadSize
 *    says whether to read again before polling (curl's data_pending);
 *  - shutdown: SSLClose, retried while it says errSSLWouldBlock, then the
 *    raw socket drained.
 *
 * --chunk N caps every send and recv at N bytes, so short transfers and
 * the flush loop happen on loopback as they do on a slow network.
 *
 * usage: curl_backend [--chunk N] ADDRESS PORT HOSTNAME ANCHOR.der
 * exit: 0 success, 1 failure.
 */
#include <sectrans/SecureTransport.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TIMEOUT_MS 10000

struct backend {
  int fd;
  SSLContextRef ctx;
  size_t chunk;                 /* 0: no cap */
  bool want_write;              /* curl's ssl_direction */
  size_t write_buffered_length; /* curl's ssl_write_buffered_length */
  CFArrayRef anchors;
  const char *host;
  /* What happened, to prove the test exercised it. */
  unsigned short_reads, short_writes, flushes, buffered_reads, close_retries;
};

static OSStatus bio_read(SSLConnectionRef conn, void *buf, size_t *len) {
  struct backend *b = (struct backend *)conn;
  size_t want = *len;
  ssize_t n;

  if (b->chunk && want > b->chunk)
    want = b->chunk;
  n = recv(b->fd, buf, want, 0);
  if (n < 0) {
    *len = 0;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      b->want_write = false;
      return errSSLWouldBlock;
    }
    return errSecIO;
  }
  if (n == 0) {
    *len = 0;
    return errSSLClosedGraceful;
  }
  if ((size_t)n < *len) {
    /* Keep what came; Secure Transport asks only for the rest later. */
    b->short_reads++;
    b->want_write = false;
    *len = (size_t)n;
    return errSSLWouldBlock;
  }
  return noErr;
}

static OSStatus bio_write(SSLConnectionRef conn, const void *buf, size_t *len) {
  struct backend *b = (struct backend *)conn;
  size_t want = *len;
  ssize_t n;

  if (b->chunk && want > b->chunk)
    want = b->chunk;
  n = send(b->fd, buf, want, MSG_NOSIGNAL);
  if (n <= 0) {
    *len = 0;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      b->want_write = true;
      return errSSLWouldBlock;
    }
    return errSecIO;
  }
  if ((size_t)n < *len) {
    b->short_writes++;
    b->want_write = true;
    *len = (size_t)n;
    return errSSLWouldBlock;
  }
  return noErr;
}

/* Waits for the direction the callbacks last hit. */
static int wait_socket(struct backend *b) {
  struct pollfd p = {b->fd, b->want_write ? POLLOUT : POLLIN, 0};
  int n;
  do
    n = poll(&p, 1, TIMEOUT_MS);
  while (n < 0 && errno == EINTR);
  if (n <= 0) {
    fprintf(stderr, "curl_backend: timed out waiting to %s\n",
            b->want_write ? "send" : "receive");
    return -1;
  }
  return 0;
}

static int tcp_connect(const char *address, const char *port) {
  struct sockaddr_in sin;
  struct pollfd p;
  int fd, err = 0;
  socklen_t errlen = sizeof(err);

  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons((unsigned short)atoi(port));
  if (inet_pton(AF_INET, address, &sin.sin_addr) != 1)
    return -1;
  if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
    return -1;
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 &&
      errno != EINPROGRESS)
    goto fail;
  p.fd = fd;
  p.events = POLLOUT;
  if (poll(&p, 1, TIMEOUT_MS) != 1 ||
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) != 0 || err != 0)
    goto fail;
  return fd;
fail:
  close(fd);
  return -1;
}

/* curl's sectransp error table, the part this program can meet. */
static const char *describe(OSStatus err) {
  switch (err) {
  case errSSLXCertChainInvalid:
    return "SSL certificate problem: Invalid certificate chain";
  case errSSLUnknownRootCert:
    return "SSL certificate problem: untrusted root certificate";
  case errSSLNoRootCert:
    return "SSL certificate problem: no root certificate";
  case errSSLCertExpired:
    return "SSL certificate problem: certificate has expired";
  case errSSLHostNameMismatch:
    return "SSL certificate peer verification failed, the certificate did not "
           "match the host name";
  case errSSLPeerHandshakeFail:
    return "handshake failure";
  case errSSLClosedAbort:
    return "Server aborted the SSL handshake";
  case errSSLBadConfiguration:
    return "A configuration error occurred";
  default:
    return "Unknown SSL/TLS error";
  }
}

/* curl's verify_cert with a CA file: the anchors and nothing else. */
static OSStatus verify_cert(struct backend *b) {
  SecTrustRef trust = NULL;
  SecTrustResultType result;
  OSStatus ret = SSLCopyPeerTrust(b->ctx, &trust);

  if (ret != noErr)
    return ret;
  if (trust == NULL)
    return errSSLXCertChainInvalid;
  ret = SecTrustSetAnchorCertificates(trust, b->anchors);
  if (ret == noErr)
    ret = SecTrustSetAnchorCertificatesOnly(trust, true);
  if (ret == noErr)
    ret = SecTrustEvaluate(trust, &result);
  CFRelease(trust);
  if (ret != noErr)
    return ret;
  switch (result) {
  case kSecTrustResultUnspecified:
  case kSecTrustResultProceed:
    return noErr;
  default:
    return errSSLXCertChainInvalid;
  }
}

static int connect_step(struct backend *b) {
  OSStatus err;
  for (;;) {
    err = SSLHandshake(b->ctx);
    if (err == noErr)
      return 0;
    if (err == errSSLWouldBlock) {
      if (wait_socket(b) != 0)
        return -1;
      continue;
    }
    /* -9841, literally: curl supports headers without the alias. */
    if (err == -9841) {
      OSStatus v = verify_cert(b);
      if (v != noErr) {
        fprintf(stderr, "curl_backend: %s (%d)\n", describe(v), (int)v);
        return -1;
      }
      continue; /* curl's "goto check_handshake" */
    }
    fprintf(stderr, "curl_backend: handshake: %s (%d)\n", describe(err),
            (int)err);
    return -1;
  }
}

/* curl's sectransp_send: -1 with *again for would-block. */
static ssize_t backend_send(struct backend *b, const void *mem, size_t len,
                            bool *again) {
  size_t processed = 0;
  OSStatus err;

  *again = false;
  if (b->write_buffered_length) {
    /* Earlier bytes were taken but not all sent: only flush. */
    b->flushes++;
    err = SSLWrite(b->ctx, NULL, 0, &processed);
    switch (err) {
    case noErr:
      processed = b->write_buffered_length;
      b->write_buffered_length = 0;
      return (ssize_t)processed;
    case errSSLWouldBlock:
      *again = true;
      return -1;
    default:
      fprintf(stderr, "curl_backend: SSLWrite flush: %d\n", (int)err);
      return -1;
    }
  }
  err = SSLWrite(b->ctx, mem, len, &processed);
  if (err == errSSLWouldBlock) {
    /* The bytes are inside the context now: never offer them again. */
    b->write_buffered_length = len;
    *again = true;
    return -1;
  }
  if (err != noErr) {
    fprintf(stderr, "curl_backend: SSLWrite: %d\n", (int)err);
    return -1;
  }
  return (ssize_t)processed;
}

/* curl's sectransp_recv: 0 at the end, -1 with *again for would-block. */
static ssize_t backend_recv(struct backend *b, char *buf, size_t size,
                            bool *again) {
  size_t processed = 0;
  OSStatus err;

  *again = false;
again:
  err = SSLRead(b->ctx, buf, size, &processed);
  switch (err) {
  case noErr:
    return (ssize_t)processed;
  case errSSLWouldBlock:
    if (processed)
      return (ssize_t)processed; /* data and would-block together */
    *again = true;
    return -1;
  case errSSLClosedGraceful:
  case errSSLClosedNoNotify:
    return (ssize_t)processed;
  case -9841:
    if (verify_cert(b) != noErr)
      return -1;
    goto again;
  default:
    fprintf(stderr, "curl_backend: SSLRead: %d\n", (int)err);
    return -1;
  }
}

static bool data_pending(struct backend *b) {
  size_t buffer = 0;
  return SSLGetBufferedReadSize(b->ctx, &buffer) == noErr && buffer > 0;
}

static CFArrayRef load_anchors(const char *path) {
  unsigned char buf[16384];
  size_t len;
  FILE *f = fopen(path, "rb");
  CFDataRef der;
  SecCertificateRef cert;
  CFMutableArrayRef anchors;

  if (f == NULL)
    return NULL;
  len = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  der = CFDataCreate(kCFAllocatorDefault, buf, (CFIndex)len);
  cert = SecCertificateCreateWithData(kCFAllocatorDefault, der);
  CFRelease(der);
  if (cert == NULL)
    return NULL;
  anchors = CFArrayCreateMutable(kCFAllocatorDefault, 0,
                                 &kCFTypeArrayCallBacks);
  CFArrayAppendValue(anchors, cert);
  CFRelease(cert);
  return anchors;
}

/* After connecting: what curl logs in sectransp_connect_step2/3. */
static int report(struct backend *b) {
  SSLCipherSuite cipher = 0;
  SSLProtocol protocol = kSSLProtocolUnknown;
  CFArrayRef alpn = NULL;
  SecTrustRef trust = NULL;
  OSStatus err;

  if ((err = SSLGetNegotiatedCipher(b->ctx, &cipher)) != noErr ||
      (err = SSLGetNegotiatedProtocolVersion(b->ctx, &protocol)) != noErr) {
    fprintf(stderr, "curl_backend: negotiated values: %d\n", (int)err);
    return -1;
  }
  printf("protocol: %s\n", protocol == kTLSProtocol13   ? "TLSv1.3"
                           : protocol == kTLSProtocol12 ? "TLSv1.2"
                                                        : "unknown");
  printf("cipher: 0x%04X\n", (unsigned)cipher);

  err = SSLCopyALPNProtocols(b->ctx, &alpn);
  if (err == noErr && alpn && CFArrayGetCount(alpn) >= 1) {
    CFStringRef chosen = (CFStringRef)CFArrayGetValueAtIndex(alpn, 0);
    char name[64];
    if (!CFStringGetCString(chosen, name, sizeof(name), kCFStringEncodingASCII))
      name[0] = '\0';
    if (CFEqual(chosen, CFSTR("h2")) || CFEqual(chosen, CFSTR("http/1.1")))
      printf("ALPN: server accepted %s\n", name);
    else
      printf("ALPN: unexpected %s\n", name);
  } else {
    printf("ALPN: server did not agree on a protocol\n");
  }
  if (alpn)
    CFRelease(alpn);

  /* curl's collect_server_cert: the trust may be NULL with noErr. */
  if (SSLCopyPeerTrust(b->ctx, &trust) == noErr && trust != NULL) {
    CFIndex count = SecTrustGetCertificateCount(trust);
    for (CFIndex i = 0; i < count; i++) {
      SecCertificateRef cert = SecTrustGetCertificateAtIndex(trust, i);
      CFStringRef summary = SecCertificateCopySubjectSummary(cert);
      CFDataRef der = SecCertificateCopyData(cert);
      char text[256];
      if (summary == NULL || !CFStringGetCString(summary, text, sizeof(text),
                                                 kCFStringEncodingUTF8))
        strcpy(text, "?");
      printf("server certificate %ld: %s (%ld bytes)\n", (long)i, text,
             (long)CFDataGetLength(der));
      if (summary)
        CFRelease(summary);
      if (der)
        CFRelease(der);
    }
    CFRelease(trust);
  }
  return 0;
}

static int shutdown_tls(struct backend *b) {
  char buf[1024];
  OSStatus err;

  /* SSLClose may need more than one call to get close_notify out. */
  while ((err = SSLClose(b->ctx)) == errSSLWouldBlock) {
    b->close_retries++;
    if (wait_socket(b) != 0)
      return -1;
  }
  if (err != noErr) {
    fprintf(stderr, "curl_backend: SSLClose: %d\n", (int)err);
    return -1;
  }
  /* SSLRead does not work after SSLClose: drain the socket raw. */
  for (;;) {
    ssize_t n = recv(b->fd, buf, sizeof(buf), 0);
    if (n > 0)
      continue;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
      break;
    b->want_write = false;
    if (wait_socket(b) != 0)
      break;
  }
  return 0;
}

int main(int argc, char **argv) {
  struct backend b;
  char request[512], response[65536];
  size_t have = 0, reqlen, sent = 0;
  int argi = 1, rc = 1;
  CFMutableArrayRef alpn;

  memset(&b, 0, sizeof(b));
  b.fd = -1;
  if (argc > 2 && strcmp(argv[1], "--chunk") == 0) {
    b.chunk = (size_t)atoi(argv[2]);
    argi = 3;
  }
  if (argc - argi != 4) {
    fprintf(
        stderr,
        "usage: curl_backend [--chunk N] ADDRESS PORT HOSTNAME ANCHOR.der\n");
    return 1;
  }
  b.host = argv[argi + 2];
  if ((b.anchors = load_anchors(argv[argi + 3])) == NULL) {
    fprintf(stderr, "curl_backend: cannot load %s\n", argv[argi + 3]);
    return 1;
  }
  if ((b.fd = tcp_connect(argv[argi], argv[argi + 1])) < 0) {
    perror("curl_backend: connect");
    goto out;
  }

  /* sectransp_connect_step1 */
  if ((b.ctx = SSLCreateContext(NULL, kSSLClientSide, kSSLStreamType)) == NULL)
    goto out;
  if (SSLSetProtocolVersionMin(b.ctx, kTLSProtocol12) != noErr) {
    fprintf(stderr, "curl_backend: TLS 1.2 minimum refused\n");
    goto out;
  }
  /* On Apple this failed ("does not support TLSv1.3"); sectrans takes it. */
  if (SSLSetProtocolVersionMax(b.ctx, kTLSProtocol13) != noErr) {
    fprintf(stderr, "curl_backend: Your version of the OS does not support "
                    "TLSv1.3\n");
    goto out;
  }
  alpn = CFArrayCreateMutable(NULL, 0, &kCFTypeArrayCallBacks);
  CFArrayAppendValue(alpn, CFSTR("h2"));
  CFArrayAppendValue(alpn, CFSTR("http/1.1"));
  if (SSLSetALPNProtocols(b.ctx, alpn) != noErr) {
    CFRelease(alpn);
    fprintf(stderr, "curl_backend: SSLSetALPNProtocols failed\n");
    goto out;
  }
  CFRelease(alpn);
  if (SSLSetSessionOption(b.ctx, kSSLSessionOptionBreakOnServerAuth, true) !=
          noErr ||
      SSLSetPeerDomainName(b.ctx, b.host, strlen(b.host)) != noErr ||
      SSLSetIOFuncs(b.ctx, bio_read, bio_write) != noErr ||
      SSLSetConnection(b.ctx, &b) != noErr) {
    fprintf(stderr, "curl_backend: context set-up failed\n");
    goto out;
  }

  if (connect_step(&b) != 0 || report(&b) != 0)
    goto out;

  /* The transfer, as curl's multi loop drives it. */
  snprintf(request, sizeof(request),
           "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: curl/8.0\r\n"
           "Accept: */*\r\nConnection: close\r\n\r\n",
           b.host);
  reqlen = strlen(request);
  while (sent < reqlen) {
    bool again;
    ssize_t n = backend_send(&b, request + sent, reqlen - sent, &again);
    if (n > 0)
      sent += (size_t)n;
    else if (!again || wait_socket(&b) != 0)
      goto out;
  }
  for (;;) {
    bool again;
    /* A small buffer, so records are often left half read. */
    size_t room = sizeof(response) - 1 - have;
    ssize_t n = backend_recv(&b, response + have, room < 512 ? room : 512,
                             &again);
    if (n > 0) {
      have += (size_t)n;
      response[have] = '\0';
      /* s_server -www ends its page here; stop before its close_notify so
       * SSLClose has work to do. */
      if (strstr(response, "</HTML>") != NULL || have == sizeof(response) - 1)
        break;
      if (data_pending(&b))
        b.buffered_reads++;
      continue;
    }
    if (n == 0)
      break;
    if (!again || wait_socket(&b) != 0)
      goto out;
  }
  response[have] = '\0';
  printf("response: %zu bytes\n", have);
  if (strncmp(response, "HTTP/1.0 200", 12) != 0 &&
      strncmp(response, "HTTP/1.1 200", 12) != 0) {
    fprintf(stderr, "curl_backend: unexpected response: %.80s\n", response);
    goto out;
  }
  if (shutdown_tls(&b) != 0)
    goto out;
  printf("short reads %u, short writes %u, flushes %u, buffered reads %u, "
         "close retries %u\n",
         b.short_reads, b.short_writes, b.flushes, b.buffered_reads,
         b.close_retries);
  fwrite(response, 1, have, stdout);
  printf("\ncurl_backend: ok\n");
  rc = 0;

out:
  if (b.ctx != NULL)
    CFRelease(b.ctx);
  if (b.fd >= 0)
    close(b.fd);
  CFRelease(b.anchors);
  return rc;
}
