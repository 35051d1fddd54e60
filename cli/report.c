/*
 * report.c: error messages, and what a session negotiated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int report_status(const char *cmd, const char *step, sectrans_status status,
                  const sectrans_context *ctx) {
  const char *detail = sectrans_context_error_detail(ctx);
  /* Without BoringSSL no context exists to carry the reason. */
  if (detail[0] == '\0' && sectrans_load_error() != NULL)
    detail = sectrans_load_error();
  fprintf(stderr, "sectrans %s: %s: %s (%d)%s%s\n", cmd, step,
          sectrans_status_string(status), (int)status,
          detail[0] != '\0' ? ": " : "", detail);
  return EXIT_TLS_FAILURE;
}

int report_errno(const char *cmd, const char *step) {
  fprintf(stderr, "sectrans %s: %s: %s\n", cmd, step, strerror(errno));
  return EXIT_TLS_FAILURE;
}

/* ---- capturing ----------------------------------------------------------- */

/* Subject text of a certificate, NUL-terminated, through the (buf, *len)
 * protocol: ask for the size, then copy. The caller frees it. */
static sectrans_status copy_subject(const sectrans_certificate *cert,
                                    char **out) {
  size_t len = 0;
  sectrans_status status = sectrans_certificate_copy_subject(cert, NULL, &len);
  if (status != SECTRANS_ERR_BUFFER_OVERFLOW && status != SECTRANS_SUCCESS)
    return status;
  char *text = malloc(len + 1);
  if (text == NULL)
    return SECTRANS_ERR_ALLOCATE;
  if ((status = sectrans_certificate_copy_subject(cert, text, &len)) != 0) {
    free(text);
    return status;
  }
  text[len] = '\0';
  *out = text;
  return SECTRANS_SUCCESS;
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
  s->peer_subject = NULL;
}

int summaries_agree(const struct session_summary *a,
                    const struct session_summary *b) {
  return a->protocol == b->protocol && a->cipher == b->cipher &&
         a->group == b->group && a->alpn_len == b->alpn_len &&
         memcmp(a->alpn, b->alpn, a->alpn_len) == 0;
}

/* ---- printing ------------------------------------------------------------ */

/* A name sectrans does not know is still worth printing, as a number. */
static void print_named(const char *label, const char *name, unsigned number) {
  if (name != NULL)
    printf("%s: %s\n", label, name);
  else
    printf("%s: 0x%04x\n", label, number);
}

void summary_print(const struct session_summary *s) {
  print_named("protocol", sectrans_protocol_name(s->protocol),
              (unsigned)s->protocol);
  print_named("cipher", sectrans_cipher_name(s->cipher), s->cipher);
  print_named("group", sectrans_group_name(s->group), s->group);
  if (s->alpn_len == 0)
    printf("alpn: (none)\n");
  else
    printf("alpn: %.*s\n", (int)s->alpn_len, (const char *)s->alpn);
  if (!s->peer_sent_certificate)
    printf("verification: no peer certificate\n");
  else if (s->trust_result == SECTRANS_SUCCESS)
    printf("verification: trusted\n");
  else
    printf("verification: %s (%d)\n", sectrans_status_string(s->trust_result),
           (int)s->trust_result);
  if (s->peer_subject != NULL)
    printf("peer subject: %s\n", s->peer_subject);
}
