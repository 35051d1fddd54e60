/*
 * rust_like.c: client and server in the style of Rust's security-framework
 * crate (secure_transport.rs, used by native-tls), written against Apple's
 * API. Only the include line differs from what would build on macOS.
 *
 * What it does the security-framework way:
 *  - a heap "Connection" (the stream plus the last I/O error) is the
 *    SSLConnectionRef; SSLGetConnection recovers it to report that error
 *    after a failed call and to free it when the stream is dropped;
 *  - callbacks loop until the whole length moved; end of stream is
 *    errSSLClosedNoNotify, ECONNRESET errSSLClosedAbort, EAGAIN
 *    errSSLWouldBlock, anything else errSecIO (translate_err);
 *  - the handshake treats errSSLPeerAuthCompleted, errSSLClientCertRequested,
 *    errSSLWouldBlock and errSSLClientHelloReceived as interruptions;
 *  - client (ClientBuilder): BreakOnServerAuth; at the break the peer trust
 *    (none: resumed, go on), anchor certificates with "anchors only" off,
 *    SecPolicyCreateSSL(true, domain), SecTrustEvaluateWithError, then the
 *    handshake again; SSLSetPeerID(domain) and SSLSetSessionTicketsEnabled,
 *    so a second connection resumes;
 *  - read caps the request at SSLGetBufferedReadSize when data is buffered
 *    (the reqwest#26 fix), counts data returned with an error as data, and
 *    takes ClosedGraceful/Abort/NoNotify for end of stream; write succeeds
 *    when anything was written;
 *  - server: identities from SecPKCS12Import; BreakOnClientHello, then
 *    SSLCopyRequestedPeerName picks one of two identities.
 *
 * Resumption has no Apple getter. The client reads it where the peer shows
 * it: `openssl s_server -www` answers with a page that says "Reused," or
 * "New," for the session; and a resumed TLS 1.3 handshake has no
 * certificate, so no break and no trust (which the program counts too).
 *
 * usage: rust_like client ADDRESS PORT DOMAIN ANCHOR.der CONNECTIONS
 *        rust_like server PORT PASSWORD NAME1 ID1.p12 NAME2 ID2.p12 CONNECTIONS
 *   The server listens on 127.0.0.1:PORT (0: any), prints
 *   "listening on PORT", and serves CONNECTIONS clients one after another:
 *   SNI NAME2 gets ID2.p12, anything else (no SNI too) ID1.p12. Each client
 *   sends one line and gets "hello from NAME: <line>" back.
 * exit: 0 success, 1 failure.
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

/* Rust's Connection<S>: the stream and what went wrong in a callback. */
struct connection {
  int fd;
  int err; /* errno of the last failed callback, 0 if none */
};

struct ssl_stream {
  SSLContextRef ctx;
};

static OSStatus translate_err(int e) {
  switch (e) {
  case EAGAIN:
    return errSSLWouldBlock;
  case ECONNRESET:
    return errSSLClosedAbort;
  default:
    return errSecIO;
  }
}

static OSStatus read_func(SSLConnectionRef connection, void *data,
                          size_t *data_length) {
  struct connection *conn = (struct connection *)connection;
  size_t start = 0;
  OSStatus ret = errSecSuccess;

  while (start < *data_length) {
    ssize_t n = read(conn->fd, (char *)data + start, *data_length - start);
    if (n == 0) {
      ret = errSSLClosedNoNotify;
      break;
    }
    if (n < 0) {
      if (errno == EINTR)
        continue;
      conn->err = errno;
      ret = translate_err(errno);
      break;
    }
    start += (size_t)n;
  }
  *data_length = start;
  return ret;
}

static OSStatus write_func(SSLConnectionRef connection, const void *data,
                           size_t *data_length) {
  struct connection *conn = (struct connection *)connection;
  size_t start = 0;
  OSStatus ret = errSecSuccess;

  while (start < *data_length) {
    ssize_t n = send(conn->fd, (const char *)data + start, *data_length - start,
                     MSG_NOSIGNAL);
    if (n == 0) {
      ret = errSSLClosedNoNotify;
      break;
    }
    if (n < 0) {
      if (errno == EINTR)
        continue;
      conn->err = errno;
      ret = translate_err(errno);
      break;
    }
    start += (size_t)n;
  }
  /* The crate flushes the inner stream here; a socket has nothing to flush. */
  *data_length = start;
  return ret;
}

static struct connection *connection_of(SSLContextRef ctx) {
  SSLConnectionRef conn = NULL;
  if (SSLGetConnection(ctx, &conn) != errSecSuccess)
    return NULL;
  return (struct connection *)conn;
}

/* SslStream::get_error: the callback's I/O error wins over the status. */
static void report_error(SSLContextRef ctx, const char *what, OSStatus ret) {
  struct connection *conn = connection_of(ctx);
  if (conn != NULL && conn->err != 0) {
    fprintf(stderr, "rust_like: %s: %s\n", what, strerror(conn->err));
    conn->err = 0;
  } else {
    fprintf(stderr, "rust_like: %s: OSStatus %d\n", what, (int)ret);
  }
}

/* SslContext::into_stream (ctx_into_stream). */
static int stream_wrap(SSLContextRef ctx, int fd) {
  struct connection *conn = (struct connection *)calloc(1, sizeof(*conn));
  if (conn == NULL)
    return -1;
  conn->fd = fd;
  if (SSLSetIOFuncs(ctx, read_func, write_func) != errSecSuccess ||
      SSLSetConnection(ctx, conn) != errSecSuccess) {
    free(conn);
    return -1;
  }
  return 0;
}

/* Drop for SslStream: the Connection goes back through SSLGetConnection. */
static void stream_drop(struct ssl_stream *s) {
  if (s->ctx == NULL)
    return;
  free(connection_of(s->ctx));
  CFRelease(s->ctx);
  s->ctx = NULL;
}

static bool is_interruption(OSStatus ret) {
  return ret == errSSLPeerAuthCompleted || ret == errSSLClientCertRequested ||
         ret == errSSLWouldBlock || ret == errSSLClientHelloReceived;
}

/* Read for SslStream. */
static ssize_t stream_read(struct ssl_stream *s, void *buf, size_t len) {
  size_t buffered = 0, to_read = len, nread = 0;
  OSStatus ret;

  if (len == 0)
    return 0;
  /* SSLRead would read another record after a partial one and block on an
   * idle keep-alive connection: ask for no more than is buffered. */
  if (SSLGetBufferedReadSize(s->ctx, &buffered) == errSecSuccess &&
      buffered > 0 && buffered < len)
    to_read = buffered;
  for (;;) {
    ret = SSLRead(s->ctx, buf, to_read, &nread);
    /* Data can come with an error: the data counts. */
    if (nread > 0)
      return (ssize_t)nread;
    switch (ret) {
    case errSSLClosedGraceful:
    case errSSLClosedAbort:
    case errSSLClosedNoNotify:
      return 0;
    case errSSLPeerAuthCompleted:
      continue;
    default:
      report_error(s->ctx, "SSLRead", ret);
      return -1;
    }
  }
}

/* Write for SslStream: success when anything was taken. */
static ssize_t stream_write(struct ssl_stream *s, const void *buf, size_t len) {
  size_t nwritten = 0;
  OSStatus ret;
  if (len == 0)
    return 0;
  ret = SSLWrite(s->ctx, buf, len, &nwritten);
  if (nwritten > 0)
    return (ssize_t)nwritten;
  report_error(s->ctx, "SSLWrite", ret);
  return -1;
}

static int write_all(struct ssl_stream *s, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = stream_write(s, data, len);
    if (n <= 0)
      return -1;
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

static void set_timeouts(int fd) {
  struct timeval tv = {10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static CFDataRef read_file(const char *path) {
  unsigned char buf[65536];
  size_t len;
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "rust_like: cannot open %s\n", path);
    return NULL;
  }
  len = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  return CFDataCreate(kCFAllocatorDefault, buf, (CFIndex)len);
}

/* ---- Client ------------------------------------------------------------- */

struct client_builder {
  const char *domain;
  CFArrayRef certs; /* extra anchors */
  bool trust_certs_only;
};

/* MidHandshakeClientBuilder::handshake. *breaks counts the trust checks. */
static int client_handshake(const struct client_builder *cb,
                            struct ssl_stream *s, int *breaks) {
  for (;;) {
    OSStatus ret = SSLHandshake(s->ctx);
    SecTrustRef trust = NULL;
    SecPolicyRef policy;
    CFStringRef domain;
    CFErrorRef error = NULL;
    bool ok;

    if (ret == errSecSuccess)
      return 0;
    if (!is_interruption(ret)) {
      report_error(s->ctx, "SSLHandshake", ret);
      return -1;
    }
    if (ret == errSSLWouldBlock) {
      /* A blocking socket says so only when its timeout expired. */
      fprintf(stderr, "rust_like: handshake timed out\n");
      return -1;
    }
    if (ret != errSSLPeerAuthCompleted) {
      fprintf(stderr, "rust_like: unexpected interruption %d\n", (int)ret);
      return -1;
    }
    (*breaks)++;
    /* peer_trust2(): None means a resumed session, nothing to check. */
    if (SSLCopyPeerTrust(s->ctx, &trust) != errSecSuccess)
      return -1;
    if (trust == NULL)
      continue;
    if (CFArrayGetCount(cb->certs) > 0) {
      SecTrustSetAnchorCertificates(trust, cb->certs);
      SecTrustSetAnchorCertificatesOnly(trust, cb->trust_certs_only);
    }
    domain = CFStringCreateWithCString(NULL, cb->domain, kCFStringEncodingUTF8);
    policy = SecPolicyCreateSSL(true, domain);
    CFRelease(domain);
    SecTrustSetPolicies(trust, policy);
    CFRelease(policy);
    ok = SecTrustEvaluateWithError(trust, &error);
    CFRelease(trust);
    if (!ok) {
      CFStringRef text = error ? CFErrorCopyDescription(error) : NULL;
      fprintf(stderr, "rust_like: server certificate rejected: %ld (%s)\n",
              error ? (long)CFErrorGetCode(error) : 0L,
              text ? CFStringGetCStringPtr(text, kCFStringEncodingUTF8) : "?");
      if (text)
        CFRelease(text);
      if (error)
        CFRelease(error);
      return -1;
    }
  }
}

/* ClientBuilder::handshake, then one HTTP request. */
static int client_connect(const struct client_builder *cb, const char *address,
                          const char *port, int n) {
  struct ssl_stream s = {NULL};
  struct sockaddr_in sin;
  char request[256], page[65536];
  size_t have = 0;
  int fd = -1, breaks = 0, rc = -1;
  SSLProtocol version = kSSLProtocolUnknown;
  const char *session;

  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons((unsigned short)atoi(port));
  if (inet_pton(AF_INET, address, &sin.sin_addr) != 1 ||
      (fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
    return -1;
  set_timeouts(fd);
  if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
    perror("rust_like: connect");
    goto out;
  }

  if ((s.ctx = SSLCreateContext(NULL, kSSLClientSide, kSSLStreamType)) == NULL)
    goto out;
  if (stream_wrap(s.ctx, fd) != 0) {
    CFRelease(s.ctx);
    s.ctx = NULL;
    goto out;
  }
  if (SSLSetPeerDomainName(s.ctx, cb->domain, strlen(cb->domain)) != 0 ||
      SSLSetSessionOption(s.ctx, kSSLSessionOptionBreakOnServerAuth, true) !=
          0 ||
      SSLSetProtocolVersionMax(s.ctx, kTLSProtocolMaxSupported) != 0 ||
      SSLSetSessionTicketsEnabled(s.ctx, true) != 0 ||
      /* The domain is the peer ID, so a new domain is verified afresh. */
      SSLSetPeerID(s.ctx, cb->domain, strlen(cb->domain)) != 0) {
    fprintf(stderr, "rust_like: context set-up failed\n");
    goto out;
  }
  if (client_handshake(cb, &s, &breaks) != 0)
    goto out;

  snprintf(request, sizeof(request), "GET / HTTP/1.0\r\nHost: %s\r\n\r\n",
           cb->domain);
  if (write_all(&s, request, strlen(request)) != 0)
    goto out;
  /* Reading to the end also takes in the TLS 1.3 session tickets. */
  for (;;) {
    ssize_t r = stream_read(&s, page + have, sizeof(page) - 1 - have);
    if (r < 0)
      goto out;
    if (r == 0 || (have += (size_t)r) == sizeof(page) - 1)
      break;
  }
  page[have] = '\0';
  SSLGetNegotiatedProtocolVersion(s.ctx, &version);
  if (strstr(page, "\nReused,") != NULL)
    session = "Reused";
  else if (strstr(page, "\nNew,") != NULL)
    session = "New";
  else
    session = "unknown";
  printf("connection %d: %s session, %d trust break(s), protocol %d, "
         "%zu bytes\n",
         n, session, breaks, (int)version, have);
  if (strncmp(page, "HTTP/1.0 200", 12) != 0) {
    fprintf(stderr, "rust_like: unexpected response: %.80s\n", page);
    goto out;
  }
  SSLClose(s.ctx);
  rc = 0;
out:
  stream_drop(&s);
  if (fd >= 0)
    close(fd);
  return rc;
}

static int run_client(int argc, char **argv) {
  struct client_builder cb = {NULL, NULL, false};
  CFDataRef der;
  SecCertificateRef anchor;
  int count, rc = 0;

  if (argc != 7) {
    fprintf(stderr, "usage: rust_like client ADDRESS PORT DOMAIN ANCHOR.der "
                    "CONNECTIONS\n");
    return 1;
  }
  cb.domain = argv[4];
  count = atoi(argv[6]);
  if ((der = read_file(argv[5])) == NULL)
    return 1;
  anchor = SecCertificateCreateWithData(NULL, der);
  CFRelease(der);
  if (anchor == NULL) {
    fprintf(stderr, "rust_like: %s is not a DER certificate\n", argv[5]);
    return 1;
  }
  /* ClientBuilder::anchor_certificates; trust_anchor_certificates_only
   * stays false, so the platform anchors count too. */
  cb.certs = CFArrayCreate(NULL, (const void **)&anchor, 1,
                           &kCFTypeArrayCallBacks);
  CFRelease(anchor);
  for (int i = 1; i <= count && rc == 0; i++)
    if (client_connect(&cb, argv[2], argv[3], i) != 0)
      rc = 1;
  CFRelease(cb.certs);
  if (rc == 0)
    printf("rust_like client: ok\n");
  return rc;
}

/* ---- Server ------------------------------------------------------------- */

struct identity {
  const char *name;
  SecIdentityRef identity;
  CFArrayRef chain; /* kSecImportItemCertChain */
};

/* Identity::from_pkcs12 via Pkcs12ImportOptions. */
static int load_identity(struct identity *id, const char *name,
                         const char *path, const char *password) {
  CFDataRef p12 = read_file(path);
  CFStringRef pass;
  CFDictionaryRef options;
  CFArrayRef items = NULL;
  CFDictionaryRef item;
  OSStatus ret;

  if (p12 == NULL)
    return -1;
  pass = CFStringCreateWithCString(NULL, password, kCFStringEncodingUTF8);
  {
    const void *keys[] = {kSecImportExportPassphrase};
    const void *values[] = {pass};
    options = CFDictionaryCreate(NULL, keys, values, 1,
                                 &kCFTypeDictionaryKeyCallBacks,
                                 &kCFTypeDictionaryValueCallBacks);
  }
  CFRelease(pass);
  ret = SecPKCS12Import(p12, options, &items);
  CFRelease(options);
  CFRelease(p12);
  if (ret != errSecSuccess || CFArrayGetCount(items) < 1) {
    fprintf(stderr, "rust_like: SecPKCS12Import(%s): %d\n", path, (int)ret);
    if (items)
      CFRelease(items);
    return -1;
  }
  item = (CFDictionaryRef)CFArrayGetValueAtIndex(items, 0);
  id->name = name;
  id->identity = (SecIdentityRef)CFRetain(
      CFDictionaryGetValue(item, kSecImportItemIdentity));
  id->chain = (CFArrayRef)CFRetain(
      CFDictionaryGetValue(item, kSecImportItemCertChain));
  CFRelease(items);
  return id->identity != NULL && id->chain != NULL ? 0 : -1;
}

/* SslContext::requested_peer_name: no SNI is not an error for us. */
static int requested_peer_name(SSLContextRef ctx, char *buf, size_t size) {
  size_t len = 0;
  if (SSLCopyRequestedPeerNameLength(ctx, &len) != errSecSuccess)
    return 0;
  if (len >= size || SSLCopyRequestedPeerName(ctx, buf, &len) != errSecSuccess)
    return -1;
  buf[len] = '\0';
  return 1;
}

static int serve_one(int fd, struct identity ids[2]) {
  struct ssl_stream s = {NULL};
  char name[256] = "", line[1024], reply[1400];
  size_t have = 0;
  const struct identity *chosen = &ids[0];
  int rc = -1;

  if ((s.ctx = SSLCreateContext(NULL, kSSLServerSide, kSSLStreamType)) == NULL)
    return -1;
  if (stream_wrap(s.ctx, fd) != 0) {
    CFRelease(s.ctx);
    return -1;
  }
  if (SSLSetSessionOption(s.ctx, kSSLSessionOptionBreakOnClientHello, true) !=
      0)
    goto out;

  for (;;) {
    OSStatus ret = SSLHandshake(s.ctx);
    if (ret == errSecSuccess)
      break;
    if (!is_interruption(ret)) {
      report_error(s.ctx, "SSLHandshake", ret);
      goto out;
    }
    if (ret == errSSLClientHelloReceived) {
      CFMutableArrayRef certs;
      int sni = requested_peer_name(s.ctx, name, sizeof(name));
      if (sni < 0)
        goto out;
      chosen = sni && strcmp(name, ids[1].name) == 0 ? &ids[1] : &ids[0];
      /* [identity, intermediates...], as ServerBuilder passes it. */
      certs = CFArrayCreateMutable(NULL, 0, &kCFTypeArrayCallBacks);
      CFArrayAppendValue(certs, chosen->identity);
      for (CFIndex i = 1; i < CFArrayGetCount(chosen->chain); i++)
        CFArrayAppendValue(certs, CFArrayGetValueAtIndex(chosen->chain, i));
      ret = SSLSetCertificate(s.ctx, certs);
      CFRelease(certs);
      if (ret != errSecSuccess) {
        report_error(s.ctx, "SSLSetCertificate", ret);
        goto out;
      }
      printf("SNI %s -> identity %s\n", sni ? name : "(none)", chosen->name);
      fflush(stdout);
    }
  }

  /* One line from the client, one line back. */
  while (have < sizeof(line) - 1) {
    ssize_t r = stream_read(&s, line + have, sizeof(line) - 1 - have);
    if (r <= 0)
      goto out;
    have += (size_t)r;
    if (memchr(line, '\n', have) != NULL)
      break;
  }
  line[have] = '\0';
  line[strcspn(line, "\r\n")] = '\0';
  snprintf(reply, sizeof(reply), "hello from %s: %s\n", chosen->name, line);
  if (write_all(&s, reply, strlen(reply)) != 0)
    goto out;
  SSLClose(s.ctx);
  rc = 0;
out:
  stream_drop(&s);
  return rc;
}

static int run_server(int argc, char **argv) {
  struct identity ids[2];
  struct sockaddr_in sin;
  socklen_t slen = sizeof(sin);
  int lfd = -1, count, rc = 1, one = 1;

  if (argc != 9) {
    fprintf(stderr, "usage: rust_like server PORT PASSWORD NAME1 ID1.p12 "
                    "NAME2 ID2.p12 CONNECTIONS\n");
    return 1;
  }
  memset(ids, 0, sizeof(ids));
  count = atoi(argv[8]);
  if (load_identity(&ids[0], argv[4], argv[5], argv[3]) != 0 ||
      load_identity(&ids[1], argv[6], argv[7], argv[3]) != 0)
    goto out;

  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons((unsigned short)atoi(argv[2]));
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
      setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
      listen(lfd, 8) != 0 ||
      getsockname(lfd, (struct sockaddr *)&sin, &slen) != 0) {
    perror("rust_like: listen");
    goto out;
  }
  set_timeouts(lfd); /* accept() gives up too */
  printf("listening on %d\n", ntohs(sin.sin_port));
  fflush(stdout);

  rc = 0;
  for (int i = 0; i < count && rc == 0; i++) {
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0) {
      perror("rust_like: accept");
      rc = 1;
      break;
    }
    set_timeouts(fd);
    if (serve_one(fd, ids) != 0)
      rc = 1;
    close(fd);
  }
  if (rc == 0)
    printf("rust_like server: ok\n");
out:
  for (int i = 0; i < 2; i++) {
    CFRelease(ids[i].identity);
    CFRelease(ids[i].chain);
  }
  if (lfd >= 0)
    close(lfd);
  return rc;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "client") == 0)
    return run_client(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "server") == 0)
    return run_server(argc, argv);
  fprintf(stderr, "usage: rust_like client|server ...\n");
  return 1;
}
