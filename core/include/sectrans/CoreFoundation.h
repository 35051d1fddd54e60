/*
 * CoreFoundation.h: the small piece of CoreFoundation that code written for
 * Secure Transport touches, header-only, for <sectrans/SecureTransport.h>.
 *
 * Nothing here is compiled into libsectrans and nothing here is exported:
 * every function is static inline, so the library's ABI stays sectrans_*
 * only. The subset is fixed by what Secure Transport callers use: CFString,
 * CFData, CFArray, CFDictionary and CFError, created, read and released.
 * There is no CFRunLoop, no CFNumber, no CFDate, no toll-free bridging.
 *
 * The object model. Two kinds of objects travel as CFTypeRef:
 *
 *  - sectrans handles (SSLContextRef, SecCertificateRef, SecIdentityRef),
 *    owned by libsectrans;
 *  - the CF objects below (and SecTrustRef, SecPolicyRef), owned by this
 *    header. Each starts with struct __sectrans_cf, whose first 32 bits are
 *    SECTRANS_CF_MAGIC.
 *
 * CFRetain and CFRelease read the first 32 bits of the object: the magic
 * means a CF object of this header, anything else is handed to
 * sectrans_retain / sectrans_release. The magic cannot collide with a
 * sectrans handle, whose first word is a kind tag of its own (0x5354xxxx)
 * that this header never relies on beyond "not our magic". Reference
 * counts are atomic, as in CoreFoundation. Constants (CFSTR and the k*
 * strings) are immortal: retain and release leave them alone.
 *
 * Differences from CoreFoundation, all deliberate:
 *  - CFRelease(NULL) and CFRetain(NULL) do nothing (CoreFoundation crashes).
 *  - Accessors given the wrong kind of object, or an index out of range,
 *    return 0 / NULL instead of crashing.
 *  - Strings hold bytes (UTF-8 or ASCII); CFStringGetLength counts bytes,
 *    not UTF-16 units, which is the same for the ASCII that TLS uses (host
 *    names, ALPN protocol names).
 *  - Allocators are ignored (malloc and free are used); pass NULL or
 *    kCFAllocatorDefault.
 *  - Array and dictionary callbacks: NULL means "do not retain", any other
 *    pointer means the kCFType callbacks (CFRetain / CFRelease, CFEqual for
 *    dictionary keys). Custom callbacks are not called.
 *  - CFSTR("...") is a GNU statement expression over a static object: use
 *    it inside functions (GCC and Clang), not in file-scope initializers.
 */
#ifndef SECTRANS_COREFOUNDATION_H
#define SECTRANS_COREFOUNDATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sectrans/sectrans.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SECTRANS_CF_UNUSED __attribute__((unused))
#else
#define SECTRANS_CF_UNUSED
#endif

/* ---- MacTypes ----------------------------------------------------------- */

typedef unsigned char Boolean;
typedef int32_t OSStatus;
typedef uint8_t UInt8;
typedef uint32_t UInt32;
typedef int32_t SInt32;
enum {
  noErr = 0
};
#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

/* ---- Types -------------------------------------------------------------- */

typedef long CFIndex;
typedef unsigned long CFTypeID;
typedef uint32_t CFStringEncoding;
typedef const void *CFTypeRef;
typedef const struct __CFAllocator *CFAllocatorRef;
typedef const struct __CFString *CFStringRef;
typedef const struct __CFData *CFDataRef;
typedef const struct __CFArray *CFArrayRef;
typedef struct __CFArray *CFMutableArrayRef;
typedef const struct __CFDictionary *CFDictionaryRef;
typedef struct __CFError *CFErrorRef;

#define kCFAllocatorDefault ((CFAllocatorRef)NULL)
#define kCFAllocatorSystemDefault ((CFAllocatorRef)NULL)
enum {
  kCFNotFound = -1
};
enum {
  kCFStringEncodingASCII = 0x0600,
  kCFStringEncodingUTF8 = 0x08000100
};

/* Array and dictionary callbacks. Only NULL versus non-NULL matters. */
typedef struct {
  CFIndex version;
  const void *retain, *release, *copyDescription, *equal;
} CFArrayCallBacks;
typedef struct {
  CFIndex version;
  const void *retain, *release, *copyDescription, *equal, *hash;
} CFDictionaryKeyCallBacks;
typedef struct {
  CFIndex version;
  const void *retain, *release, *copyDescription, *equal;
} CFDictionaryValueCallBacks;
static const CFArrayCallBacks kCFTypeArrayCallBacks SECTRANS_CF_UNUSED = {
    0, NULL, NULL, NULL, NULL};
static const CFDictionaryKeyCallBacks kCFTypeDictionaryKeyCallBacks
    SECTRANS_CF_UNUSED = {0, NULL, NULL, NULL, NULL, NULL};
static const CFDictionaryKeyCallBacks kCFCopyStringDictionaryKeyCallBacks
    SECTRANS_CF_UNUSED = {0, NULL, NULL, NULL, NULL, NULL};
static const CFDictionaryValueCallBacks kCFTypeDictionaryValueCallBacks
    SECTRANS_CF_UNUSED = {0, NULL, NULL, NULL, NULL};

/* ---- The object header (an implementation detail; see the top) ---------- */

#define SECTRANS_CF_MAGIC 0x43466f62u /* "CFob" */
#define SECTRANS_CF_IMMORTAL (-1L)

enum __sectrans_cf_type {
  SECTRANS_CF_STRING = 1,
  SECTRANS_CF_DATA,
  SECTRANS_CF_ARRAY,
  SECTRANS_CF_DICTIONARY,
  SECTRANS_CF_ERROR,
  SECTRANS_CF_TRUST, /* SecTrustRef, <sectrans/SecTrust.h> */
  SECTRANS_CF_POLICY /* SecPolicyRef */
};

struct __sectrans_cf {
  uint32_t magic;
  uint32_t type;
  long refs; /* SECTRANS_CF_IMMORTAL for constants */
  void (*finalize)(struct __sectrans_cf *);
};

struct __CFString {
  struct __sectrans_cf base;
  CFIndex length;
  const char *chars; /* NUL-terminated */
};
struct __CFData {
  struct __sectrans_cf base;
  CFIndex length;
  const UInt8 *bytes;
};
struct __CFArray {
  struct __sectrans_cf base;
  CFIndex count, capacity;
  const void **values;
  bool retains;
};
struct __CFDictionary {
  struct __sectrans_cf base;
  CFIndex count;
  const void **keys, **values;
  bool retains_keys, retains_values;
};
struct __CFError {
  struct __sectrans_cf base;
  CFIndex code;
  CFStringRef domain, description;
};

/* A constant string, for the k* names of this header and CFSTR. */
#define SECTRANS_CF_CONSTANT_STRING(s)                                         \
  {                                                                            \
    {SECTRANS_CF_MAGIC, SECTRANS_CF_STRING, SECTRANS_CF_IMMORTAL, NULL},       \
        (CFIndex)(sizeof(s) - 1), (s)                                          \
  }
#define CFSTR(s)                                                               \
  (__extension__({                                                             \
    static const struct __CFString __sectrans_cfstr =                          \
        SECTRANS_CF_CONSTANT_STRING("" s "");                                  \
    (CFStringRef) & __sectrans_cfstr;                                          \
  }))

static inline bool __sectrans_cf_is(CFTypeRef cf, uint32_t type) {
  uint32_t word[2];
  if (cf == NULL)
    return false;
  /* Any object is at least 8 bytes: both a sectrans handle and ours. */
  memcpy(word, cf, sizeof(word));
  return word[0] == SECTRANS_CF_MAGIC && (type == 0 || word[1] == type);
}

/* Out of line: GCC would otherwise track the allocation's size through
 * the inlined type checks and warn (-Warray-bounds) about paths that the
 * type word rules out at run time. */
#if defined(__GNUC__)
__attribute__((noinline, unused))
#endif
static void *
__sectrans_cf_alloc(uint32_t type, size_t size,
                    void (*finalize)(struct __sectrans_cf *)) {
  struct __sectrans_cf *cf = (struct __sectrans_cf *)calloc(1, size);
  if (cf == NULL)
    return NULL;
  cf->magic = SECTRANS_CF_MAGIC;
  cf->type = type;
  cf->refs = 1;
  cf->finalize = finalize;
  return cf;
}

/* ---- Retain, release, equality ----------------------------------------- */

static inline CFTypeRef CFRetain(CFTypeRef cf) {
  if (cf == NULL)
    return NULL;
  if (!__sectrans_cf_is(cf, 0))
    return sectrans_retain(cf);
  struct __sectrans_cf *obj = (struct __sectrans_cf *)cf;
  /* Constants may sit in read-only memory: never write to them. */
  if (obj->refs != SECTRANS_CF_IMMORTAL)
    __atomic_fetch_add(&obj->refs, 1, __ATOMIC_RELAXED);
  return cf;
}

static inline void CFRelease(CFTypeRef cf) {
  if (cf == NULL)
    return;
  if (!__sectrans_cf_is(cf, 0)) {
    sectrans_release(cf);
    return;
  }
  struct __sectrans_cf *obj = (struct __sectrans_cf *)cf;
  if (obj->refs == SECTRANS_CF_IMMORTAL)
    return;
  if (__atomic_fetch_sub(&obj->refs, 1, __ATOMIC_ACQ_REL) != 1)
    return;
  if (obj->finalize != NULL)
    obj->finalize(obj);
  free(obj);
}

static inline CFIndex CFGetRetainCount(CFTypeRef cf) {
  if (!__sectrans_cf_is(cf, 0))
    return 0; /* sectrans handles do not tell */
  return ((const struct __sectrans_cf *)cf)->refs;
}

/* Strings and data compare by content, everything else by identity. */
static inline Boolean CFEqual(CFTypeRef a, CFTypeRef b) {
  if (a == b)
    return true;
  if (__sectrans_cf_is(a, SECTRANS_CF_STRING) &&
      __sectrans_cf_is(b, SECTRANS_CF_STRING)) {
    CFStringRef x = (CFStringRef)a, y = (CFStringRef)b;
    return x->length == y->length &&
           memcmp(x->chars, y->chars, (size_t)x->length) == 0;
  }
  if (__sectrans_cf_is(a, SECTRANS_CF_DATA) &&
      __sectrans_cf_is(b, SECTRANS_CF_DATA)) {
    CFDataRef x = (CFDataRef)a, y = (CFDataRef)b;
    return x->length == y->length &&
           (x->length == 0 ||
            memcmp(x->bytes, y->bytes, (size_t)x->length) == 0);
  }
  return false;
}

/* ---- CFString ------------------------------------------------------------ */

static inline CFStringRef CFStringCreateWithBytes(CFAllocatorRef alloc,
                                                  const UInt8 *bytes,
                                                  CFIndex len,
                                                  CFStringEncoding encoding,
                                                  Boolean external) {
  struct __CFString *s;
  (void)alloc, (void)encoding, (void)external;
  if (len < 0 || (bytes == NULL && len > 0))
    return NULL;
  /* One block: the object, then the bytes and a NUL. */
  s = (struct __CFString *)__sectrans_cf_alloc(
      SECTRANS_CF_STRING, sizeof(*s) + (size_t)len + 1, NULL);
  if (s == NULL)
    return NULL;
  char *chars = (char *)(s + 1);
  if (len > 0)
    memcpy(chars, bytes, (size_t)len);
  chars[len] = '\0';
  s->length = len;
  s->chars = chars;
  return s;
}

static inline CFStringRef CFStringCreateWithCString(CFAllocatorRef alloc,
                                                    const char *cstr,
                                                    CFStringEncoding encoding) {
  if (cstr == NULL)
    return NULL;
  return CFStringCreateWithBytes(alloc, (const UInt8 *)cstr,
                                 (CFIndex)strlen(cstr), encoding, false);
}

static inline CFIndex CFStringGetLength(CFStringRef s) {
  return __sectrans_cf_is(s, SECTRANS_CF_STRING) ? s->length : 0;
}

/* The bytes are always there, NUL-terminated, so never NULL for a string. */
static inline const char *CFStringGetCStringPtr(CFStringRef s,
                                                CFStringEncoding encoding) {
  (void)encoding;
  return __sectrans_cf_is(s, SECTRANS_CF_STRING) ? s->chars : NULL;
}

/* Copies the string and a NUL; false when it does not fit. */
static inline Boolean CFStringGetCString(CFStringRef s, char *buf, CFIndex size,
                                         CFStringEncoding encoding) {
  (void)encoding;
  if (!__sectrans_cf_is(s, SECTRANS_CF_STRING) || buf == NULL ||
      size <= s->length)
    return false;
  memcpy(buf, s->chars, (size_t)s->length + 1);
  return true;
}

static inline CFIndex CFStringGetMaximumSizeForEncoding(
    CFIndex length, CFStringEncoding encoding) {
  (void)encoding;
  return length * 3;
}

/* ---- CFData -------------------------------------------------------------- */

static inline CFDataRef CFDataCreate(CFAllocatorRef alloc, const UInt8 *bytes,
                                     CFIndex len) {
  struct __CFData *d;
  (void)alloc;
  if (len < 0 || (bytes == NULL && len > 0))
    return NULL;
  d = (struct __CFData *)__sectrans_cf_alloc(SECTRANS_CF_DATA,
                                             sizeof(*d) + (size_t)len, NULL);
  if (d == NULL)
    return NULL;
  if (len > 0)
    memcpy(d + 1, bytes, (size_t)len);
  d->length = len;
  d->bytes = (const UInt8 *)(d + 1);
  return d;
}

static inline CFIndex CFDataGetLength(CFDataRef d) {
  return __sectrans_cf_is(d, SECTRANS_CF_DATA) ? d->length : 0;
}

static inline const UInt8 *CFDataGetBytePtr(CFDataRef d) {
  return __sectrans_cf_is(d, SECTRANS_CF_DATA) ? d->bytes : NULL;
}

/* ---- CFArray ------------------------------------------------------------- */

static inline void __sectrans_cf_array_finalize(struct __sectrans_cf *obj) {
  struct __CFArray *a = (struct __CFArray *)obj;
  if (a->retains)
    for (CFIndex i = 0; i < a->count; i++)
      CFRelease(a->values[i]);
  free((void *)a->values);
}

static inline CFMutableArrayRef CFArrayCreateMutable(
    CFAllocatorRef alloc, CFIndex capacity, const CFArrayCallBacks *callbacks) {
  struct __CFArray *a;
  (void)alloc;
  if (capacity < 0)
    return NULL;
  a = (struct __CFArray *)__sectrans_cf_alloc(SECTRANS_CF_ARRAY, sizeof(*a),
                                              __sectrans_cf_array_finalize);
  if (a != NULL)
    a->retains = callbacks != NULL;
  return a;
}

/* Appends value (retained with kCFTypeArrayCallBacks). Unlike
 * CoreFoundation this can fail (out of memory): it returns false then. */
static inline bool __sectrans_cf_array_append(CFMutableArrayRef a,
                                              const void *value) {
  if (!__sectrans_cf_is(a, SECTRANS_CF_ARRAY))
    return false;
  if (a->count == a->capacity) {
    CFIndex capacity = a->capacity ? a->capacity * 2 : 4;
    const void **values = (const void **)realloc(
        (void *)a->values, (size_t)capacity * sizeof(*values));
    if (values == NULL)
      return false;
    a->values = values;
    a->capacity = capacity;
  }
  a->values[a->count++] = a->retains ? CFRetain(value) : value;
  return true;
}

static inline void CFArrayAppendValue(CFMutableArrayRef a, const void *value) {
  (void)__sectrans_cf_array_append(a, value);
}

static inline CFArrayRef CFArrayCreate(CFAllocatorRef alloc,
                                       const void **values, CFIndex count,
                                       const CFArrayCallBacks *callbacks) {
  CFMutableArrayRef a;
  if (count < 0 || (values == NULL && count > 0))
    return NULL;
  if ((a = CFArrayCreateMutable(alloc, count, callbacks)) == NULL)
    return NULL;
  for (CFIndex i = 0; i < count; i++) {
    if (!__sectrans_cf_array_append(a, values[i])) {
      CFRelease(a);
      return NULL;
    }
  }
  return a;
}

static inline CFIndex CFArrayGetCount(CFArrayRef a) {
  return __sectrans_cf_is(a, SECTRANS_CF_ARRAY) ? a->count : 0;
}

/* The array keeps the reference (the Get rule): do not release. */
static inline const void *CFArrayGetValueAtIndex(CFArrayRef a, CFIndex i) {
  if (!__sectrans_cf_is(a, SECTRANS_CF_ARRAY) || i < 0 || i >= a->count)
    return NULL;
  return a->values[i];
}

/* ---- CFDictionary (a small association list) ---------------------------- */

static inline void __sectrans_cf_dictionary_finalize(
    struct __sectrans_cf *obj) {
  struct __CFDictionary *d = (struct __CFDictionary *)obj;
  for (CFIndex i = 0; i < d->count; i++) {
    if (d->retains_keys)
      CFRelease(d->keys[i]);
    if (d->retains_values)
      CFRelease(d->values[i]);
  }
  free((void *)d->keys);
}

static inline CFDictionaryRef CFDictionaryCreate(
    CFAllocatorRef alloc, const void **keys, const void **values, CFIndex count,
    const CFDictionaryKeyCallBacks *key_callbacks,
    const CFDictionaryValueCallBacks *value_callbacks) {
  struct __CFDictionary *d;
  (void)alloc;
  if (count < 0 || (count > 0 && (keys == NULL || values == NULL)))
    return NULL;
  d = (struct __CFDictionary *)__sectrans_cf_alloc(
      SECTRANS_CF_DICTIONARY, sizeof(*d), __sectrans_cf_dictionary_finalize);
  if (d == NULL)
    return NULL;
  /* keys and values share one allocation (2 * count pointers). */
  if (count > 0) {
    d->keys = (const void **)calloc(2 * (size_t)count, sizeof(void *));
    if (d->keys == NULL) {
      free(d);
      return NULL;
    }
    d->values = d->keys + count;
  }
  d->retains_keys = key_callbacks != NULL;
  d->retains_values = value_callbacks != NULL;
  for (CFIndex i = 0; i < count; i++) {
    d->keys[i] = d->retains_keys ? CFRetain(keys[i]) : keys[i];
    d->values[i] = d->retains_values ? CFRetain(values[i]) : values[i];
  }
  d->count = count;
  return d;
}

static inline CFIndex CFDictionaryGetCount(CFDictionaryRef d) {
  return __sectrans_cf_is(d, SECTRANS_CF_DICTIONARY) ? d->count : 0;
}

/* Keys compare with CFEqual. The dictionary keeps the reference. */
static inline const void *CFDictionaryGetValue(CFDictionaryRef d,
                                               const void *key) {
  if (!__sectrans_cf_is(d, SECTRANS_CF_DICTIONARY))
    return NULL;
  for (CFIndex i = 0; i < d->count; i++)
    if (CFEqual(d->keys[i], key))
      return d->values[i];
  return NULL;
}

/* ---- CFError ------------------------------------------------------------- */

static const struct __CFString __sectrans_kCFErrorDomainOSStatus
    SECTRANS_CF_UNUSED = SECTRANS_CF_CONSTANT_STRING("NSOSStatusErrorDomain");
#define kCFErrorDomainOSStatus ((CFStringRef)&__sectrans_kCFErrorDomainOSStatus)

static inline void __sectrans_cf_error_finalize(struct __sectrans_cf *obj) {
  CFRelease(((struct __CFError *)obj)->description);
}

/* An error in kCFErrorDomainOSStatus with code and a description (copied,
 * may be NULL). Not a CoreFoundation name: CFErrorCreate takes a
 * dictionary this header does not model. */
static inline CFErrorRef __sectrans_cf_error_create(CFIndex code,
                                                    const char *description) {
  struct __CFError *e = (struct __CFError *)__sectrans_cf_alloc(
      SECTRANS_CF_ERROR, sizeof(*e), __sectrans_cf_error_finalize);
  if (e == NULL)
    return NULL;
  e->code = code;
  e->domain = kCFErrorDomainOSStatus;
  e->description = CFStringCreateWithCString(
      NULL, description ? description : "", kCFStringEncodingUTF8);
  return e;
}

static inline CFIndex CFErrorGetCode(CFErrorRef e) {
  return __sectrans_cf_is(e, SECTRANS_CF_ERROR) ? e->code : 0;
}

static inline CFStringRef CFErrorGetDomain(CFErrorRef e) {
  return __sectrans_cf_is(e, SECTRANS_CF_ERROR) ? e->domain : NULL;
}

/* +1 reference, as CoreFoundation's Copy rule says. */
static inline CFStringRef CFErrorCopyDescription(CFErrorRef e) {
  if (!__sectrans_cf_is(e, SECTRANS_CF_ERROR) || e->description == NULL)
    return NULL;
  return (CFStringRef)CFRetain(e->description);
}

#ifdef __cplusplus
}
#endif

#endif /* SECTRANS_COREFOUNDATION_H */
