/*
 * config.c: shareable settings and the one SSL_CTX built from them.
 *
 * BoringSSL keeps some callbacks (ALPN selection among them) on the SSL_CTX
 * only, so each config owns one SSL_CTX and the callbacks (callbacks.c)
 * find their context through ex_data on the SSL. The SSL_CTX also holds the
 * server's session ticket keys, so they are per config.
 */
#include <stdlib.h>

#include "internal.h"

static pthread_once_t ex_index_once = PTHREAD_ONCE_INIT;
static int ex_index = -1;

static void make_ex_index(void) {
  ex_index = bssl.SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

int config_ssl_ex_index(void) {
  pthread_once(&ex_index_once, make_ex_index);
  return ex_index;
}

sectrans_status sectrans_config_create(int side, sectrans_config **out) {
  if (out == NULL)
    return SECTRANS_ERR_PARAM;
  *out = NULL;
  if (side != SECTRANS_SERVER && side != SECTRANS_CLIENT)
    return SECTRANS_ERR_PARAM;
  sectrans_config *config = calloc(1, sizeof(*config));
  if (config == NULL)
    return SECTRANS_ERR_ALLOCATE;
  object_init(&config->obj, KIND_CONFIG);
  config->side = side;
  settings_init(&config->settings);
  *out = config;
  return SECTRANS_SUCCESS;
}

OBJECT_RETAIN_RELEASE(sectrans_config, config, KIND_CONFIG)

void config_free(sectrans_config *config) {
  settings_clear(&config->settings);
  if (config->ssl_ctx != NULL)
    bssl.SSL_CTX_free(config->ssl_ctx);
  if (config->keylog_ssl_ctx != NULL)
    bssl.SSL_CTX_free(config->keylog_ssl_ctx);
  free(config);
}

/* ---- setters: only before the first context freezes the config ---------- */

static struct settings *mutable_settings(sectrans_config *config,
                                         sectrans_status *status) {
  if (bad_handle(config, KIND_CONFIG)) {
    *status = SECTRANS_ERR_PARAM;
    return NULL;
  }
  if (atomic_load(&config->frozen)) {
    *status = SECTRANS_ERR_BAD_REQ;
    return NULL;
  }
  return &config->settings;
}

#define CONFIG_SETTER(signature, call)                                         \
  SETTINGS_SETTER(signature, mutable_settings, config, call)

CONFIG_SETTER(sectrans_config_set_protocol_version_min(sectrans_config *config,
                                                       int protocol),
              settings_set_protocol_min(s, protocol))
CONFIG_SETTER(sectrans_config_set_protocol_version_max(sectrans_config *config,
                                                       int protocol),
              settings_set_protocol_max(s, protocol))
CONFIG_SETTER(sectrans_config_set_identity(sectrans_config *config,
                                           sectrans_identity *identity),
              settings_set_identity(s, identity))
CONFIG_SETTER(sectrans_config_set_trust_store(sectrans_config *config,
                                              sectrans_trust_store *store),
              settings_set_anchors(s, store))
CONFIG_SETTER(sectrans_config_set_verify_mode(sectrans_config *config,
                                              int mode),
              settings_set_verify_mode(s, mode))
CONFIG_SETTER(sectrans_config_set_alpn(sectrans_config *config,
                                       const void *protocols, size_t len),
              settings_set_alpn(s, protocols, len))
CONFIG_SETTER(sectrans_config_set_enabled_ciphers(sectrans_config *config,
                                                  const uint16_t *suites,
                                                  size_t count),
              settings_set_ciphers(s, suites, count))
CONFIG_SETTER(sectrans_config_set_client_side_authenticate(
                  sectrans_config *config, int auth),
              settings_set_client_auth(s, auth))
CONFIG_SETTER(sectrans_config_set_session_option(sectrans_config *config,
                                                 int option, int value),
              settings_set_option(s, option, value))
CONFIG_SETTER(sectrans_config_set_keylog_callback(sectrans_config *config,
                                                  sectrans_keylog_func func,
                                                  void *user),
              settings_set_keylog(s, func, user))

/* ---- the SSL_CTX --------------------------------------------------------- */

/* BoringSSL's default verify preferences leave out Ed25519. */
static const uint16_t verify_prefs[] = {
    SSL_SIGN_ECDSA_SECP256R1_SHA256,
    SSL_SIGN_RSA_PSS_RSAE_SHA256,
    SSL_SIGN_RSA_PKCS1_SHA256,
    SSL_SIGN_ECDSA_SECP384R1_SHA384,
    SSL_SIGN_RSA_PSS_RSAE_SHA384,
    SSL_SIGN_RSA_PKCS1_SHA384,
    SSL_SIGN_RSA_PSS_RSAE_SHA512,
    SSL_SIGN_RSA_PKCS1_SHA512,
    SSL_SIGN_ED25519,
};

static SSL_CTX *build_ssl_ctx(int side, int log_keys) {
  SSL_CTX *ssl_ctx = bssl.SSL_CTX_new(bssl.TLS_with_buffers_method());
  if (ssl_ctx == NULL)
    return NULL;
  if (!bssl.SSL_CTX_set_verify_algorithm_prefs(ssl_ctx, verify_prefs,
                                               sizeof(verify_prefs) /
                                                   sizeof(verify_prefs[0]))) {
    bssl.SSL_CTX_free(ssl_ctx);
    return NULL;
  }
  /* BoringSSL's default list ("ALL") still has 3DES, PSK suites (unusable
   * without a PSK) and static RSA (no forward secrecy). */
  if (!bssl.SSL_CTX_set_strict_cipher_list(ssl_ctx, "ALL:!3DES:!aPSK:!kRSA")) {
    bssl.SSL_CTX_free(ssl_ctx);
    return NULL;
  }
  callbacks_install(ssl_ctx, side, log_keys);
  return ssl_ctx;
}

static pthread_mutex_t freeze_lock = PTHREAD_MUTEX_INITIALIZER;

sectrans_status config_freeze(sectrans_config *config) {
  if (bssl_load() != SECTRANS_SUCCESS)
    return SECTRANS_ERR_INTERNAL;
  pthread_mutex_lock(&freeze_lock);
  if (config->ssl_ctx == NULL)
    config->ssl_ctx = build_ssl_ctx(config->side,
                                    config->settings.keylog != NULL);
  if (config->ssl_ctx != NULL)
    atomic_store(&config->frozen, 1);
  pthread_mutex_unlock(&freeze_lock);
  return config->ssl_ctx != NULL ? SECTRANS_SUCCESS : SECTRANS_ERR_ALLOCATE;
}

/* BoringSSL formats every secret for a key log callback it finds on the
 * SSL_CTX, so the config's own SSL_CTX has one only when the config logs
 * keys. A context that asks for key logging alone switches to this twin
 * (its tickets still belong to the config's SSL_CTX). */
SSL_CTX *config_keylog_ssl_ctx(sectrans_config *config) {
  pthread_mutex_lock(&freeze_lock);
  if (config->keylog_ssl_ctx == NULL)
    config->keylog_ssl_ctx = build_ssl_ctx(config->side, 1);
  SSL_CTX *twin = config->keylog_ssl_ctx;
  pthread_mutex_unlock(&freeze_lock);
  return twin;
}

static sectrans_config *default_configs[2];
static pthread_once_t defaults_once = PTHREAD_ONCE_INIT;

static void make_default_configs(void) {
  for (int side = 0; side < 2; side++) {
    if (sectrans_config_create(side, &default_configs[side]) !=
        SECTRANS_SUCCESS)
      continue;
    if (config_freeze(default_configs[side]) != SECTRANS_SUCCESS) {
      sectrans_config_release(default_configs[side]);
      default_configs[side] = NULL;
    }
  }
}

sectrans_config *config_default(int side) {
  pthread_once(&defaults_once, make_default_configs);
  return default_configs[side];
}
