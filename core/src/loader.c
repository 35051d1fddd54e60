/*
 * loader.c: opens BoringSSL privately and fills the function table.
 *
 * RTLD_LOCAL keeps BoringSSL's names out of the global scope, so OpenSSL in
 * the same process never binds to them; RTLD_DEEPBIND makes BoringSSL
 * resolve its own references inside itself first, so it never binds to
 * OpenSSL either. Both directions were checked with LD_DEBUG=bindings.
 * This is the only file that resolves BoringSSL symbols.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bssl.h"
#include "internal.h"

#ifndef SECTRANS_BORINGSSL_DIR
#error "the build must define SECTRANS_BORINGSSL_DIR"
#endif

struct bssl_table bssl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded;
static char load_error[512] = "BoringSSL not loaded yet";

#ifdef SECTRANS_LINK_BORINGSSL
/* Sanitizer builds link BoringSSL directly: ASan refuses RTLD_DEEPBIND. */
static void fill_table(void) {
#define BSSL_FN(name) bssl.name = name;
#include "bssl_functions.h"
#undef BSSL_FN
  loaded = 1;
}
#else
static void *open_library(const char *dir, const char *file) {
  char path[4096];
  if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path)) {
    snprintf(load_error, sizeof(load_error), "path too long: %s", dir);
    return NULL;
  }
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (handle == NULL)
    snprintf(load_error, sizeof(load_error), "dlopen: %s", dlerror());
  return handle;
}

static sectrans_status resolve(void *ssl, void *crypto, const char *name,
                               void **slot) {
  *slot = dlsym(ssl, name);
  if (*slot == NULL)
    *slot = dlsym(crypto, name);
  if (*slot == NULL) {
    snprintf(load_error, sizeof(load_error), "BoringSSL lacks %s", name);
    return SECTRANS_ERR_INTERNAL;
  }
  return SECTRANS_SUCCESS;
}

static void fill_table(void) {
  /* secure_getenv: a set-user-ID or set-group-ID program must not load a
   * libcrypto its caller chose. */
  const char *dir = secure_getenv("SECTRANS_BORINGSSL_DIR");
  if (dir == NULL || dir[0] == '\0')
    dir = SECTRANS_BORINGSSL_DIR;
  /* libcrypto first, so libssl's DT_NEEDED finds this copy by its soname. */
  void *crypto = open_library(dir, "libcrypto.so.0");
  void *ssl = crypto ? open_library(dir, "libssl.so.0") : NULL;
  if (ssl == NULL)
    return;
#define BSSL_FN(name)                                                          \
  if (resolve(ssl, crypto, #name, (void **)&bssl.name) != SECTRANS_SUCCESS)    \
    return;
#include "bssl_functions.h"
#undef BSSL_FN
  loaded = 1;
}
#endif

sectrans_status bssl_load(void) {
  pthread_once(&load_once, fill_table);
  return loaded ? SECTRANS_SUCCESS : SECTRANS_ERR_INTERNAL;
}

const char *sectrans_load_error(void) {
  return bssl_load() == SECTRANS_SUCCESS ? NULL : load_error;
}
