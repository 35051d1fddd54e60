/*
 * ciphers.c: LuaSec's cipher strings (OpenSSL syntax) over the suites
 * BoringSSL offers, and the OpenSSL names LuaSec's info() reports.
 *
 * A cipher string lists suites by OpenSSL name ("ECDHE-RSA-AES128-GCM-
 * SHA256") or standard name (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), joined
 * by ':' ',' or ' '. OpenSSL's category words and operators ("ALL",
 * "HIGH", "!aNULL", "ECDHE+AESGCM", "@STRENGTH") are accepted but not
 * evaluated: a string made only of them keeps BoringSSL's defaults, which
 * hold no weak suite. Anything else is an invalid cipher.
 */
#include <string.h>

#include "lsectrans.h"

/* A suite with what OpenSSL's description of it says (LuaSec's info()
 * fields key, authentication, encryption and mac). */
typedef struct suite {
  uint16_t id;
  const char *openssl_name;
  int bits;
  const char *kx, *au, *enc, *mac;
} suite;

#define GCM128 "AESGCM(128)"
#define GCM256 "AESGCM(256)"
#define CHACHA "CHACHA20/POLY1305(256)"
static const suite suites[] = {
    {0x1301, "TLS_AES_128_GCM_SHA256", 128, "any", "any", GCM128, "AEAD"},
    {0x1302, "TLS_AES_256_GCM_SHA384", 256, "any", "any", GCM256, "AEAD"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", 256, "any", "any", CHACHA, "AEAD"},
    {0xC02B, "ECDHE-ECDSA-AES128-GCM-SHA256", 128, "ECDH", "ECDSA", GCM128,
     "AEAD"},
    {0xC02C, "ECDHE-ECDSA-AES256-GCM-SHA384", 256, "ECDH", "ECDSA", GCM256,
     "AEAD"},
    {0xC02F, "ECDHE-RSA-AES128-GCM-SHA256", 128, "ECDH", "RSA", GCM128, "AEAD"},
    {0xC030, "ECDHE-RSA-AES256-GCM-SHA384", 256, "ECDH", "RSA", GCM256, "AEAD"},
    {0xCCA9, "ECDHE-ECDSA-CHACHA20-POLY1305", 256, "ECDH", "ECDSA", CHACHA,
     "AEAD"},
    {0xCCA8, "ECDHE-RSA-CHACHA20-POLY1305", 256, "ECDH", "RSA", CHACHA, "AEAD"},
    {0xC009, "ECDHE-ECDSA-AES128-SHA", 128, "ECDH", "ECDSA", "AES(128)",
     "SHA1"},
    {0xC00A, "ECDHE-ECDSA-AES256-SHA", 256, "ECDH", "ECDSA", "AES(256)",
     "SHA1"},
    {0xC013, "ECDHE-RSA-AES128-SHA", 128, "ECDH", "RSA", "AES(128)", "SHA1"},
    {0xC014, "ECDHE-RSA-AES256-SHA", 256, "ECDH", "RSA", "AES(256)", "SHA1"},
    {0x009C, "AES128-GCM-SHA256", 128, "RSA", "RSA", GCM128, "AEAD"},
    {0x009D, "AES256-GCM-SHA384", 256, "RSA", "RSA", GCM256, "AEAD"},
    {0x002F, "AES128-SHA", 128, "RSA", "RSA", "AES(128)", "SHA1"},
    {0x0035, "AES256-SHA", 256, "RSA", "RSA", "AES(256)", "SHA1"},
};
#define SUITE_COUNT (sizeof suites / sizeof suites[0])

/* OpenSSL's category words: accepted, not evaluated (see above). */
static const char *const categories[] = {"ALL",
                                         "DEFAULT",
                                         "HIGH",
                                         "MEDIUM",
                                         "LOW",
                                         "COMPLEMENTOFDEFAULT",
                                         "COMPLEMENTOFALL",
                                         "ECDHE",
                                         "EECDH",
                                         "ECDH",
                                         "kECDHE",
                                         "kEECDH",
                                         "aRSA",
                                         "aECDSA",
                                         "ECDSA",
                                         "RSA",
                                         "kRSA",
                                         "AES",
                                         "AES128",
                                         "AES256",
                                         "AESGCM",
                                         "CHACHA20",
                                         "SHA",
                                         "SHA1",
                                         "SHA256",
                                         "SHA384",
                                         "TLSv1.2",
                                         "TLSv1",
                                         "SSLv3",
                                         "FIPS",
                                         "SUITEB128",
                                         "SUITEB192",
                                         NULL};

static const suite *find_by_name(const char *name, size_t len) {
  for (size_t i = 0; i < SUITE_COUNT; i++) {
    const char *standard = sectrans_cipher_name(suites[i].id);
    if ((strlen(suites[i].openssl_name) == len &&
         memcmp(suites[i].openssl_name, name, len) == 0) ||
        (standard && strlen(standard) == len &&
         memcmp(standard, name, len) == 0))
      return &suites[i];
  }
  return NULL;
}

static const suite *find_by_id(uint16_t id) {
  for (size_t i = 0; i < SUITE_COUNT; i++)
    if (suites[i].id == id)
      return &suites[i];
  return NULL;
}

/* 1 for an OpenSSL category word or an operator term ("!aNULL"). */
static int is_category(const char *name, size_t len) {
  if (strchr("!-+@", name[0]) || memchr(name, '+', len))
    return 1;
  for (const char *const *c = categories; *c; c++)
    if (strlen(*c) == len && memcmp(*c, name, len) == 0)
      return 1;
  return 0;
}

/* Parses spec into suites[0..*count). Returns 0 and points *bad at the
 * first word that is neither a suite nor a category. */
int lsec_parse_ciphers(const char *spec, uint16_t *out, size_t max,
                       size_t *count, const char **bad, size_t *bad_len) {
  *count = 0;
  while (*spec) {
    size_t len = strcspn(spec, ":, ");
    if (len > 0) {
      const suite *s = find_by_name(spec, len);
      if (s && *count < max)
        out[(*count)++] = s->id;
      else if (!s && !is_category(spec, len)) {
        *bad = spec;
        *bad_len = len;
        return 0;
      }
    }
    spec += len + (spec[len] != '\0');
  }
  return 1;
}

/* The name LuaSec (OpenSSL) uses for a suite, else the standard one. */
const char *lsec_openssl_cipher_name(uint16_t id) {
  const suite *s = find_by_id(id);
  return s ? s->openssl_name : sectrans_cipher_name(id);
}

/* Secret key bits of a suite's cipher (0 when unknown). */
int lsec_cipher_bits(uint16_t id) {
  const suite *s = find_by_id(id);
  return s ? s->bits : 0;
}

/* Sets LuaSec's key, authentication, encryption and mac fields of the
 * table on the stack top for suite id (none when the suite is unknown). */
void lsec_set_cipher_description(lua_State *L, uint16_t id) {
  const suite *s = find_by_id(id);
  if (s == NULL)
    return;
  const char *const fields[][2] = {{"key", s->kx},
                                   {"authentication", s->au},
                                   {"encryption", s->enc},
                                   {"mac", s->mac}};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    lua_pushstring(L, fields[i][1]);
    lua_setfield(L, -2, fields[i][0]);
  }
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "export");
}
