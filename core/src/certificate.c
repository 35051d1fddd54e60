/*
 * certificate.c: one X.509 certificate, parsed once, described on demand.
 *
 * A certificate is immutable after creation, so every accessor only reads
 * and the handle may be shared across threads.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"

sectrans_certificate *certificate_wrap(X509 *x509) {
  sectrans_certificate *cert = calloc(1, sizeof(*cert));
  if (cert == NULL)
    return NULL;
  object_init(&cert->obj, KIND_CERTIFICATE);
  bssl.X509_up_ref(x509);
  cert->x509 = x509;
  return cert;
}

void certificate_free(sectrans_certificate *cert) {
  if (cert == NULL)
    return;
  bssl.X509_free(cert->x509);
  free(cert);
}

/* Parses exactly one DER certificate; trailing bytes are an error. The
 * CRYPTO_BUFFER is handed out when der is not NULL (identities need it). */
sectrans_status certificate_parse_der(const uint8_t *data, size_t len,
                                      X509 **out, CRYPTO_BUFFER **der) {
  CRYPTO_BUFFER *buf = bssl.CRYPTO_BUFFER_new(data, len, NULL);
  if (buf == NULL)
    return SECTRANS_ERR_ALLOCATE;
  X509 *x509 = bssl.X509_parse_from_buffer(buf);
  if (x509 == NULL) {
    bssl.CRYPTO_BUFFER_free(buf);
    return status_or_allocate(SECTRANS_ERR_DECODE);
  }
  *out = x509;
  if (der != NULL)
    *der = buf;
  else
    bssl.CRYPTO_BUFFER_free(buf); /* x509 keeps its own reference */
  return SECTRANS_SUCCESS;
}

static int is_certificate_block(const char *name) {
  return strcmp(name, "CERTIFICATE") == 0 ||
         strcmp(name, "X509 CERTIFICATE") == 0;
}

/* PEM_read_bio fails both at the end of the input (no start line) and on a
 * damaged block; only the error queue tells them apart. */
static sectrans_status pem_read_failure(void) {
  uint32_t err = bssl.ERR_peek_last_error();
  if (ERR_GET_LIB(err) == ERR_LIB_PEM &&
      ERR_GET_REASON(err) == PEM_R_NO_START_LINE) {
    bssl.ERR_clear_error();
    return SECTRANS_SUCCESS;
  }
  return status_or_allocate(SECTRANS_ERR_DECODE);
}

sectrans_status certificate_read_pem(BIO *bio, X509 **out,
                                     CRYPTO_BUFFER **der) {
  *out = NULL;
  if (der != NULL)
    *der = NULL;
  for (;;) {
    char *name = NULL, *header = NULL;
    uint8_t *data = NULL;
    long len = 0;
    bssl.ERR_clear_error();
    if (!bssl.PEM_read_bio(bio, &name, &header, &data, &len))
      return pem_read_failure();
    int wanted = is_certificate_block(name);
    sectrans_status status = SECTRANS_SUCCESS;
    if (wanted)
      status = certificate_parse_der(data, (size_t)len, out, der);
    bssl.OPENSSL_free(name);
    bssl.OPENSSL_free(header);
    bssl.OPENSSL_free(data);
    if (wanted)
      return status;
  }
}

/* ---- creation -------------------------------------------------------- */

static sectrans_status check_input(const void *data, size_t len,
                                   sectrans_certificate **out) {
  if (out != NULL)
    *out = NULL;
  if (data == NULL || out == NULL || len == 0 || len > SECTRANS_MAX_PEM_LENGTH)
    return SECTRANS_ERR_PARAM;
  if (bssl_load() != SECTRANS_SUCCESS)
    return SECTRANS_ERR_INTERNAL;
  return SECTRANS_SUCCESS;
}

/* Wraps a freshly parsed X509, dropping our own reference either way. */
static sectrans_status wrap_parsed(X509 *x509, sectrans_certificate **out) {
  *out = certificate_wrap(x509);
  bssl.X509_free(x509);
  return *out != NULL ? SECTRANS_SUCCESS : SECTRANS_ERR_ALLOCATE;
}

sectrans_status sectrans_certificate_create_from_der(
    const void *der, size_t len, sectrans_certificate **out) {
  sectrans_status status = check_input(der, len, out);
  if (status != SECTRANS_SUCCESS)
    return status;
  X509 *x509 = NULL;
  status = certificate_parse_der(der, len, &x509, NULL);
  if (status != SECTRANS_SUCCESS)
    return status;
  return wrap_parsed(x509, out);
}

sectrans_status sectrans_certificate_create_from_pem(
    const void *pem, size_t len, sectrans_certificate **out) {
  sectrans_status status = check_input(pem, len, out);
  if (status != SECTRANS_SUCCESS)
    return status;
  BIO *bio = bssl.BIO_new_mem_buf(pem, (int)len);
  if (bio == NULL)
    return SECTRANS_ERR_ALLOCATE;
  X509 *x509 = NULL;
  status = certificate_read_pem(bio, &x509, NULL);
  bssl.BIO_free(bio);
  if (status != SECTRANS_SUCCESS)
    return status;
  if (x509 == NULL)
    return SECTRANS_ERR_DECODE; /* no CERTIFICATE block at all */
  return wrap_parsed(x509, out);
}

OBJECT_RETAIN_RELEASE(sectrans_certificate, certificate, KIND_CERTIFICATE)

/* ---- the (buf, *len) output protocol ---------------------------------- */

/* copy_out (bytes.c) implements the protocol itself. */
static sectrans_status copy_bio(const BIO *bio, void *buf, size_t *len) {
  const uint8_t *contents = NULL;
  size_t contents_len = 0;
  if (!bssl.BIO_mem_contents(bio, &contents, &contents_len))
    return SECTRANS_ERR_INTERNAL;
  return copy_out(contents, contents_len, buf, len);
}

static BIO *new_memory_bio(void) { return bssl.BIO_new(bssl.BIO_s_mem()); }

/* ---- encodings --------------------------------------------------------- */

sectrans_status sectrans_certificate_copy_der(const sectrans_certificate *cert,
                                              void *buf, size_t *len) {
  if (bad_handle(cert, KIND_CERTIFICATE) || len == NULL)
    return SECTRANS_ERR_PARAM;
  int der_len = bssl.i2d_X509(cert->x509, NULL);
  if (der_len <= 0)
    return status_or_allocate(SECTRANS_ERR_INTERNAL);
  size_t room = *len;
  *len = (size_t)der_len;
  if (buf == NULL || room < (size_t)der_len)
    return SECTRANS_ERR_BUFFER_OVERFLOW;
  uint8_t *p = buf; /* i2d writes straight into the caller's buffer */
  if (bssl.i2d_X509(cert->x509, &p) != der_len)
    return status_or_allocate(SECTRANS_ERR_INTERNAL);
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_certificate_copy_pem(const sectrans_certificate *cert,
                                              void *buf, size_t *len) {
  if (bad_handle(cert, KIND_CERTIFICATE) || len == NULL)
    return SECTRANS_ERR_PARAM;
  BIO *bio = new_memory_bio();
  if (bio == NULL)
    return SECTRANS_ERR_ALLOCATE;
  sectrans_status status = SECTRANS_ERR_ALLOCATE;
  if (bssl.PEM_write_bio_X509(bio, cert->x509))
    status = copy_bio(bio, buf, len);
  else
    status = status_or_allocate(SECTRANS_ERR_INTERNAL);
  bssl.BIO_free(bio);
  return status;
}

/* ---- names ------------------------------------------------------------- */

static sectrans_status copy_name(const X509_NAME *name, void *buf,
                                 size_t *len) {
  BIO *bio = new_memory_bio();
  if (bio == NULL)
    return SECTRANS_ERR_ALLOCATE;
  sectrans_status status;
  if (name != NULL &&
      bssl.X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) < 0)
    status = status_or_allocate(SECTRANS_ERR_ALLOCATE);
  else
    status = copy_bio(bio, buf, len);
  bssl.BIO_free(bio);
  return status;
}

sectrans_status sectrans_certificate_copy_subject(
    const sectrans_certificate *cert, void *buf, size_t *len) {
  if (bad_handle(cert, KIND_CERTIFICATE) || len == NULL)
    return SECTRANS_ERR_PARAM;
  return copy_name(bssl.X509_get_subject_name(cert->x509), buf, len);
}

sectrans_status sectrans_certificate_copy_issuer(
    const sectrans_certificate *cert, void *buf, size_t *len) {
  if (bad_handle(cert, KIND_CERTIFICATE) || len == NULL)
    return SECTRANS_ERR_PARAM;
  return copy_name(bssl.X509_get_issuer_name(cert->x509), buf, len);
}

/* ---- subjectAltName ----------------------------------------------------- */

/* BIO writes into memory fail only when memory runs out. */
static sectrans_status write_text(BIO *bio, const char *text) {
  size_t n = strlen(text);
  return bssl.BIO_write(bio, text, (int)n) == (int)n ? SECTRANS_SUCCESS
                                                     : SECTRANS_ERR_ALLOCATE;
}

/* Control bytes become \xHH so one name can never forge a second line. */
static sectrans_status write_escaped(BIO *bio, const uint8_t *bytes,
                                     size_t len) {
  sectrans_status status = SECTRANS_SUCCESS;
  for (size_t i = 0; i < len && status == SECTRANS_SUCCESS; i++) {
    char escaped[5];
    if (bytes[i] < 0x20 || bytes[i] == 0x7f)
      snprintf(escaped, sizeof(escaped), "\\x%02x", bytes[i]);
    else
      snprintf(escaped, sizeof(escaped), "%c", bytes[i]);
    status = write_text(bio, escaped);
  }
  return status;
}

static sectrans_status write_string(BIO *bio, const char *prefix,
                                    const ASN1_STRING *s) {
  sectrans_status status = write_text(bio, prefix);
  if (status != SECTRANS_SUCCESS)
    return status;
  return write_escaped(bio, bssl.ASN1_STRING_get0_data(s),
                       (size_t)bssl.ASN1_STRING_length(s));
}

/* IPv4 and IPv6 in their usual text forms; any other length (malformed)
 * is shown byte by byte as \xHH. */
static sectrans_status write_ip(BIO *bio, const ASN1_OCTET_STRING *ip) {
  const uint8_t *bytes = bssl.ASN1_STRING_get0_data(ip);
  int len = bssl.ASN1_STRING_length(ip);
  char text[INET6_ADDRSTRLEN];
  int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : AF_UNSPEC;
  sectrans_status status = write_text(bio, "IP:");
  if (status != SECTRANS_SUCCESS)
    return status;
  if (family != AF_UNSPEC && inet_ntop(family, bytes, text, sizeof(text)))
    return write_text(bio, text);
  for (int i = 0; i < len && status == SECTRANS_SUCCESS; i++) {
    char escaped[5];
    snprintf(escaped, sizeof(escaped), "\\x%02x", bytes[i]);
    status = write_text(bio, escaped);
  }
  return status;
}

/* The kinds of name we show; others (otherName, directoryName, ...) are
 * left out. */
static int is_shown_name(const GENERAL_NAME *name) {
  return name->type == GEN_DNS || name->type == GEN_IPADD ||
         name->type == GEN_EMAIL || name->type == GEN_URI;
}

/* Writes one name of a kind is_shown_name accepts. */
static sectrans_status write_general_name(BIO *bio, const GENERAL_NAME *name) {
  switch (name->type) {
  case GEN_DNS:
    return write_string(bio, "DNS:", name->d.dNSName);
  case GEN_IPADD:
    return write_ip(bio, name->d.iPAddress);
  case GEN_EMAIL:
    return write_string(bio, "EMAIL:", name->d.rfc822Name);
  case GEN_URI:
    return write_string(bio, "URI:", name->d.uniformResourceIdentifier);
  default:
    return SECTRANS_ERR_PARAM;
  }
}

static sectrans_status write_san(BIO *bio, const GENERAL_NAMES *names) {
  size_t count = bssl.sk_num((const _STACK *)names);
  sectrans_status status = SECTRANS_SUCCESS;
  int first = 1;
  for (size_t i = 0; i < count && status == SECTRANS_SUCCESS; i++) {
    const GENERAL_NAME *name = bssl.sk_value((const _STACK *)names, i);
    if (!is_shown_name(name))
      continue;
    if (!first)
      status = write_text(bio, "\n");
    if (status == SECTRANS_SUCCESS)
      status = write_general_name(bio, name);
    first = 0;
  }
  return status;
}

sectrans_status sectrans_certificate_copy_san(const sectrans_certificate *cert,
                                              void *buf, size_t *len) {
  if (bad_handle(cert, KIND_CERTIFICATE) || len == NULL)
    return SECTRANS_ERR_PARAM;
  /* No extension (or a malformed one) reads as no names. */
  GENERAL_NAMES *names = bssl.X509_get_ext_d2i(cert->x509, NID_subject_alt_name,
                                               NULL, NULL);
  if (names == NULL) {
    bssl.ERR_clear_error();
    return copy_out(NULL, 0, buf, len);
  }
  BIO *bio = new_memory_bio();
  sectrans_status status = bio == NULL ? SECTRANS_ERR_ALLOCATE
                                       : write_san(bio, names);
  if (status == SECTRANS_SUCCESS)
    status = copy_bio(bio, buf, len);
  bssl.BIO_free(bio);
  bssl.GENERAL_NAMES_free(names);
  return status;
}

/* ---- fingerprint and validity -------------------------------------------- */

sectrans_status sectrans_certificate_copy_sha256(
    const sectrans_certificate *cert, void *buf, size_t *len) {
  if (bad_handle(cert, KIND_CERTIFICATE) || len == NULL)
    return SECTRANS_ERR_PARAM;
  uint8_t digest[SHA256_DIGEST_LENGTH];
  unsigned digest_len = 0;
  if (!bssl.X509_digest(cert->x509, bssl.EVP_sha256(), digest, &digest_len))
    return status_or_allocate(SECTRANS_ERR_INTERNAL);
  return copy_out(digest, digest_len, buf, len);
}

/* ASN1_TIME_diff reads both UTCTime and GeneralizedTime; measuring from
 * the epoch gives Unix seconds without touching the local time zone. */
static sectrans_status seconds_since(const ASN1_TIME *epoch, const ASN1_TIME *t,
                                     int64_t *out) {
  int days = 0, seconds = 0;
  if (t == NULL || !bssl.ASN1_TIME_diff(&days, &seconds, epoch, t))
    return status_or_allocate(SECTRANS_ERR_DECODE);
  *out = (int64_t)days * 86400 + seconds;
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_certificate_get_validity(
    const sectrans_certificate *cert, int64_t *not_before, int64_t *not_after) {
  if (bad_handle(cert, KIND_CERTIFICATE) || not_before == NULL ||
      not_after == NULL)
    return SECTRANS_ERR_PARAM;
  ASN1_TIME *epoch = bssl.ASN1_TIME_set(NULL, 0);
  if (epoch == NULL)
    return SECTRANS_ERR_ALLOCATE;
  int64_t before = 0, after = 0;
  sectrans_status status = seconds_since(
      epoch, bssl.X509_get0_notBefore(cert->x509), &before);
  if (status == SECTRANS_SUCCESS)
    status = seconds_since(epoch, bssl.X509_get0_notAfter(cert->x509), &after);
  bssl.ASN1_TIME_free(epoch);
  if (status != SECTRANS_SUCCESS)
    return status;
  *not_before = before;
  *not_after = after;
  return SECTRANS_SUCCESS;
}
