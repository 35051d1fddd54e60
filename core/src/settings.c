/*
 * settings.c: what a config holds and a context may override. One set of
 * setters serves both, so the rules live in one place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void settings_init(struct settings *s) {
  memset(s, 0, sizeof(*s));
  s->protocol_min = SECTRANS_PROTOCOL_TLS12;
  s->protocol_max = SECTRANS_PROTOCOL_TLS13;
  s->verify_mode = SECTRANS_VERIFY_FULL;
  s->client_auth = SECTRANS_AUTHENTICATE_NEVER;
}

static void *duplicate(const void *data, size_t len) {
  void *copy = malloc(len ? len : 1);
  if (copy != NULL && len > 0)
    memcpy(copy, data, len);
  return copy;
}

sectrans_status settings_copy(struct settings *dst,
                              const struct settings *src) {
  *dst = *src;
  dst->alpn = NULL;
  dst->ciphers = NULL;
  if (src->alpn != NULL &&
      (dst->alpn = duplicate(src->alpn, src->alpn_len)) == NULL)
    goto fail;
  if (src->ciphers != NULL &&
      (dst->ciphers = duplicate(src->ciphers,
                                src->cipher_count * sizeof(uint16_t))) == NULL)
    goto fail;
  if (dst->identity != NULL)
    sectrans_identity_retain(dst->identity);
  if (dst->anchors != NULL)
    sectrans_trust_store_retain(dst->anchors);
  return SECTRANS_SUCCESS;
fail:
  free(dst->alpn);
  dst->identity = NULL;
  dst->anchors = NULL;
  dst->alpn = NULL;
  return SECTRANS_ERR_ALLOCATE;
}

void settings_clear(struct settings *s) {
  sectrans_identity_release(s->identity);
  sectrans_trust_store_release(s->anchors);
  free(s->alpn);
  free(s->ciphers);
  settings_init(s);
}

/* ---- protocol versions --------------------------------------------------- */

uint16_t protocol_to_wire(int protocol) {
  return protocol == SECTRANS_PROTOCOL_TLS13 ? TLS1_3_VERSION : TLS1_2_VERSION;
}

int protocol_from_wire(uint16_t version) {
  switch (version) {
  case TLS1_3_VERSION:
    return SECTRANS_PROTOCOL_TLS13;
  case TLS1_2_VERSION:
    return SECTRANS_PROTOCOL_TLS12;
  case TLS1_1_VERSION:
    return SECTRANS_PROTOCOL_TLS11;
  case TLS1_VERSION:
    return SECTRANS_PROTOCOL_TLS1;
  default:
    return SECTRANS_PROTOCOL_UNKNOWN;
  }
}

/* TLS 1.0 and 1.1 are accepted as a minimum for source compatibility and
 * mean TLS 1.2: sectrans never negotiates below it. */
sectrans_status settings_set_protocol_min(struct settings *s, int protocol) {
  switch (protocol) {
  case SECTRANS_PROTOCOL_TLS1:
  case SECTRANS_PROTOCOL_TLS11:
  case SECTRANS_PROTOCOL_TLS12:
    s->protocol_min = SECTRANS_PROTOCOL_TLS12;
    break;
  case SECTRANS_PROTOCOL_TLS13:
  case SECTRANS_PROTOCOL_MAX_SUPPORTED:
    s->protocol_min = SECTRANS_PROTOCOL_TLS13;
    break;
  default:
    return SECTRANS_ERR_ILLEGAL_PARAM;
  }
  if (s->protocol_max < s->protocol_min)
    s->protocol_max = s->protocol_min;
  return SECTRANS_SUCCESS;
}

sectrans_status settings_set_protocol_max(struct settings *s, int protocol) {
  switch (protocol) {
  case SECTRANS_PROTOCOL_TLS12:
    s->protocol_max = SECTRANS_PROTOCOL_TLS12;
    break;
  case SECTRANS_PROTOCOL_TLS13:
  case SECTRANS_PROTOCOL_MAX_SUPPORTED:
    s->protocol_max = SECTRANS_PROTOCOL_TLS13;
    break;
  default:
    return SECTRANS_ERR_ILLEGAL_PARAM;
  }
  if (s->protocol_min > s->protocol_max)
    s->protocol_min = s->protocol_max;
  return SECTRANS_SUCCESS;
}

/* ---- identity, anchors, verification ------------------------------------- */

sectrans_status settings_set_identity(struct settings *s,
                                      sectrans_identity *identity) {
  if (identity != NULL && bad_handle(identity, KIND_IDENTITY))
    return SECTRANS_ERR_PARAM;
  if (identity != NULL)
    sectrans_identity_retain(identity);
  sectrans_identity_release(s->identity);
  s->identity = identity;
  return SECTRANS_SUCCESS;
}

sectrans_status settings_set_anchors(struct settings *s,
                                     sectrans_trust_store *store) {
  if (bad_handle(store, KIND_TRUST_STORE))
    return SECTRANS_ERR_PARAM;
  trust_store_freeze(store);
  sectrans_trust_store_retain(store);
  sectrans_trust_store_release(s->anchors);
  s->anchors = store;
  return SECTRANS_SUCCESS;
}

sectrans_status settings_set_verify_mode(struct settings *s, int mode) {
  if (mode != SECTRANS_VERIFY_FULL && mode != SECTRANS_VERIFY_CHAIN_ONLY &&
      mode != SECTRANS_VERIFY_NONE)
    return SECTRANS_ERR_PARAM;
  s->verify_mode = mode;
  return SECTRANS_SUCCESS;
}

/* ---- ALPN ---------------------------------------------------------------- */

static int alpn_list_is_valid(const uint8_t *list, size_t len) {
  size_t off = 0;
  while (off < len) {
    size_t name_len = list[off];
    if (name_len == 0 || off + 1 + name_len > len)
      return 0;
    off += 1 + name_len;
  }
  return len > 0;
}

sectrans_status settings_set_alpn(struct settings *s, const void *list,
                                  size_t len) {
  uint8_t *copy = NULL;
  if (list == NULL && len != 0)
    return SECTRANS_ERR_PARAM;
  if (list != NULL) {
    if (len > SECTRANS_MAX_ALPN_LENGTH || !alpn_list_is_valid(list, len))
      return SECTRANS_ERR_PARAM;
    if ((copy = duplicate(list, len)) == NULL)
      return SECTRANS_ERR_ALLOCATE;
  }
  free(s->alpn);
  s->alpn = copy;
  s->alpn_len = copy ? len : 0;
  return SECTRANS_SUCCESS;
}

/* ---- session options, client authentication, key logging ----------------- */

sectrans_status settings_set_option(struct settings *s, int option, int value) {
  if (option < SECTRANS_OPTION_BREAK_ON_SERVER_AUTH ||
      option > SECTRANS_OPTION_ENABLE_SESSION_TICKETS)
    return SECTRANS_ERR_PARAM;
  if (value)
    s->options |= 1u << option;
  else
    s->options &= ~(1u << option);
  return SECTRANS_SUCCESS;
}

sectrans_status settings_set_client_auth(struct settings *s, int auth) {
  if (auth != SECTRANS_AUTHENTICATE_NEVER &&
      auth != SECTRANS_AUTHENTICATE_ALWAYS && auth != SECTRANS_AUTHENTICATE_TRY)
    return SECTRANS_ERR_PARAM;
  s->client_auth = auth;
  return SECTRANS_SUCCESS;
}

sectrans_status settings_set_keylog(struct settings *s,
                                    sectrans_keylog_func func, void *user) {
  s->keylog = func;
  s->keylog_user = func ? user : NULL;
  return SECTRANS_SUCCESS;
}

/* ---- cipher suites ------------------------------------------------------- */

static int is_tls13_suite(uint16_t suite) {
  return suite >= 0x1301 && suite <= 0x1303;
}

static int is_known_suite(uint16_t suite) {
  return is_tls13_suite(suite) || bssl.SSL_get_cipher_by_value(suite) != NULL;
}

sectrans_status settings_set_ciphers(struct settings *s, const uint16_t *suites,
                                     size_t count) {
  if (suites == NULL || count == 0 || count > SECTRANS_MAX_CIPHERS)
    return SECTRANS_ERR_PARAM;
  if (bssl_load() != SECTRANS_SUCCESS)
    return SECTRANS_ERR_INTERNAL;
  uint16_t *kept = malloc(count * sizeof(*kept));
  size_t n = 0;
  if (kept == NULL)
    return SECTRANS_ERR_ALLOCATE;
  for (size_t i = 0; i < count; i++)
    if (is_known_suite(suites[i]))
      kept[n++] = suites[i]; /* unknown suites are dropped, as Apple does */
  if (n == 0) {
    free(kept);
    return SECTRANS_ERR_PARAM;
  }
  free(s->ciphers);
  s->ciphers = kept;
  s->cipher_count = n;
  return SECTRANS_SUCCESS;
}

/* BoringSSL takes TLS 1.2 suites as a ':'-separated list of its names; TLS
 * 1.3 suites are not configurable there. Returns the number of TLS 1.2
 * suites written, or -1 when the list does not fit. */
static int tls12_cipher_string(const struct settings *s, char *out,
                               size_t size) {
  size_t used = 0;
  int n = 0;
  out[0] = '\0';
  for (size_t i = 0; i < s->cipher_count; i++) {
    const SSL_CIPHER *cipher = bssl.SSL_get_cipher_by_value(s->ciphers[i]);
    if (cipher == NULL || is_tls13_suite(s->ciphers[i]))
      continue;
    const char *name = bssl.SSL_CIPHER_get_name(cipher);
    size_t len = strlen(name);
    if (used + len + 2 > size)
      return -1;
    if (used > 0)
      out[used++] = ':';
    memcpy(out + used, name, len + 1);
    used += len;
    n++;
  }
  return n;
}

static sectrans_status apply_ciphers(const struct settings *s, SSL *ssl,
                                     int *tls13_only) {
  char list[8192];
  *tls13_only = 0;
  if (s->ciphers == NULL)
    return SECTRANS_SUCCESS;
  int n = tls12_cipher_string(s, list, sizeof(list));
  if (n < 0)
    return SECTRANS_ERR_PARAM;
  if (n == 0) {
    /* Only TLS 1.3 suites were chosen: that means TLS 1.3 only. */
    *tls13_only = 1;
    return SECTRANS_SUCCESS;
  }
  return bssl.SSL_set_strict_cipher_list(ssl, list)
             ? SECTRANS_SUCCESS
             : SECTRANS_ERR_BAD_CIPHER_SUITE;
}

/* What the session options change in BoringSSL. The break options work
 * through callbacks.c; SEND_ONE_BYTE_RECORD and ALLOW_SERVER_IDENTITY_CHANGE
 * have nothing left to change. */
static void apply_options(const struct settings *s, int side, SSL *ssl) {
  if (side != SECTRANS_CLIENT)
    return;
  if (SETTINGS_OPTION(s, SECTRANS_OPTION_FALSE_START))
    bssl.SSL_set_mode(ssl, SSL_MODE_ENABLE_FALSE_START);
  if (SETTINGS_OPTION(s, SECTRANS_OPTION_FALLBACK))
    bssl.SSL_set_mode(ssl, SSL_MODE_SEND_FALLBACK_SCSV);
  if (SETTINGS_OPTION(s, SECTRANS_OPTION_ALLOW_RENEGOTIATION))
    bssl.SSL_set_renegotiate_mode(ssl, ssl_renegotiate_freely);
  if (!SETTINGS_OPTION(s, SECTRANS_OPTION_ENABLE_SESSION_TICKETS))
    bssl.SSL_set_options(ssl, SSL_OP_NO_TICKET); /* TLS 1.2 only */
}

sectrans_status settings_apply(const struct settings *s, int side, SSL *ssl,
                               char *detail, size_t size) {
  int tls13_only;
  sectrans_status status = apply_ciphers(s, ssl, &tls13_only);
  if (status != SECTRANS_SUCCESS) {
    snprintf(detail, size, "cipher suites not accepted by BoringSSL");
    return status;
  }
  int min = tls13_only ? SECTRANS_PROTOCOL_TLS13 : s->protocol_min;
  if (min > s->protocol_max) {
    snprintf(detail, size, "only TLS 1.3 suites enabled but TLS 1.3 is off");
    return SECTRANS_ERR_BAD_CONFIGURATION;
  }
  if (!bssl.SSL_set_min_proto_version(ssl, protocol_to_wire(min)) ||
      !bssl.SSL_set_max_proto_version(ssl, protocol_to_wire(s->protocol_max)))
    return SECTRANS_ERR_INTERNAL;
  if (side == SECTRANS_CLIENT && s->alpn != NULL &&
      bssl.SSL_set_alpn_protos(ssl, s->alpn, s->alpn_len) != 0)
    return SECTRANS_ERR_ALLOCATE;
  apply_options(s, side, ssl);
  if (s->identity != NULL &&
      identity_install(s->identity, ssl) != SECTRANS_SUCCESS) {
    snprintf(detail, size, "identity not accepted by BoringSSL");
    return SECTRANS_ERR_BAD_CERT;
  }
  return SECTRANS_SUCCESS;
}
