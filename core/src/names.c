/*
 * names.c: standard names for cipher suites, groups and protocol versions.
 * All returned strings are static; NULL means sectrans does not know the
 * number.
 */
#include "internal.h"

struct name_map {
  int value;
  const char *name;
};

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_lookup(const struct name_map *map, size_t n,
                               int value) {
  size_t i;

  for (i = 0; i < n; i++)
    if (map[i].value == value)
      return map[i].name;
  return NULL;
}

/* IANA name, from BoringSSL's table of the suites it implements. */
const char *sectrans_cipher_name(uint16_t suite) {
  const SSL_CIPHER *cipher;

  if (bssl_load() != SECTRANS_SUCCESS)
    return NULL;
  if ((cipher = bssl.SSL_get_cipher_by_value(suite)) == NULL)
    return NULL;
  return bssl.SSL_CIPHER_standard_name(cipher);
}

/* The common groups by their usual names; BoringSSL names the rest. */
static const struct name_map group_names[] = {
    {29, "X25519"},
    {23, "P-256"},
    {24, "P-384"},
    {25, "P-521"},
};

const char *sectrans_group_name(uint16_t group) {
  const char *name;

  if ((name = name_lookup(group_names, NITEMS(group_names), group)) != NULL)
    return name;
  if (bssl_load() != SECTRANS_SUCCESS)
    return NULL;
  return bssl.SSL_get_curve_name(group);
}

/* SSLProtocol values; UNKNOWN and MAX_SUPPORTED name no protocol. */
static const struct name_map protocol_names[] = {
    {SECTRANS_PROTOCOL_SSL3, "SSLv3"},
    {SECTRANS_PROTOCOL_TLS1, "TLSv1"},
    {SECTRANS_PROTOCOL_TLS11, "TLSv1.1"},
    {SECTRANS_PROTOCOL_TLS12, "TLSv1.2"},
    {SECTRANS_PROTOCOL_DTLS1, "DTLSv1"},
    {SECTRANS_PROTOCOL_TLS13, "TLSv1.3"},
    {SECTRANS_PROTOCOL_DTLS12, "DTLSv1.2"},
};

const char *sectrans_protocol_name(int protocol) {
  return name_lookup(protocol_names, NITEMS(protocol_names), protocol);
}
