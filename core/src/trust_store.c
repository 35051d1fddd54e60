/*
 * trust_store.c: sets of anchors, and the platform's one shared store.
 *
 * A store can grow until a config or context takes it (trust_store_freeze);
 * from then on it is read-only and shared across threads. The X509_STORE
 * that verification needs is built lazily, once, under the store's mutex.
 */
#define _GNU_SOURCE /* secure_getenv */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

/* Debian's bundle; BoringSSL's built-in default (/etc/ssl/cert.pem) does not
 * exist there. */
#define DEFAULT_CA_FILE "/etc/ssl/certs/ca-certificates.crt"

static sectrans_trust_store *store_new(void) {
  sectrans_trust_store *store = calloc(1, sizeof(*store));
  if (store == NULL)
    return NULL;
  store->lock = malloc(sizeof(*store->lock));
  if (store->lock == NULL || pthread_mutex_init(store->lock, NULL) != 0) {
    free(store->lock);
    free(store);
    return NULL;
  }
  object_init(&store->obj, KIND_TRUST_STORE);
  atomic_init(&store->frozen, 0);
  return store;
}

static void drop_certs_from(sectrans_trust_store *store, size_t keep) {
  while (store->count > keep)
    bssl.X509_free(store->certs[--store->count]);
}

void trust_store_free(sectrans_trust_store *store) {
  if (store == NULL)
    return;
  drop_certs_from(store, 0);
  free(store->certs);
  if (store->store != NULL)
    bssl.X509_STORE_free(store->store);
  pthread_mutex_destroy(store->lock);
  free(store->lock);
  free(store);
}

/* Appends x509, taking ownership of it on success. */
static sectrans_status store_push(sectrans_trust_store *store, X509 *x509) {
  if (store->count == store->capacity) {
    size_t capacity = store->capacity ? store->capacity * 2 : 16;
    X509 **certs = realloc(store->certs, capacity * sizeof(*certs));
    if (certs == NULL)
      return SECTRANS_ERR_ALLOCATE;
    store->certs = certs;
    store->capacity = capacity;
  }
  store->certs[store->count++] = x509;
  return SECTRANS_SUCCESS;
}

/* ---- reading PEM --------------------------------------------------------- */

/* Appends every certificate of a PEM buffer. Strict mode (the caller's own
 * anchors) stops at the first block that does not parse; lenient mode (the
 * platform's files) skips it, as OpenSSL's loaders do. */
static sectrans_status append_pem(sectrans_trust_store *store, const void *pem,
                                  size_t len, int strict) {
  BIO *bio = bssl.BIO_new_mem_buf(pem, (int)len);
  if (bio == NULL)
    return SECTRANS_ERR_ALLOCATE;
  size_t before = store->count;
  sectrans_status status;
  for (;;) {
    size_t unread = bssl.BIO_pending(bio);
    X509 *x509 = NULL;
    status = certificate_read_pem(bio, &x509, NULL);
    if (status == SECTRANS_ERR_DECODE && !strict &&
        bssl.BIO_pending(bio) < unread)
      continue; /* skip the damaged block; the reader moved on */
    if (status != SECTRANS_SUCCESS || x509 == NULL)
      break;
    if ((status = store_push(store, x509)) != SECTRANS_SUCCESS) {
      bssl.X509_free(x509);
      break;
    }
  }
  bssl.BIO_free(bio);
  if (status == SECTRANS_SUCCESS && strict && store->count == before)
    status = SECTRANS_ERR_DECODE; /* no certificate found */
  return status;
}

/* Reads a whole file; -36 when it cannot be read, -50 when it is larger
 * than any PEM input may be. */
static sectrans_status read_file(const char *path, uint8_t **out,
                                 size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return SECTRANS_ERR_IO;
  sectrans_status status = SECTRANS_SUCCESS;
  uint8_t *data = NULL;
  size_t len = 0, capacity = 0;
  for (;;) {
    if (len == capacity) {
      /* One byte past the maximum is enough to know it is too long. */
      if (capacity == (size_t)SECTRANS_MAX_PEM_LENGTH + 1) {
        status = SECTRANS_ERR_PARAM;
        break;
      }
      capacity = capacity ? capacity * 2 : 64 * 1024;
      if (capacity > (size_t)SECTRANS_MAX_PEM_LENGTH + 1)
        capacity = (size_t)SECTRANS_MAX_PEM_LENGTH + 1;
      uint8_t *grown = realloc(data, capacity);
      if (grown == NULL) {
        status = SECTRANS_ERR_ALLOCATE;
        break;
      }
      data = grown;
    }
    size_t n = fread(data + len, 1, capacity - len, file);
    len += n;
    if (n == 0) {
      if (ferror(file)) /* EISDIR for a directory, EIO, ... */
        status = SECTRANS_ERR_IO;
      break;
    }
  }
  fclose(file);
  if (status == SECTRANS_SUCCESS && len > SECTRANS_MAX_PEM_LENGTH)
    status = SECTRANS_ERR_PARAM;
  if (status != SECTRANS_SUCCESS) {
    free(data);
    return status;
  }
  *out = data;
  *out_len = len;
  return SECTRANS_SUCCESS;
}

static sectrans_status append_file(sectrans_trust_store *store,
                                   const char *path, int strict) {
  uint8_t *data = NULL;
  size_t len = 0;
  sectrans_status status = read_file(path, &data, &len);
  if (status == SECTRANS_SUCCESS)
    status = len > 0 ? append_pem(store, data, len, strict)
                     : (strict ? SECTRANS_ERR_DECODE : SECTRANS_SUCCESS);
  free(data);
  return status;
}

/* ---- the platform store -------------------------------------------------- */

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* c_rehash names: eight hex digits, a dot, a decimal counter. */
static int is_hash_name(const char *name) {
  size_t i = 0;
  for (; i < 8; i++)
    if (!((name[i] >= '0' && name[i] <= '9') ||
          (name[i] >= 'a' && name[i] <= 'f')))
      return 0;
  if (name[i++] != '.' || name[i] == '\0')
    return 0;
  for (; name[i] != '\0'; i++)
    if (name[i] < '0' || name[i] > '9')
      return 0;
  return 1;
}

static int is_certificate_file_name(const char *name) {
  return ends_with(name, ".pem") || ends_with(name, ".crt") ||
         is_hash_name(name);
}

/* The one directory walk, for SSL_CERT_DIR and
 * sectrans_trust_store_add_directory: in name order, each regular file (or
 * link to one) named like a certificate file is read as PEM, leniently. A
 * file that cannot be read or holds no certificate is skipped: one bad file
 * must not cost a process all its anchors. -36 when the directory cannot be
 * opened; only an allocation failure stops the walk. */
static sectrans_status append_directory(sectrans_trust_store *store,
                                        const char *dir) {
  struct dirent **entries = NULL;
  int n = scandir(dir, &entries, NULL, alphasort);
  if (n < 0)
    return errno == ENOMEM ? SECTRANS_ERR_ALLOCATE : SECTRANS_ERR_IO;
  sectrans_status status = SECTRANS_SUCCESS;
  for (int i = 0; i < n; i++) {
    const char *name = entries[i]->d_name;
    char path[4096];
    struct stat st;
    if (status == SECTRANS_SUCCESS && is_certificate_file_name(name) &&
        snprintf(path, sizeof(path), "%s/%s", dir, name) < (int)sizeof(path) &&
        stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
      status = append_file(store, path, 0);
      if (status != SECTRANS_ERR_ALLOCATE)
        status = SECTRANS_SUCCESS;
    }
    free(entries[i]);
  }
  free(entries);
  return status;
}

/* SSL_CERT_DIR is a colon-separated list, as in OpenSSL. */
static sectrans_status append_directories(sectrans_trust_store *store,
                                          const char *list) {
  char *copy = strdup(list);
  if (copy == NULL)
    return SECTRANS_ERR_ALLOCATE;
  sectrans_status status = SECTRANS_SUCCESS;
  char *save = NULL;
  for (char *dir = strtok_r(copy, ":", &save);
       dir != NULL && status == SECTRANS_SUCCESS;
       dir = strtok_r(NULL, ":", &save)) {
    status = append_directory(store, dir);
    if (status == SECTRANS_ERR_IO)
      status = SECTRANS_SUCCESS; /* a missing directory adds nothing */
  }
  free(copy);
  return status;
}

/* qsort's comparator (a value, not a status). */
static int compare_certs(const void *a, const void *b) {
  return bssl.X509_cmp(*(X509 *const *)a, *(X509 *const *)b);
}

/* A hashed directory links each anchor under two or three names (and may
 * hold the bundle too): keep one copy of each. */
static void remove_duplicates(sectrans_trust_store *store) {
  if (store->count < 2)
    return;
  qsort(store->certs, store->count, sizeof(*store->certs), compare_certs);
  size_t kept = 1;
  for (size_t i = 1; i < store->count; i++) {
    if (bssl.X509_cmp(store->certs[kept - 1], store->certs[i]) == 0)
      bssl.X509_free(store->certs[i]);
    else
      store->certs[kept++] = store->certs[i];
  }
  store->count = kept;
}

/* secure_getenv: a setuid program must not take anchors from its caller. */
static const char *setting(const char *name) {
  const char *value = secure_getenv(name);
  return value != NULL && value[0] != '\0' ? value : NULL;
}

static sectrans_trust_store *system_store;
static sectrans_status system_status;
static pthread_once_t system_once = PTHREAD_ONCE_INIT;

/* Runs once per process. A missing file or directory leaves the store
 * empty (verification then fails with an unknown root), like OpenSSL. */
static void load_system_store(void) {
  sectrans_trust_store *store = store_new();
  if (store == NULL) {
    system_status = SECTRANS_ERR_ALLOCATE;
    return;
  }
  const char *file = setting("SSL_CERT_FILE");
  const char *dirs = setting("SSL_CERT_DIR");
  sectrans_status status = SECTRANS_SUCCESS;
  if (file == NULL && dirs == NULL)
    file = DEFAULT_CA_FILE;
  if (file != NULL)
    status = append_file(store, file, 0);
  if (status != SECTRANS_ERR_ALLOCATE)
    status = SECTRANS_SUCCESS; /* unreadable: no anchors from it */
  if (status == SECTRANS_SUCCESS && dirs != NULL)
    status = append_directories(store, dirs);
  if (status != SECTRANS_SUCCESS) {
    trust_store_free(store);
    system_status = status;
    return;
  }
  remove_duplicates(store);
  bssl.ERR_clear_error();
  atomic_store(&store->frozen, 1);
  system_store = store; /* lives as long as the process */
}

/* The shared platform store, not retained for the caller. */
static sectrans_status get_system_store(sectrans_trust_store **out) {
  if (bssl_load() != SECTRANS_SUCCESS)
    return SECTRANS_ERR_INTERNAL;
  pthread_once(&system_once, load_system_store);
  *out = system_store;
  return system_store != NULL ? SECTRANS_SUCCESS : system_status;
}

/* ---- public functions ---------------------------------------------------- */

sectrans_status sectrans_trust_store_create(sectrans_trust_store **out) {
  if (out == NULL)
    return SECTRANS_ERR_PARAM;
  *out = NULL;
  if (bssl_load() != SECTRANS_SUCCESS)
    return SECTRANS_ERR_INTERNAL;
  *out = store_new();
  return *out != NULL ? SECTRANS_SUCCESS : SECTRANS_ERR_ALLOCATE;
}

sectrans_status sectrans_trust_store_copy_system(sectrans_trust_store **out) {
  if (out == NULL)
    return SECTRANS_ERR_PARAM;
  *out = NULL;
  sectrans_trust_store *store = NULL;
  sectrans_status status = get_system_store(&store);
  if (status == SECTRANS_SUCCESS)
    *out = sectrans_trust_store_retain(store);
  return status;
}

/* Every addition runs under the lock and only while the store is unfrozen;
 * on failure the store is left as it was (all or nothing). */
static sectrans_status begin_change(sectrans_trust_store *store) {
  pthread_mutex_lock(store->lock);
  if (atomic_load(&store->frozen)) {
    pthread_mutex_unlock(store->lock);
    return SECTRANS_ERR_BAD_REQ;
  }
  return SECTRANS_SUCCESS;
}

static sectrans_status end_change(sectrans_trust_store *store, size_t before,
                                  sectrans_status status) {
  if (status != SECTRANS_SUCCESS)
    drop_certs_from(store, before);
  bssl.ERR_clear_error();
  pthread_mutex_unlock(store->lock);
  return status;
}

/* Appends exactly one DER certificate. */
static sectrans_status append_der(sectrans_trust_store *store, const void *der,
                                  size_t len) {
  X509 *x509 = NULL;
  sectrans_status status = certificate_parse_der(der, len, &x509, NULL);
  if (status == SECTRANS_SUCCESS &&
      (status = store_push(store, x509)) != SECTRANS_SUCCESS)
    bssl.X509_free(x509);
  return status;
}

/* The caller's own anchors from a buffer: PEM (strictly) or one DER. */
static sectrans_status add_buffer(sectrans_trust_store *store, const void *data,
                                  size_t len, int is_der) {
  if (bad_handle(store, KIND_TRUST_STORE) || data == NULL || len == 0 ||
      len > SECTRANS_MAX_PEM_LENGTH)
    return SECTRANS_ERR_PARAM;
  sectrans_status status = begin_change(store);
  if (status != SECTRANS_SUCCESS)
    return status;
  size_t before = store->count;
  status = is_der ? append_der(store, data, len)
                  : append_pem(store, data, len, 1);
  return end_change(store, before, status);
}

sectrans_status sectrans_trust_store_add_pem(sectrans_trust_store *store,
                                             const void *pem, size_t len) {
  return add_buffer(store, pem, len, 0);
}

/* Frees the certificates from index `from` on that equal an earlier one from
 * there: a hashed directory links each anchor under two or three names.
 * Keeps the order of the rest. */
static void drop_repeats_from(sectrans_trust_store *store, size_t from) {
  size_t kept = from;
  for (size_t i = from; i < store->count; i++) {
    size_t j = from;
    while (j < kept && bssl.X509_cmp(store->certs[j], store->certs[i]) != 0)
      j++;
    if (j < kept)
      bssl.X509_free(store->certs[i]);
    else
      store->certs[kept++] = store->certs[i];
  }
  store->count = kept;
}

/* The caller's own anchors from a path: a PEM file (strictly) or a CA
 * directory (the walk's rule; repeats dropped, the count handed out). */
static sectrans_status add_path(sectrans_trust_store *store, const char *path,
                                int is_directory, size_t *added) {
  if (added != NULL)
    *added = 0;
  if (bad_handle(store, KIND_TRUST_STORE) || path == NULL)
    return SECTRANS_ERR_PARAM;
  sectrans_status status = begin_change(store);
  if (status != SECTRANS_SUCCESS)
    return status;
  size_t before = store->count;
  if (!is_directory)
    return end_change(store, before, append_file(store, path, 1));
  status = append_directory(store, path);
  if (status == SECTRANS_SUCCESS) {
    drop_repeats_from(store, before);
    if (added != NULL)
      *added = store->count - before;
  }
  return end_change(store, before, status);
}

sectrans_status sectrans_trust_store_add_pem_file(sectrans_trust_store *store,
                                                  const char *path) {
  return add_path(store, path, 0, NULL);
}

sectrans_status sectrans_trust_store_add_directory(sectrans_trust_store *store,
                                                   const char *path,
                                                   size_t *added) {
  return add_path(store, path, 1, added);
}

sectrans_status sectrans_trust_store_add_der(sectrans_trust_store *store,
                                             const void *der, size_t len) {
  return add_buffer(store, der, len, 1);
}

/* Copies the shared store's certificates (references) into store. */
static sectrans_status append_store(sectrans_trust_store *store,
                                    const sectrans_trust_store *from) {
  for (size_t i = 0; i < from->count; i++) {
    if (store_push(store, from->certs[i]) != SECTRANS_SUCCESS)
      return SECTRANS_ERR_ALLOCATE;
    bssl.X509_up_ref(from->certs[i]);
  }
  return SECTRANS_SUCCESS;
}

sectrans_status sectrans_trust_store_add_system(sectrans_trust_store *store) {
  if (bad_handle(store, KIND_TRUST_STORE))
    return SECTRANS_ERR_PARAM;
  sectrans_trust_store *system = NULL;
  sectrans_status status = get_system_store(&system);
  if (status != SECTRANS_SUCCESS)
    return status;
  status = begin_change(store); /* the system store itself is frozen */
  if (status != SECTRANS_SUCCESS)
    return status;
  size_t before = store->count;
  return end_change(store, before, append_store(store, system));
}

sectrans_status sectrans_trust_store_get_count(
    const sectrans_trust_store *store, size_t *count) {
  if (bad_handle(store, KIND_TRUST_STORE) || count == NULL)
    return SECTRANS_ERR_PARAM;
  pthread_mutex_lock(store->lock);
  *count = store->count;
  pthread_mutex_unlock(store->lock);
  return SECTRANS_SUCCESS;
}

OBJECT_RETAIN_RELEASE(sectrans_trust_store, trust_store, KIND_TRUST_STORE)

/* ---- internal ------------------------------------------------------------ */

void trust_store_freeze(sectrans_trust_store *store) {
  if (store == NULL)
    return;
  /* Under the lock, so no addition is half done once this returns. */
  pthread_mutex_lock(store->lock);
  atomic_store(&store->frozen, 1);
  pthread_mutex_unlock(store->lock);
}

/* X509_STORE_add_cert may refuse a duplicate; duplicates are fine here. */
static sectrans_status add_anchor(X509_STORE *x509_store, X509 *x509) {
  if (bssl.X509_STORE_add_cert(x509_store, x509))
    return SECTRANS_SUCCESS;
  uint32_t err = bssl.ERR_peek_last_error();
  if (ERR_GET_LIB(err) == ERR_LIB_X509 &&
      ERR_GET_REASON(err) == X509_R_CERT_ALREADY_IN_HASH_TABLE) {
    bssl.ERR_clear_error();
    return SECTRANS_SUCCESS;
  }
  return status_or_allocate(SECTRANS_ERR_INTERNAL);
}

static X509_STORE *build_x509_store(const sectrans_trust_store *store) {
  X509_STORE *x509_store = bssl.X509_STORE_new();
  if (x509_store == NULL)
    return NULL;
  for (size_t i = 0; i < store->count; i++) {
    if (add_anchor(x509_store, store->certs[i]) != SECTRANS_SUCCESS) {
      bssl.X509_STORE_free(x509_store);
      return NULL;
    }
  }
  return x509_store;
}

X509_STORE *trust_store_x509(sectrans_trust_store *store) {
  if (store == NULL)
    return NULL;
  pthread_mutex_lock(store->lock);
  /* The anchors are in use from now on: they must not change under it. */
  atomic_store(&store->frozen, 1);
  if (store->store == NULL)
    store->store = build_x509_store(store);
  X509_STORE *result = store->store;
  pthread_mutex_unlock(store->lock);
  return result;
}

/* SHA-256 over each anchor's DER, in order. DER is self-delimiting, so the
 * concatenation is unambiguous. */
static sectrans_status compute_fingerprint(const sectrans_trust_store *store,
                                           uint8_t out[32]) {
  SHA256_CTX sha;
  if (!bssl.SHA256_Init(&sha))
    return SECTRANS_ERR_INTERNAL;
  for (size_t i = 0; i < store->count; i++) {
    uint8_t *der = NULL;
    int len = bssl.i2d_X509(store->certs[i], &der);
    if (len <= 0)
      return status_or_allocate(SECTRANS_ERR_INTERNAL);
    bssl.SHA256_Update(&sha, der, (size_t)len);
    bssl.OPENSSL_free(der);
  }
  return bssl.SHA256_Final(out, &sha) ? SECTRANS_SUCCESS
                                      : SECTRANS_ERR_INTERNAL;
}

sectrans_status trust_store_fingerprint(sectrans_trust_store *store,
                                        uint8_t out[32]) {
  sectrans_status status = SECTRANS_SUCCESS;
  if (store == NULL)
    return SECTRANS_ERR_PARAM;
  pthread_mutex_lock(store->lock);
  /* A fingerprint describes the anchors for good: they must not change. */
  atomic_store(&store->frozen, 1);
  if (!store->has_fingerprint) {
    status = compute_fingerprint(store, store->fingerprint);
    store->has_fingerprint = status == SECTRANS_SUCCESS;
  }
  if (status == SECTRANS_SUCCESS)
    memcpy(out, store->fingerprint, sizeof(store->fingerprint));
  pthread_mutex_unlock(store->lock);
  return status;
}
