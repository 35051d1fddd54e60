/*
 * names.c: the words the command line uses for sectrans constants.
 */
#include <string.h>

#include "cli.h"

static const struct {
  const char *name;
  int key_type;
  const char *description;
} key_types[] = {
    {"ecdsa", SECTRANS_KEY_ECDSA_P256, "ECDSA P-256"},
    {"rsa", SECTRANS_KEY_RSA_2048, "RSA 2048"},
    {"ed25519", SECTRANS_KEY_ED25519, "Ed25519"},
};

sectrans_status key_type_from_name(const char *name, int *key_type) {
  for (size_t i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++) {
    if (strcmp(key_types[i].name, name) == 0) {
      *key_type = key_types[i].key_type;
      return SECTRANS_SUCCESS;
    }
  }
  return SECTRANS_ERR_PARAM;
}

const char *key_type_description(int key_type) {
  for (size_t i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
    if (key_types[i].key_type == key_type)
      return key_types[i].description;
  return "unknown key type";
}
