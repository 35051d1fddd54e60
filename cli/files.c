/*
 * files.c: reading files, identities and anchors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

sectrans_status read_file(const char *path, char **data, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t used = 0, size = 0;
  if (f == NULL)
    return SECTRANS_ERR_IO;
  for (;;) {
    if (used + 1 >= size) {
      size_t bigger = size ? size * 2 : 65536;
      char *grown = realloc(buf, bigger);
      if (grown == NULL)
        break;
      buf = grown;
      size = bigger;
    }
    size_t n = fread(buf + used, 1, size - used - 1, f);
    used += n;
    if (n == 0) {
      if (ferror(f))
        break;
      fclose(f);
      buf[used] = '\0';
      *data = buf;
      *len = used;
      return SECTRANS_SUCCESS;
    }
  }
  int saved = errno ? errno : ENOMEM;
  fclose(f);
  free(buf);
  errno = saved;
  return SECTRANS_ERR_IO;
}

static sectrans_status read_or_report(const char *cmd, const char *path,
                                      char **data, size_t *len) {
  sectrans_status status = read_file(path, data, len);
  if (status != SECTRANS_SUCCESS)
    fprintf(stderr, "sectrans %s: %s: %s\n", cmd, path, strerror(errno));
  return status;
}

static sectrans_status identity_from_p12(const char *cmd,
                                         const struct tls_options *o,
                                         sectrans_identity **out) {
  char *data = NULL;
  size_t len = 0;
  sectrans_status status = read_or_report(cmd, o->p12_file, &data, &len);
  if (status != SECTRANS_SUCCESS)
    return status;
  status = sectrans_identity_create_from_pkcs12(data, len, o->password, out);
  free(data);
  if (status == SECTRANS_SUCCESS)
    return status;
  char step[512];
  snprintf(step, sizeof(step), "read PKCS#12 identity %s", o->p12_file);
  return report_status(cmd, step, status, NULL);
}

/* --cert alone: the file holds the key too. */
static sectrans_status identity_from_pem(const char *cmd,
                                         const struct tls_options *o,
                                         sectrans_identity **out) {
  char *cert = NULL, *key = NULL;
  size_t cert_len = 0, key_len = 0;
  sectrans_status status = read_or_report(cmd, o->cert_file, &cert, &cert_len);
  if (status == SECTRANS_SUCCESS && o->key_file != NULL)
    status = read_or_report(cmd, o->key_file, &key, &key_len);
  if (status != SECTRANS_SUCCESS) {
    free(cert);
    return status;
  }
  status = sectrans_identity_create_from_pem(cert, cert_len, key, key_len,
                                             o->password, out);
  free(cert);
  free(key);
  if (status == SECTRANS_SUCCESS)
    return status;
  char step[512];
  snprintf(step, sizeof(step), "read identity %s%s%s", o->cert_file,
           o->key_file ? " + " : "", o->key_file ? o->key_file : "");
  return report_status(cmd, step, status, NULL);
}

sectrans_status identity_load(const char *cmd, const struct tls_options *o,
                              sectrans_identity **out) {
  if (o->p12_file != NULL && (o->cert_file || o->key_file)) {
    fprintf(stderr, "sectrans %s: --p12 excludes --cert and --key\n", cmd);
    return CLI_ERR_USAGE;
  }
  if (o->p12_file != NULL)
    return identity_from_p12(cmd, o, out);
  return identity_from_pem(cmd, o, out);
}

sectrans_status trust_store_load(const char *cmd, const char *path,
                                 sectrans_trust_store **out) {
  sectrans_trust_store *store = NULL;
  sectrans_status status = sectrans_trust_store_create(&store);
  if (status == SECTRANS_SUCCESS)
    status = sectrans_trust_store_add_pem_file(store, path);
  if (status == SECTRANS_SUCCESS) {
    *out = store;
    return status;
  }
  sectrans_trust_store_release(store);
  char step[512];
  snprintf(step, sizeof(step), "read anchors %s", path);
  return report_status(cmd, step, status, NULL);
}
