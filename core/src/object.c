/*
 * object.c: reference counts, and the generic retain/release that lets the
 * compatibility header offer CFRetain/CFRelease. Every handle type's own
 * retain and release are OBJECT_RETAIN_RELEASE (internal.h) over these.
 */
#include "internal.h"

void object_init(struct object *obj, uint32_t kind) {
  obj->kind = kind;
  atomic_init(&obj->refs, 1);
}

static int is_handle(const void *handle) {
  if (handle == NULL)
    return 0;
  uint32_t kind = ((const struct object *)handle)->kind;
  return kind >= KIND_CONTEXT && kind <= KIND_TRUST_STORE;
}

/* Each kind's destructor, for the last release. */
static void free_object(struct object *obj) {
  switch (obj->kind) {
  case KIND_CONTEXT:
    context_free((sectrans_context *)obj);
    break;
  case KIND_CONFIG:
    config_free((sectrans_config *)obj);
    break;
  case KIND_IDENTITY:
    identity_free((sectrans_identity *)obj);
    break;
  case KIND_CERTIFICATE:
    certificate_free((sectrans_certificate *)obj);
    break;
  case KIND_TRUST:
    trust_free((sectrans_trust *)obj);
    break;
  case KIND_TRUST_STORE:
    trust_store_free((sectrans_trust_store *)obj);
    break;
  default:
    break;
  }
}

void *object_retain_kind(void *handle, uint32_t kind) {
  if (bad_handle(handle, kind))
    return NULL;
  atomic_fetch_add_explicit(&((struct object *)handle)->refs, 1,
                            memory_order_relaxed);
  return handle;
}

void object_release_kind(void *handle, uint32_t kind) {
  if (bad_handle(handle, kind))
    return;
  struct object *obj = handle;
  /* acq_rel: the freeing thread sees every other thread's last writes. */
  if (atomic_fetch_sub_explicit(&obj->refs, 1, memory_order_acq_rel) == 1)
    free_object(obj);
}

const void *sectrans_retain(const void *handle) {
  if (!is_handle(handle))
    return NULL;
  /* The handle is const only in the CoreFoundation-style signature. */
  return object_retain_kind((void *)handle,
                            ((const struct object *)handle)->kind);
}

void sectrans_release(const void *handle) {
  if (is_handle(handle)) /* not a sectrans handle: a caller bug, ignored */
    object_release_kind((void *)handle, ((const struct object *)handle)->kind);
}
