/*
 * report.c: error messages, and what a session negotiated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

int exit_status(sectrans_status status) {
  if (status == SECTRANS_SUCCESS)
    return 0;
  return status == CLI_ERR_USAGE ? EXIT_USAGE : EXIT_TLS_FAILURE;
}

sectrans_status report_status(const char *cmd, const char *step,
                              sectrans_status status,
                              const sectrans_context *ctx) {
  const char *detail = sectrans_context_error_detail(ctx);
  /* Without BoringSSL no context exists to carry the reason. */
  if (detail[0] == '\0' && sectrans_load_error() != NULL)
    detail = sectrans_load_error();
  fprintf(stderr, "sectrans %s: %s: %s (%d)%s%s\n", cmd, step,
          sectrans_status_string(status), (int)status,
          detail[0] != '\0' ? ": " : "", detail);
  return status;
}

sectrans_status report_errno(const char *cmd, const char *step) {
  fprintf(stderr, "sectrans %s: %s: %s\n", cmd, step, strerror(errno));
  return SECTRANS_ERR_IO;
}

/* ---- capturing ----------------------------------------------------------- */

/* The (buf, *len) getters of text, over any handle. */
typedef sectrans_status (*text_getter)(const void *object, void *buf,
                                       size_t *len);

static sectrans_status subject_text(const void *cert, void *buf, size_t *len) {
  return sectrans_certificate_copy_subject(cert, buf, len);
}

static sectrans_status issuer_text(const void *cert, void *buf, size_t *len) {
  return sectrans_certificate_copy_issuer(cert, buf, len);
}

static sectrans_status trust_detail_text(const void *trust, void *buf,
                                         size_t *len) {
  return sectrans_trust_copy_detail(trust, buf, len);
}

/* Text from a getter, NUL-terminated, through the (buf, *len) protocol: ask
 * for the size, then copy. The caller frees it. */
static sectrans_status copy_text(const void *object, text_getter get,
                                 char **out) {
  size_t len = 0;
  sectrans_status status = get(object, NULL, &len);
  if (status != SECTRANS_ERR_BUFFER_OVERFLOW && status != SECTRANS_SUCCESS)
    return status;
  char *text = malloc(len + 1);
  if (text == NULL)
    return SECTRANS_ERR_ALLOCATE;
  if (len > 0 && (status = get(object, text, &len)) != 0) {
    free(text);
    return status;
  }
  text[len] = '\0';
  *out = text;
  return SECTRANS_SUCCESS;
}

static sectrans_status copy_subject(const sectrans_certificate *cert,
                                    char **out) {
  return copy_text(cert, subject_text, out);
}

static sectrans_status capture_trust(sectrans_context *ctx,
                                     struct session_summary *s) {
  sectrans_trust *trust = NULL;
  sectrans_certificate *leaf = NULL;
  sectrans_status status = sectrans_copy_peer_trust(ctx, &trust);
  /* Success with no trust means the peer sent no certificate. */
  if (status != SECTRANS_SUCCESS || trust == NULL)
    return status;
  s->peer_sent_certificate = 1;
  status = sectrans_trust_get_result(trust, &s->trust_result);
  if (status == SECTRANS_SUCCESS && s->trust_result != SECTRANS_SUCCESS &&
      s->trust_result != SECTRANS_ERR_BAD_REQ)
    status = copy_text(trust, trust_detail_text, &s->trust_detail);
  if (status == SECTRANS_SUCCESS)
    status = sectrans_trust_copy_certificate(trust, 0, &leaf);
  if (status == SECTRANS_SUCCESS)
    status = copy_subject(leaf, &s->peer_subject);
  sectrans_certificate_release(leaf);
  sectrans_trust_release(trust);
  return status;
}

sectrans_status summary_capture(sectrans_context *ctx,
                                struct session_summary *s) {
  sectrans_status status;

  memset(s, 0, sizeof(*s));
  s->trust_result = SECTRANS_ERR_BAD_REQ; /* "never evaluated" until known */
  s->alpn_len = sizeof(s->alpn);
  if ((status = sectrans_get_negotiated_protocol_version(ctx, &s->protocol)) ||
      (status = sectrans_get_negotiated_cipher(ctx, &s->cipher)) ||
      (status = sectrans_get_negotiated_group(ctx, &s->group)) ||
      (status = sectrans_get_negotiated_alpn(ctx, s->alpn, &s->alpn_len)))
    return status;
  return capture_trust(ctx, s);
}

void summary_clear(struct session_summary *s) {
  free(s->peer_subject);
  free(s->trust_detail);
  s->peer_subject = NULL;
  s->trust_detail = NULL;
}

int summaries_agree(const struct session_summary *a,
                    const struct session_summary *b) {
  return a->protocol == b->protocol && a->cipher == b->cipher &&
         a->group == b->group && a->alpn_len == b->alpn_len &&
         memcmp(a->alpn, b->alpn, a->alpn_len) == 0;
}

/* ---- printing ------------------------------------------------------------ */

/* A name sectrans does not know is still worth printing, as a number. */
static void print_named(FILE *out, const char *label, const char *name,
                        unsigned number) {
  if (name != NULL)
    fprintf(out, "%s: %s\n", label, name);
  else
    fprintf(out, "%s: 0x%04x\n", label, number);
}

static void print_verification(FILE *out, const struct session_summary *s) {
  if (!s->peer_sent_certificate)
    fprintf(out, "verification: no peer certificate\n");
  else if (s->trust_result == SECTRANS_SUCCESS)
    fprintf(out, "verification: trusted\n");
  else if (s->trust_result == SECTRANS_ERR_BAD_REQ)
    fprintf(out, "verification: not evaluated (verification is off)\n");
  else
    fprintf(out, "verification: %s (%d)%s%s\n",
            sectrans_status_string(s->trust_result), (int)s->trust_result,
            s->trust_detail ? ": " : "",
            s->trust_detail ? s->trust_detail : "");
}

void summary_fprint(FILE *out, const struct session_summary *s) {
  print_named(out, "protocol", sectrans_protocol_name(s->protocol),
              (unsigned)s->protocol);
  print_named(out, "cipher", sectrans_cipher_name(s->cipher), s->cipher);
  print_named(out, "group", sectrans_group_name(s->group), s->group);
  if (s->alpn_len == 0)
    fprintf(out, "alpn: (none)\n");
  else
    fprintf(out, "alpn: %.*s\n", (int)s->alpn_len, (const char *)s->alpn);
  print_verification(out, s);
  if (s->peer_subject != NULL)
    fprintf(out, "peer subject: %s\n", s->peer_subject);
}

void summary_print(const struct session_summary *s) {
  summary_fprint(stdout, s);
}

const char *resumed_text(const sectrans_context *ctx) {
  int resumed = 0;
  if (sectrans_get_session_resumed(ctx, &resumed) != SECTRANS_SUCCESS)
    return "unknown";
  return resumed ? "yes" : "no";
}

/* ---- the peer's chain ---------------------------------------------------- */

static void print_time(FILE *out, const char *label, int64_t t) {
  char text[64];
  time_t tt = (time_t)t;
  struct tm tm;
  if (gmtime_r(&tt, &tm) == NULL ||
      strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
    snprintf(text, sizeof(text), "%lld", (long long)t);
  fprintf(out, "  %s: %s\n", label, text);
}

static sectrans_status print_certificate(FILE *out, size_t index,
                                         const sectrans_certificate *cert) {
  char *subject = NULL, *issuer = NULL;
  unsigned char sha[32];
  size_t sha_len = sizeof(sha);
  int64_t not_before = 0, not_after = 0;
  sectrans_status status = copy_subject(cert, &subject);
  if (status == 0)
    status = copy_text(cert, issuer_text, &issuer);
  if (status == 0)
    status = sectrans_certificate_get_validity(cert, &not_before, &not_after);
  if (status == 0)
    status = sectrans_certificate_copy_sha256(cert, sha, &sha_len);
  if (status == 0) {
    fprintf(out, "certificate %zu:\n  subject: %s\n  issuer: %s\n", index,
            subject, issuer);
    print_time(out, "not before", not_before);
    print_time(out, "not after", not_after);
    fprintf(out, "  sha256: ");
    for (size_t i = 0; i < sha_len; i++)
      fprintf(out, "%02X%s", sha[i], i + 1 < sha_len ? ":" : "\n");
  }
  free(subject);
  free(issuer);
  return status;
}

sectrans_status chain_print(FILE *out, sectrans_context *ctx) {
  sectrans_trust *trust = NULL;
  size_t count = 0;
  sectrans_status status = sectrans_copy_peer_trust(ctx, &trust);
  if (status != SECTRANS_SUCCESS || trust == NULL)
    return status;
  status = sectrans_trust_get_certificate_count(trust, &count);
  for (size_t i = 0; status == SECTRANS_SUCCESS && i < count; i++) {
    sectrans_certificate *cert = NULL;
    status = sectrans_trust_copy_certificate(trust, i, &cert);
    if (status == SECTRANS_SUCCESS)
      status = print_certificate(out, i, cert);
    sectrans_certificate_release(cert);
  }
  sectrans_trust_release(trust);
  return status;
}
